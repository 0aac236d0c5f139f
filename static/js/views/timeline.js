// The belt over time, drawn by the page on a canvas: on top the inputs x_t over every step, then
// one lane per unit shown on the belt, c_t at every step split into what rode on from the
// previous step (kept = f⊙c_{t−1}, grey) and what the + station put on (added = i⊙g, in its
// colour), with c_t as a line. Bars stack from 0, so kept and added of opposite signs still add up
// to the line. The current step is marked; a click picks a step, hovering reads a step's numbers.
// While a lesson asks for a prediction, the steps from the one asked about on are veiled.
//
// What it draws is kept on the element (el.drawn: the columns, by unit), for tests to compare with
// the server's numbers.

import { BELT_EDGE, INK, MUTED, STEP_MARK } from "../colors.js";
import { fixed4, num, signed } from "../format.js";
import { format, plain, strings } from "../i18n/index.js";
import { modelOf } from "../models.js";
import { parcelColour } from "./belt-parcels.js";
import { createCanvasView } from "./canvas-view.js";
import { describe, inputName, stepMarkLabel } from "./common.js";
import { stepLabel } from "../tokens.js";

const S = strings.timeline;
const VEIL = "#eef1f5"; // opaque: nothing of the hidden steps shows through
// translucent: the rows an earlier revision left show through, faded, until the rerun reaches them
const PENDING = "rgba(238, 241, 245, 0.72)";
export const INPUT_COLOURS = [INK, "#7a5195", "#2f7f79", "#9c6b30", MUTED];
const MAX_LINES = 8; // inputs drawn in the strip
const GUTTER = 58; // the lanes' names, left of the plot
const RIGHT = 46; // each lane's scale, right of the plot
const TOP = 14; // the step marker's label
const STRIP = 28; // the inputs' strip
const AXIS = 18; // the step axis under the lanes
export const LANE_PAD = 4;
export const FIXED_HEIGHT = TOP + STRIP + LANE_PAD + AXIS;
export const LANE_MIN = 16;
// Steps narrower than this (px) are drawn as filled bands rather than a bar each.
const BAR_MIN_PX = 4;
const LANE_MAX = 120;
// The lines through every step (c_t, the inputs) are 1 px wide: Chromium's software canvas
// strokes those as hairlines, and at T=500 the inputs' two lines at 1.6 px took 4.5 ms to
// rasterise on every move, at 1 px 0.6 ms (a slider move at H=32: p50 54 → 50 ms).
const HAIRLINE = 1;

const column = (rows, k) => rows.map((row) => row[k]);

// A step axis's tick spacing: about one tick per 60 px, on 1, 2, 5 × 10^n.
function tickStep(T, px) {
  const raw = (T * 60) / Math.max(px, 1);
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1)));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) || power * 10;
}

// The plot's x for step s (the middle of its column).
function stepX(plot, T, s) {
  return plot.x + ((s + 0.5) / T) * plot.w;
}

// Indexes of the steps each pixel column of the plot holds, when steps are narrower than a pixel:
// per column, the step whose |value| is largest (so a spike is never lost between pixels).
function envelope(values, T, w) {
  const columns = Math.floor(w);
  const out = [];
  for (let c = 0; c < columns; c += 1) {
    const a = Math.floor((c / columns) * T);
    const b = Math.max(a + 1, Math.floor(((c + 1) / columns) * T));
    let best = a;
    for (let s = a; s < b; s += 1) if (Math.abs(values[s]) > Math.abs(values[best])) best = s;
    out.push(best);
  }
  return out;
}

// The range a lane's axis spans: from its lowest to its highest value, 0 included (a belt that
// only ever holds positive values uses the lane's whole height).
function laneRange({ kept, added, c }) {
  let lo = 0;
  let hi = 0;
  for (const values of [kept, added, c]) {
    for (const v of values) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  // Stacked bars reach kept + added, which may pass c's extremes only by float noise: a margin.
  const pad = Math.max(1e-9, (hi - lo) * 0.04);
  return [lo - (lo < 0 ? pad : 0), hi + (hi > 0 ? pad : 0) + (hi === lo ? 1e-9 : 0)];
}

function laneShapes(data, plot, y, h, T, limit) {
  const { kept, added, c } = data;
  const [lo, hi] = laneRange(data);
  const py = (v) => y + h - 1 - ((v - lo) / (hi - lo)) * (h - 2);
  const mid = py(0);
  const shapes = [{ kind: "rect", x: plot.x, y, w: plot.w, h, fill: "#fbfcfd" },
    { kind: "line", points: [[plot.x, mid], [plot.x + plot.w, mid]], stroke: "#c3cad5", width: 1 }];
  const per = plot.w / T;
  const steps = per >= 1 ? Array.from({ length: T }, (_, s) => s) : envelope(c, T, plot.w);
  // Added stacks on kept when both have its sign, else it runs from 0 the other way.
  const base = (s) => (Math.sign(added[s]) === Math.sign(kept[s]) ? kept[s] : 0);
  if (per >= BAR_MIN_PX) {
    // A bar per step, added in the colour of its own value.
    const barW = per * 0.72;
    for (const s of steps) {
      const x = stepX(plot, T, s) - barW / 2;
      shapes.push({ kind: "rect", x, y: Math.min(mid, py(kept[s])), w: barW, h: Math.abs(py(kept[s]) - mid), fill: "#c3cad5" });
      const [a, b] = [py(base(s)), py(base(s) + added[s])];
      shapes.push({ kind: "rect", x, y: Math.min(a, b), w: barW, h: Math.abs(b - a), fill: parcelColour(added[s], limit) });
    }
  } else {
    // Steps a few pixels wide or less: the same heights as three filled bands (kept; added > 0;
    // added < 0, each in its sign's colour), a handful of fills instead of two per step.
    // Each band's outline in one flat array (four numbers a step on each edge): a move redraws
    // thousands of steps, and an array per point cost more than painting them.
    const x = (s) => plot.x + (s / T) * plot.w;
    const n = steps.length;
    const band = (lower, upper, fill) => {
      const xy = new Float64Array(8 * n);
      steps.forEach((s, k) => {
        const [x0, x1, top, bottom] = [x(s), x(s + 1), py(upper(s)), py(lower(s))];
        const a = 4 * k; // the top edge, left to right
        const b = 8 * n - 4 * (k + 1); // the bottom edge, right to left
        xy[a] = x0; xy[a + 1] = top; xy[a + 2] = x1; xy[a + 3] = top;
        xy[b] = x1; xy[b + 1] = bottom; xy[b + 2] = x0; xy[b + 3] = bottom;
      });
      shapes.push({ kind: "poly", xy, fill });
    };
    band(() => 0, (s) => kept[s], "#c3cad5");
    band(base, (s) => base(s) + Math.max(0, added[s]), parcelColour(limit, limit));
    band(base, (s) => base(s) + Math.min(0, added[s]), parcelColour(-limit, limit));
  }
  const line = new Float64Array(2 * steps.length);
  steps.forEach((s, k) => {
    line[2 * k] = stepX(plot, T, s);
    line[2 * k + 1] = py(c[s]);
  });
  shapes.push({ kind: "line", xy: line, stroke: INK, width: HAIRLINE, name: "c" });
  return { shapes, range: [lo, hi] };
}

function inputShapes(state, plot, y, h) {
  const { trace, sizes } = state;
  const [lo, hi] = state.scenario.input_range;
  const py = (v) => y + h - ((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo || 1)) * h;
  const shapes = [{ kind: "rect", x: plot.x, y, w: plot.w, h, fill: "#fbfcfd" }];
  if (lo < 0 && hi > 0) shapes.push({ kind: "line", points: [[plot.x, py(0)], [plot.x + plot.w, py(0)]], stroke: "#c3cad5", width: 1 });
  const T = sizes.T;
  for (let j = 0; j < Math.min(trace.x[0].length, MAX_LINES); j += 1) {
    const values = column(trace.x, j);
    const steps = plot.w / T >= 1 ? Array.from({ length: T }, (_, s) => s) : envelope(values, T, plot.w);
    const points = [];
    for (const s of steps) {
      const x0 = plot.x + (s / T) * plot.w;
      points.push([x0, py(values[s])], [x0 + plot.w / T, py(values[s])]);
    }
    shapes.push({ kind: "line", points, stroke: INPUT_COLOURS[j % INPUT_COLOURS.length], width: HAIRLINE, name: "x",
      dash: j % 2 ? [3, 2] : null });
  }
  return shapes;
}

// The axis's labels' font size, and an upper bound of a label's width at it: a wide (Hangul, CJK)
// character is an em, any other at most 0.65 em (no canvas is needed to lay out the axis).
const AXIS_FONT = 10.5;
function labelWidth(text) {
  let em = 0;
  for (const ch of text) em += ch.codePointAt(0) >= 0x1100 ? 1 : 0.65;
  return em * AXIS_FONT;
}

// The step axis's ticks, [{s, text}]: a model that reads text labels each with the token read there.
// A tick whose label would run into the axis title at the right end is left out (a narrow window).
function axisTicks(state, plot, T) {
  const every = tickStep(T, plot.w);
  const titleLeft = plot.x + plot.w - labelWidth(strings.charts.step) - 6;
  const ticks = [];
  for (let s = 0; s < T; s += every) {
    const text = stepLabel(state, s);
    if (stepX(plot, T, s) + labelWidth(text) / 2 <= titleLeft) ticks.push({ s, text });
  }
  return ticks;
}

function axisShapes(state, plot, y, T) {
  const shapes = [];
  for (const { s, text } of axisTicks(state, plot, T)) {
    const x = stepX(plot, T, s);
    shapes.push({ kind: "line", points: [[x, y], [x, y + 4]], stroke: BELT_EDGE, width: 1 });
    shapes.push({ kind: "text", x, y: y + 5, text, size: AXIS_FONT, color: MUTED, align: "center", baseline: "top" });
  }
  shapes.push({ kind: "text", x: plot.x + plot.w, y: y + 5, text: strings.charts.step, size: AXIS_FONT, color: MUTED,
    align: "right", baseline: "top" });
  return shapes;
}

// Steps from `veil` on covered (a lesson asks to predict one of them), with a "?" over them.
function veilShapes(plot, veil, T, bottom) {
  if (veil === null || veil >= T) return [];
  // From the middle of the last step shown: the lines' segments toward the hidden step start there.
  const x = stepX(plot, T, veil - 1) + 1;
  const w = plot.x + plot.w - x;
  return [
    { kind: "rect", x, y: 0, w, h: bottom, fill: VEIL },
    { kind: "text", x: x + w / 2, y: bottom / 2, text: "?", size: 22, color: MUTED, align: "center",
      baseline: "middle", weight: "bold" },
  ];
}

// Steps from `from` on faded, with a word that says so: the server is still rerunning them after a
// change (docs/protocol.md, A rerun in parts), and what they show is from before it.
function pendingShapes(plot, from, T, bottom) {
  if (from === null || from >= T) return [];
  const x = from > 0 ? stepX(plot, T, from - 1) + 1 : plot.x;
  const w = plot.x + plot.w - x;
  return [
    { kind: "rect", x, y: TOP, w, h: bottom - TOP, fill: PENDING },
    { kind: "text", x: x + w / 2, y: TOP + STRIP / 2, text: S.recomputing, size: 12, color: INK, align: "center",
      baseline: "middle", weight: "bold" },
  ];
}

function markerShapes(plot, t, T, top, bottom, veil = null, label = `t = ${t}`) {
  const x = stepX(plot, T, t);
  const w = Math.max(3, plot.w / T);
  const nearEnd = t > 0.8 * (T - 1);
  return [
    ...veilShapes(plot, veil, T, bottom),
    { kind: "rect", x: x - w / 2, y: top, w, h: bottom - top, fill: "rgba(242, 161, 95, 0.22)" },
    { kind: "line", points: [[x, top], [x, bottom]], stroke: STEP_MARK, width: 2 },
    { kind: "text", x: nearEnd ? x - 4 : x + 4, y: 2, text: label, size: 11, color: STEP_MARK,
      align: nearEnd ? "right" : "left", baseline: "top", weight: "bold" },
  ];
}

// The chart's text alternative: what it shows, and c_t of every lane at the current step.
// The words of an LSTM's belt (c_t, kept f⊙c_{t−1}, added i⊙g) or a GRU's (h_t, z⊙h_{t−1}, (1−z)⊙n).
const words = (gru) => (gru ? { what: S.whatGru, kept: S.keptGru, added: S.addedGru, tip: S.tipGru }
  : { what: S.what, kept: S.kept, added: S.added, tip: S.tip });

function summaryText(trace, units, T, t, belt) {
  const values = units.map((k) => format(strings.charts.value, { k, value: fixed4(trace[belt][t][k]) }));
  return plain(format(strings.charts.summaryUnits, { what: words(belt === "h").what, last: units[units.length - 1], T, t,
    values: values.join(", ") }));
}

// The legend beside the heading: the inputs' lines and what the bars are.
function legendHtml(state) {
  const item = (mark, text) => `<span class="key-item">${mark}${text}</span>`;
  const inputs = Array.from({ length: Math.min(state.sizes.D, MAX_LINES) }, (_, j) =>
    item(`<span class="key-line" data-j="${j}"></span>`, inputName(state.scenario, j)));
  const said = words(modelOf(state).belt === "h");
  return [...inputs, item('<span class="key-swatch key-kept"></span>', said.kept),
    item('<span class="key-swatch key-added"></span>', said.added), item('<span class="key-line key-c"></span>', said.what),
  ].join(" ");
}

// Options: el (#timeline), legend (its key), summary, onPick(step), toolbar (export buttons),
// page() → {units} (the lanes the belt shows), room() → px it may take (0: its own height),
// onResize().
export function createTimeline({ el, legend, summary, onPick, toolbar, page, room, onResize }) {
  const view = createCanvasView(el, { toolbar, name: "belt-over-time", onResize });
  const tip = document.createElement("div");
  tip.className = "view-tip";
  tip.hidden = true;
  el.append(tip);
  let drawn = null; // {plot, lanesY, laneH, units, T, state}
  let based = null; // {key, data, shapes()}: the base layer's shapes, and the columns they draw
  let legendKey = "";

  function stepAt(event) {
    if (!drawn) return null;
    const box = el.getBoundingClientRect();
    const x = event.clientX - box.left;
    const y = event.clientY - box.top;
    const { plot, T } = drawn;
    if (x < plot.x || x > plot.x + plot.w) return null;
    return { s: Math.min(T - 1, Math.max(0, Math.floor(((x - plot.x) / plot.w) * T))), x, y };
  }

  el.addEventListener("click", (event) => {
    const at = stepAt(event);
    if (at) onPick(at.s);
  });
  el.addEventListener("mousemove", (event) => {
    const at = stepAt(event);
    if (!at || (drawn.state.veil !== null && at.s >= drawn.state.veil)) {
      tip.hidden = true; // a step under the veil is not read out either
      return;
    }
    const { state, units, lanesY, laneH } = drawn;
    const n = Math.floor((at.y - lanesY) / (laneH + LANE_PAD));
    const { trace } = state;
    let html;
    if (n >= 0 && n < units.length && at.y >= lanesY) {
      const k = units[n];
      const belt = modelOf(state).belt;
      html = format(words(belt === "h").tip, { s: stepLabel(state, at.s), k, c: num(trace[belt][at.s][k], 4), kept: num(trace.kept[at.s][k], 4),
        added: signed(trace.added[at.s][k], 4) });
    } else {
      const values = Array.from({ length: Math.min(state.sizes.D, MAX_LINES) },
        (_, j) => `${inputName(state.scenario, j)} ${num(trace.x[at.s][j], 4)}`);
      html = format(S.tipInputs, { s: stepLabel(state, at.s), values: values.join(", ") });
    }
    tip.innerHTML = html;
    tip.hidden = false;
    const right = at.x > el.clientWidth / 2;
    tip.style.left = right ? "" : `${at.x + 12}px`;
    tip.style.right = right ? `${el.clientWidth - at.x + 12}px` : "";
    tip.style.top = `${Math.max(0, at.y - 30)}px`;
  });
  el.addEventListener("mouseleave", () => { tip.hidden = true; });

  return {
    render(state) {
      const { trace, sizes, t } = state;
      const { units } = page();
      const count = units.length;
      const space = room();
      const laneH = space > 0
        ? Math.max(LANE_MIN, Math.min(LANE_MAX, Math.floor((space - FIXED_HEIGHT) / count) - LANE_PAD))
        : 40;
      const width = view.width();
      const plot = { x: GUTTER, w: Math.max(40, width - GUTTER - RIGHT) };
      const T = sizes.T;
      const lanesY = TOP + STRIP + LANE_PAD;
      const height = lanesY + count * (laneH + LANE_PAD) + AXIS;
      const bottom = lanesY + count * (laneH + LANE_PAD) - LANE_PAD;
      // Everything but the step marker depends on the trace, the lanes and the size only: a step
      // repaints the marker over the same base.
      const key = `${state.sessions}|${state.revision}|${units}|${laneH}|${document.documentElement.lang}`;
      if (!based || based.key !== key) {
        const data = {};
        based = { key, data, shapes: () => baseShapes(state, units, plot, laneH, data, bottom) };
      }
      const mark = stepMarkLabel(state);
      const over = [...pendingShapes(plot, state.pendingFrom, T, bottom),
        ...markerShapes(plot, t, T, TOP, bottom, state.veil, mark)];
      view.drawOver(key, based.shapes, over, [], height);
      drawn = { plot, lanesY, laneH, units, T, state };
      el.drawn = { units, T, t, x: trace.x, columns: based.data, mark, plot, ticks: axisTicks(state, plot, T),
        pending: state.pendingFrom };
      const legendOf = `${state.scenario.name}|${sizes.D}|${state.scenario.input_names}|${modelOf(state).belt}|` +
        `${document.documentElement.lang}`;
      if (legendOf !== legendKey) {
        legend.innerHTML = legendHtml(state);
        legend.querySelectorAll(".key-line[data-j]").forEach((line) => {
          const j = Number(line.dataset.j);
          line.style.setProperty("--line", INPUT_COLOURS[j % INPUT_COLOURS.length]);
          line.classList.toggle("dashed", j % 2 === 1);
        });
        legendKey = legendOf;
      }
      describe(summary, summaryText(trace, units, T, t, modelOf(state).belt));
    },
    exportAs: (format) => view.exportAs(format),
  };
}

// The base of the belt over time: the inputs, every lane, the axis. `data` gets the columns drawn.
function baseShapes(state, units, plot, laneH, data, bottom) {
  const { trace, sizes } = state;
  const T = sizes.T;
  const lanesY = TOP + STRIP + LANE_PAD;
  const limit = Math.max(1, ...units.map((k) => Math.max(...column(trace.added, k).map(Math.abs))));
  const shapes = [...inputShapes(state, { ...plot, x: plot.x }, TOP, STRIP)];
  shapes.push({ kind: "text", x: GUTTER - 6, y: TOP + STRIP / 2, text: "x<sub>t</sub>", size: 12, color: INK,
    align: "right", baseline: "middle" });
  units.forEach((k, n) => {
    const y = lanesY + n * (laneH + LANE_PAD);
    const columns = { kept: column(trace.kept, k), added: column(trace.added, k), c: column(trace[modelOf(state).belt], k) };
    data[k] = columns;
    const lane = laneShapes(columns, plot, y, laneH, T, limit);
    shapes.push(...lane.shapes);
    shapes.push({ kind: "text", x: GUTTER - 6, y: y + laneH / 2, text: format(strings.charts.unit, { k }), size: 11.5,
      color: INK, align: "right", baseline: "middle" });
    const [lo, hi] = lane.range;
    shapes.push({ kind: "text", x: plot.x + plot.w + 4, y: y + 1, text: num(hi, 2), size: 10, color: MUTED,
      align: "left", baseline: "top" });
    if (lo < 0 && laneH >= 2 * 13) { // both ends only where their labels cannot meet
      shapes.push({ kind: "text", x: plot.x + plot.w + 4, y: y + laneH - 1, text: num(lo, 2), size: 10, color: MUTED,
        align: "left", baseline: "bottom" });
    }
  });
  shapes.push(...axisShapes(state, plot, bottom + 3, T));
  return shapes;
}
