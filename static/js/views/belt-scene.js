// The belt at step t as shapes and labels: a pure function of the step's numbers and the layout
// (views/belt-layout.js). Per lane: the gate room, where x_t, h_{t−1} and the bias feed each gate
// (a bar per gate, split into its three parts, ending at the pre-activation), then the belt, where
// the × station (forget) scales c_{t−1}, the + station adds i·g, and a branch drops through tanh
// and × o to h_t. Every number is the server's; nothing here computes one.

import { BELT, BELT_EDGE, INK, MUTED, STEP_MARK, needsLightText, sequential } from "../colors.js";
import { num, signed } from "../format.js";
import { format, strings } from "../i18n/index.js";
import { parcelColour, parcelShapes, tickShapes } from "./belt-parcels.js";

export const GATES = ["f", "i", "g", "o"];
// The three parts of a gate's pre-activation, in the order they are stacked.
export const PARTS = ["x", "h", "b"];
export const PART_COLOURS = { x: "#1b8a6b", h: "#a0527a", b: "#8e98a8" };
// A feed bar spans pre-activations of ±Z_MAX: σ and tanh are flat beyond it.
export const Z_MAX = 8;

const LANE_QUANTITIES = ["h_prev", "c_prev", "f", "kept", "forgotten", "i", "g", "added", "c", "tanh_c", "o", "h"];
const feeds = (gates) => gates.flatMap((q) => [`pre_${q}`, ...PARTS.map((part) => `pre_${q}_${part}`)]);
const FEED_QUANTITIES = feeds(GATES);
// A GRU's gates, in the order the gate room shows them, and its lane's numbers.
export const GRU_GATES = ["r", "z", "n"];
const GRU_QUANTITIES = ["h_prev", "r", "z", "n", "kept", "forgotten", "added", "h", ...feeds(GRU_GATES)];

// The numbers of unit k at step t, by name (an LSTM's, or with `gru` a GRU's).
export function laneValues(trace, t, k, gru = false) {
  const names = gru ? GRU_QUANTITIES : [...LANE_QUANTITIES, ...FEED_QUANTITIES];
  return Object.fromEntries(names.map((name) => [name, trace[name] ? trace[name][t][k] : 0]));
}

// The moves of the walk-through (1 forget … 5 pass on) each label belongs to.
const MOVES = {
  unit: [1, 2, 3, 4, 5], h_prev: [1, 2, 4], f: [1], i: [2], g: [2], o: [4], c_prev: [1], kept: [1, 3],
  forgotten: [1], added: [2, 3], c: [3, 4, 5], tanh_c: [4], h: [4, 5],
};

// The digits before the point of the largest |value| a slot shows over the whole trace for these
// units (at least one), so a slot is as wide as its widest number at any step.
function integerDigits(trace, names, units) {
  let most = 0;
  for (const name of names) {
    for (const row of trace[name]) {
      for (const k of units) most = Math.max(most, Math.abs(row[k]));
    }
  }
  return Math.max(1, Math.floor(Math.log10(Math.max(1, most + 0.0005))) + 1);
}

const widest = (digits, sign = "−") => `${sign}${"8".repeat(digits)}.888`;

// A named number: name and number on one line, or the number under the name. `name` is markup
// (it changes with the language only); `value` is plain text (it changes every step).
function text(name, number, lines) {
  if (!name) return number;
  return { name, value: number, lines, html: lines === 2 ? `${name}<br>${number}` : `${name} ${number}` };
}

// The widest text of each label slot over the trace for these units (a list), for
// views/belt-layout.js (its `sample`): [name, number] pairs, and plain markup for headers and names.
export function labelSamples(trace, units, gru = false) {
  const S = strings.belt;
  const d = (names) => widest(integerDigits(trace, names, units));
  return {
    unit: format(S.unit, { k: Math.max(...units) }),
    hPrev: ["h<sub>t−1</sub>", d(["h_prev"])],
    cPrev: gru ? ["h<sub>t−1</sub>", d(["h_prev"])] : ["c<sub>t−1</sub>", d(["c_prev"])],
    kept: [S.kept, d(["kept"])],
    forgotten: [S.forgotten, d(["forgotten"])],
    added: [S.added, widest(integerDigits(trace, ["added"], units), "+")],
    c: gru ? ["h<sub>t</sub>", d(["h"])] : ["c<sub>t</sub>", d(["c"])],
    tanh: ["tanh", widest(1)],
    h: ["h<sub>t</sub>", widest(1)],
    gate: widest(1),
    feeds: feedsHeader(),
    headF: S.headForget,
    headA: S.headInput,
    headO: S.headOutput,
  };
}

const circle = (x, y, r, fill, stroke = INK) => ({ kind: "circle", x, y, r, fill, stroke, width: 1.6 });
const line = (points, stroke, width = 1.5, dash = null) => ({ kind: "line", points, stroke, width, dash });
const rect = (x, y, w, h, style) => ({ kind: "rect", x, y, w, h, ...style });
const glyph = (x, y, t, color, size = 13) => ({ kind: "text", x, y, text: t, size, color, align: "center",
  baseline: "middle", weight: "bold" });
const arrow = (x, y, size, fill) => ({ kind: "poly", points: [[x, y - size / 2], [x + size, y], [x, y + size / 2]], fill });

// A station: a circle filled with its gate's opening, and its symbol.
function station(x, y, value, symbol) {
  const fill = sequential(value);
  return [circle(x, y, 9, fill), glyph(x, y + 0.5, symbol, needsLightText(fill) ? "#ffffff" : INK)];
}

// One gate's feed bar: the input part, then the recurrent part, then the bias, each a thin strip
// running on from where the previous one ended; a tick marks where they end, the pre-activation.
function feedBar(v, q, x, cy, width, clamped) {
  const mid = x + width / 2;
  const scale = width / 2 / Z_MAX;
  const at = (z) => mid + Math.max(-Z_MAX, Math.min(Z_MAX, z)) * scale;
  const shapes = [rect(x, cy - 5.5, width, 11, { fill: "#f1f3f7" }), line([[mid, cy - 6.5], [mid, cy + 6.5]], "#c3cad5", 1)];
  let sum = 0;
  const alpha = clamped ? 0.25 : 1;
  PARTS.forEach((part, n) => {
    const value = v[`pre_${q}_${part}`];
    const [a, b] = [at(sum), at(sum + value)];
    shapes.push(rect(Math.min(a, b), cy - 5 + n * 3.4, Math.max(1, Math.abs(b - a)), 3.2,
      { fill: PART_COLOURS[part], alpha }));
    sum += value;
  });
  const end = at(v[`pre_${q}`]);
  shapes.push({ ...line([[end, cy - 7], [end, cy + 7]], INK, 2), alpha });
  if (Math.abs(v[`pre_${q}`]) > Z_MAX) {
    const dir = Math.sign(v[`pre_${q}`]);
    shapes.push({ kind: "poly", points: [[end + dir * 7, cy], [end + dir * 2, cy - 4], [end + dir * 2, cy + 4]], fill: INK, alpha });
  }
  if (clamped) {
    shapes.push(rect(x - 3, cy - 8, width + 6, 16, { stroke: STEP_MARK, width: 1.5, dash: [3, 2] }));
    shapes.push({ kind: "text", x: mid, y: cy + 0.5, text: strings.clamp.badge, size: 11, color: STEP_MARK,
      align: "center", baseline: "middle", weight: "bold" });
  }
  return shapes;
}

// Where the lane's walk-through box lies for move n, in belt-part coordinates.
function walkBoxes(n, b, w) {
  const A = b.A;
  const bottom = b.yD + A + 2;
  return [
    [[-4, 0, Math.max(b.xK + w.kept / 2, b.xF + 4 + w.forgotten) + 4, bottom]],
    [[b.xA - 15, b.yBelt - 11, b.xA + 10 + w.added, bottom]],
    [[b.xF - 14, 0, b.xC + w.c / 2 + 6, b.yOut + 4]],
    [[b.xC - 10, b.yBelt - 11, Math.max(b.xE, b.xH + w.h / 2) + 8, bottom]],
    [[b.xC - w.c / 2 - 6, 0, b.xE + 14, b.yBelt + 12], [b.xH - w.h / 2 - 6, b.yOut - 10, b.xE + 14, bottom]],
  ][n - 1];
}
const WALK_ROWS = { 1: ["f"], 2: ["i", "g"], 4: ["o"] };
// A GRU's walk-through: 1 reset (r shapes the candidate n), 2 keep (× z), 3 write (+ (1 − z)·n),
// 4 the new h, 5 pass on; its labels, its gate rows, and which of the LSTM's boxes each move uses.
const GRU_MOVES = {
  unit: [1, 2, 3, 4, 5], h_prev: [1, 2], r: [1], z: [2, 3], n: [1, 3], kept: [2, 4], forgotten: [2],
  added: [3, 4], h: [4, 5],
};
const GRU_WALK_ROWS = { 1: ["r", "n"], 2: ["z"], 3: ["z", "n"] };
const GRU_WALK_BOX = { 2: 1, 3: 2, 4: 3 };
const WALK_FILL = "rgba(242, 161, 95, 0.16)";

// One lane: shapes (drawn in order) and labels.
function lane(spec, layout, p, phases, limit, walk, isFocus) {
  const { k, n, v, clamped } = spec;
  const { w, belt: b, room } = layout;
  const box = layout.lane(n);
  const S = strings.belt;
  const shapes = [];
  const labels = [];
  const lines = b.lines;
  const dim = (q) => Boolean(walk) && !MOVES[q].includes(walk);
  const size = layout.size;
  const label = (q, x, y, content, align = "left", valign = "top") => labels.push({
    x, y, align, valign, q: q === "unit" ? null : q, unit: k, dim: dim(q), size,
    ...(typeof content === "string" ? { html: content } : content),
  });
  const bx = box.belt.x;
  const by = box.belt.y;
  const X = (x) => bx + x;
  const Y = (y) => by + y;

  if (isFocus) {
    shapes.push(rect(0, box.y - 4, layout.width, layout.laneH + 8, { fill: "rgba(42, 98, 201, 0.06)" }));
  }
  // The walk-through's box first, so everything else lies on top of it.
  if (walk) {
    for (const [x0, y0, x1, y1] of walkBoxes(walk, { ...b, xK: (b.xF + b.xA) / 2 }, w)) {
      shapes.push(rect(X(x0), Y(y0), x1 - x0, y1 - y0, { fill: WALK_FILL, stroke: STEP_MARK, width: 1.2 }));
    }
  }

  // The unit and the h_{t−1} it brings.
  if (layout.wide) {
    label("unit", 0, box.y + 2, format(S.unit, { k }));
    label("h_prev", 0, box.y + 20, text("h<sub>t−1</sub>", num(v.h_prev, 3), 1));
  } else {
    label("unit", 0, box.y, format(S.unit, { k }));
    label("h_prev", layout.unitW + 12, box.y, text("h<sub>t−1</sub>", num(v.h_prev, 3), 1));
  }

  // The gate room: one row per gate.
  GATES.forEach((q, n) => {
    const cy = box.room.y + n * room.row + room.row / 2;
    if (walk && (WALK_ROWS[walk] || []).includes(q)) {
      shapes.push(rect(box.room.x - 4, cy - room.row / 2 + 1, room.width + 8, room.row - 2, { fill: WALK_FILL }));
    }
    shapes.push(glyph(box.room.x + 5, cy, q, dim(q) ? MUTED : INK, 13));
    shapes.push(...feedBar(v, q, box.room.x + room.barX, cy, room.barW, clamped[q]));
    label(q, box.room.x + room.valueX, cy, num(v[q], 3), "left", "middle");
  });

  // The belt band, from c_{t−1} to the step's end, and the branch to h_t.
  const yb = Y(b.yBelt);
  const yo = Y(b.yOut);
  shapes.push(rect(X(0), yb - 4.5, b.xE, 9, { fill: BELT, stroke: BELT_EDGE, width: 1.2 }));
  shapes.push(arrow(X(b.xE), yb, 12, BELT_EDGE));
  shapes.push(line([[X(b.xF + 6), yb + 7], [X(b.xF + 14), yo]], BELT_EDGE, 1.5, [2, 3])); // the chute
  shapes.push(line([[X(b.xA), yo], [X(b.xA), yb + 9]], MUTED, 2)); // the riser of i·g
  shapes.push(line([[X(b.xC), yb + 4.5], [X(b.xC), yo], [X(b.xH), yo]], MUTED, 2.5));
  shapes.push(arrow(X(b.xH), yo, 9, MUTED));
  if (p < 1 || walk) shapes.push(...tickShapes(X(0), X(b.xE), yb, p, [X(b.xF), X(b.xA)]));
  shapes.push(...station(X(b.xF), yb, v.f, "×"));
  shapes.push(...station(X(b.xA), yb, v.i, "+"));
  shapes.push(rect(X(b.xT - 17), yo - 8, 34, 16, { fill: "#ffffff", stroke: INK, width: 1.4 }));
  shapes.push({ kind: "text", x: X(b.xT), y: yo + 0.5, text: "tanh", size: 11, color: INK, align: "center", baseline: "middle" });
  shapes.push(...station(X(b.xO), yo, v.o, "×"));
  if (clamped.g) shapes.push(rect(X(b.xA) - 5, yo - 12, 10, 12, { stroke: STEP_MARK, width: 1.5, dash: [3, 2] }));

  // The parcels.
  const at = { start: X(Math.min(b.xF - 20, w.cPrev / 2)), xF: X(b.xF), xK: X((b.xF + b.xA) / 2), xA: X(b.xA),
    xC: X(b.xC), xT: X(b.xT), xO: X(b.xO), xTO: X((b.xT + 17 + b.xO - 9) / 2), xH: X(b.xH - 6), xE: X(b.xE - 4),
    yBelt: yb, yOut: yo, chute: X(b.xF + 14) };
  shapes.push(...parcelShapes(v, at, p, phases, limit));

  // The numbers, each in its own slot.
  const A = Y(0);
  label("c_prev", X(0), A, text("c<sub>t−1</sub>", num(v.c_prev, 3), lines));
  label("kept", X((b.xF + b.xA) / 2), A, text(S.kept, num(v.kept, 3), lines), "center");
  label("c", X(b.xC), A, text("c<sub>t</sub>", num(v.c, 3), lines), "center");
  label("added", X(b.xA + 6), Y(b.yD), text(S.added, signed(v.added, 3), lines));
  label("forgotten", X(b.xF + 4), Y(b.yD), text(S.forgotten, num(v.forgotten, 3), lines));
  label("tanh_c", X(b.xT), Y(b.yD), text("tanh", num(v.tanh_c, 3), lines), "center");
  label("h", X(b.xH), Y(b.yD), text("h<sub>t</sub>", num(v.h, 3), lines), "center");
  return { shapes, labels };
}

// A GRU's lane: the same gate room (rows r, z, n) and belt, but the belt carries h itself: h_{t−1}
// → × z (kept) → + (1 − z)·n (added) → h_t, with no branch to an output (nothing hides the belt).
function gruLane(spec, layout, p, phases, limit, walk, isFocus) {
  const { k, n, v, clamped } = spec;
  const { w, belt: b, room } = layout;
  const box = layout.lane(n);
  const S = strings.belt;
  const shapes = [];
  const labels = [];
  const lines = b.lines;
  const dim = (q) => Boolean(walk) && !GRU_MOVES[q].includes(walk);
  const size = layout.size;
  const label = (q, x, y, content, align = "left", valign = "top") => labels.push({
    x, y, align, valign, q: q === "unit" ? null : q, unit: k, dim: dim(q), size,
    ...(typeof content === "string" ? { html: content } : content),
  });
  const X = (x) => box.belt.x + x;
  const Y = (y) => box.belt.y + y;

  if (isFocus) shapes.push(rect(0, box.y - 4, layout.width, layout.laneH + 8, { fill: "rgba(42, 98, 201, 0.06)" }));
  const boxes = walk === 5 ? walkBoxes(5, { ...b, xK: (b.xF + b.xA) / 2 }, w).slice(0, 1)
    : GRU_WALK_BOX[walk] ? walkBoxes(GRU_WALK_BOX[walk], { ...b, xK: (b.xF + b.xA) / 2 }, w) : [];
  for (const [x0, y0, x1, y1] of boxes) {
    shapes.push(rect(X(x0), Y(y0), x1 - x0, Math.min(y1, b.yBelt + 12) - y0, { fill: WALK_FILL, stroke: STEP_MARK, width: 1.2 }));
  }
  if (layout.wide) {
    label("unit", 0, box.y + 2, format(S.unit, { k }));
    label("h_prev", 0, box.y + 20, text("h<sub>t−1</sub>", num(v.h_prev, 3), 1));
  } else {
    label("unit", 0, box.y, format(S.unit, { k }));
    label("h_prev", layout.unitW + 12, box.y, text("h<sub>t−1</sub>", num(v.h_prev, 3), 1));
  }
  GRU_GATES.forEach((q, n) => {
    const cy = box.room.y + n * room.row + room.row / 2;
    if (walk && (GRU_WALK_ROWS[walk] || []).includes(q)) {
      shapes.push(rect(box.room.x - 4, cy - room.row / 2 + 1, room.width + 8, room.row - 2, { fill: WALK_FILL }));
    }
    shapes.push(glyph(box.room.x + 5, cy, q, dim(q) ? MUTED : INK, 13));
    shapes.push(...feedBar(v, q, box.room.x + room.barX, cy, room.barW, clamped[q]));
    label(q, box.room.x + room.valueX, cy, num(v[q], 3), "left", "middle");
  });

  const yb = Y(b.yBelt);
  const yo = Y(b.yOut);
  shapes.push(rect(X(0), yb - 4.5, b.xE, 9, { fill: BELT, stroke: BELT_EDGE, width: 1.2 }));
  shapes.push(arrow(X(b.xE), yb, 12, BELT_EDGE));
  shapes.push(line([[X(b.xF + 6), yb + 7], [X(b.xF + 14), yo]], BELT_EDGE, 1.5, [2, 3])); // the chute
  shapes.push(line([[X(b.xA), yo], [X(b.xA), yb + 9]], MUTED, 2)); // the riser of (1 − z)·n
  if (p < 1 || walk) shapes.push(...tickShapes(X(0), X(b.xE), yb, p, [X(b.xF), X(b.xA)]));
  shapes.push(...station(X(b.xF), yb, v.z, "×"));
  // The + station lets through 1 − z of the candidate: its fill is that opening (display only).
  shapes.push(...station(X(b.xA), yb, 1 - v.z, "+"));
  if (clamped.n) shapes.push(rect(X(b.xA) - 5, yo - 12, 10, 12, { stroke: STEP_MARK, width: 1.5, dash: [3, 2] }));

  const at = { start: X(Math.min(b.xF - 20, w.cPrev / 2)), xF: X(b.xF), xK: X((b.xF + b.xA) / 2), xA: X(b.xA),
    xC: X(b.xC), xE: X(b.xE - 4), yBelt: yb, yOut: yo, chute: X(b.xF + 14) };
  const belt = { c_prev: v.h_prev, kept: v.kept, forgotten: v.forgotten, added: v.added, c: v.h };
  shapes.push(...parcelShapes(belt, at, p, phases, limit, { branch: false }));

  const A = Y(0);
  label("h_prev", X(0), A, text("h<sub>t−1</sub>", num(v.h_prev, 3), lines));
  label("kept", X((b.xF + b.xA) / 2), A, text(S.kept, num(v.kept, 3), lines), "center");
  label("h", X(b.xC), A, text("h<sub>t</sub>", num(v.h, 3), lines), "center");
  label("added", X(b.xA + 6), Y(b.yD), text(S.added, signed(v.added, 3), lines));
  label("forgotten", X(b.xF + 4), Y(b.yD), text(S.forgotten, num(v.forgotten, 3), lines));
  return { shapes, labels };
}

// "x_t + h_{t−1} + bias → gate", each part in its bar's colour (the legend of the feed bars).
export function feedsHeader() {
  const S = strings.belt;
  const part = (p) => `<span class="feed-${p}">${S.parts[p]}</span>`;
  return format(S.feeds, { x: part("x"), h: part("h"), b: part("b") });
}

// The names of the stations above the belt (and of the gate room), once per view.
function headers(layout, gru) {
  const S = strings.belt;
  const { belt: b, room } = layout;
  const top = layout.lane(0);
  const y = layout.wide ? 3 : top.belt.y - 17;
  const out = [];
  if (layout.wide) out.push({ x: top.room.x + room.width / 2, y, html: feedsHeader(), align: "center", valign: "top" });
  const stations = gru ? [[b.xF, S.headKeepGru], [b.xA, S.headWriteGru]]
    : [[b.xF, S.headForget], [b.xA, S.headInput], [b.xO, S.headOutput]];
  for (const [x, html] of stations) {
    out.push({ x: top.belt.x + x, y, html, align: "center", valign: "top", size: 11.5 });
  }
  return out;
}

// Everything the belt draws at animation progress p (1 = at rest). `lanes`: [{k (the unit), n (its
// lane, from the top), v, clamped}]; `layout` from beltLayout; `limit`: the largest |value| the
// belt carries, for the parcels' log scale; `focus`: the unit the equations show.
export function beltScene({ lanes, layout, p, phases, limit, walk, focus, gru = false }) {
  const shapes = [];
  const labels = headers(layout, gru);
  for (const spec of lanes) {
    const draw = gru ? gruLane : lane;
    const part = draw(spec, layout, p, phases, limit, walk, layout.wide && lanes.length > 1 && spec.k === focus);
    shapes.push(...part.shapes);
    labels.push(...part.labels);
  }
  return { shapes, labels, height: layout.height };
}

// The colour of a value on the belt (the parcels' scale), for the legend.
export { parcelColour };
