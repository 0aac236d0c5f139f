// The hero view: the LSTM cell at step t, drawn as the classic diagram laid out as a conveyor
// belt. One lane per unit. Along the thick belt only a × (forget gate) and a + (input gate ⊙
// candidate) act; a thinner branch drops through tanh and × o to h_t.
//
// Stepping animates parcels along the lane. The numbers come from the trace; the only arithmetic
// here is geometry: where a parcel is at animation progress p, and how big it is drawn.

import {
  BELT, BELT_EDGE, DIM_TEXT, DIVERGING, INK, MUTED, SEQUENTIAL, STEP_MARK, diverging, sequential,
} from "../colors.js";
import { num, signed } from "../format.js";
import { format, plain, strings } from "../i18n/index.js";
import { WALK_STEPS } from "../state.js";
import { createBeltLabels, labelTrace, laneLabels } from "./belt-labels.js";
import { PARCEL_EDGE, TICK_COLOR, createMotionLayer } from "./belt-motion.js";
import { CONFIG, FONT, baseLayout, chartConfig, clampOf, describe, shownUnits, signedLimit } from "./common.js";

const S = strings.belt;

// x positions of the stations along a lane (data units; the axis spans 0..X_MAX).
const X = {
  label: 0.05,
  beltStart: 0.95,
  cPrev: 1.45,
  forget: 3.05,
  kept: 4.2,
  add: 5.35,
  c: 6.85,
  tanh: 8.25,
  out: 9.65,
  h: 11.0,
  beltEnd: 12.15,
};
const X_MAX = 12.6;
const LANE = 1.55; // vertical distance between lanes (data units)
const BRANCH = -0.66; // the output branch and the input riser, below the belt
const BAND = 0.085; // half thickness of the belt band
const GAUGE_W = 0.9;
const MAX_PARCEL = 34; // px diameter of a parcel with |value| = the scale's limit
const MIN_PARCEL = 3; // a zero still shows where the parcel is
const TICK_GAP = 0.35; // spacing of the belt's surface marks, which move while it runs

// Animation phases (fractions of one step's duration), in the order of the concept source:
// ride to ×, forget, ride to + while i·g rises, merge, ride to c_t, then the output copy.
const PHASE = {
  toForget: [0.0, 0.18],
  drop: [0.18, 0.36],
  toAdd: [0.22, 0.48],
  rise: [0.26, 0.48],
  merge: [0.48, 0.56],
  toC: [0.56, 0.7],
  down: [0.7, 0.78],
  toTanh: [0.78, 0.86],
  toOut: [0.86, 0.93],
  toH: [0.93, 1.0],
  lead: 0.06, // the added parcel appears this much before it starts to rise
};

// The walk-through plays one move at a time, so its phases do not overlap: each move's parcels
// finish before the next move's start. WALK_SPAN[n − 1] is the stretch of p that move n plays.
const WALK_PHASE = {
  toForget: [0.0, 0.08],
  drop: [0.08, 0.2],
  toKept: [0.12, 0.2], // after the drop, kept rides clear of the × station
  toAdd: [0.2, 0.32],
  rise: [0.2, 0.32],
  merge: [0.34, 0.42],
  toC: [0.42, 0.5],
  down: [0.5, 0.6],
  toTanh: [0.6, 0.7],
  toOut: [0.7, 0.8],
  toH: [0.8, 0.9],
  pass: [0.9, 1.0], // c_t and h_t ride off towards step t+1
  lead: 0,
};
const WALK_SPAN = [[0, 0.2], [0.2, 0.34], [0.34, 0.5], [0.5, 0.9], [0.9, 1.0]];
// A move of the walk-through plays a little slower than a whole step does.
const WALK_SLOWDOWN = 1.25;
// After an animation ends, the parcels wait this long on the motion layer before the base chart
// takes them back: long enough for the next step of a playback to arrive first.
const SETTLE_MS = 120;

// What each move involves, per lane: the region the highlight box covers (x and y relative to
// the lane's belt), and which labels, stations and gauges stay in full ink.
const WALK_REGION = [
  // The boxes of neighbouring lanes never meet: none spans more than LANE.
  { x: [0.98, 4.95], y: [-0.68, 0.6] }, // forget: c_{t−1}, × f, kept, forgotten
  { x: [4.68, 6.72], y: [-0.88, 0.6] }, // input: i, g, added
  { x: [3.72, 7.35], y: [-0.45, 0.58] }, // update: kept + added → c_t
  { x: [6.3, 11.95], y: [-1.04, 0.5] }, // output: c_t, tanh, × o, h_t
  { x: [10.45, 12.5], y: [-1.04, 0.4] }, // pass on: c_t and h_t leave the cell
];
const DIM = "rgba(29, 36, 51, 0.28)"; // stations of the other moves (the labels use DIM_TEXT)
const CLAMP = STEP_MARK; // the accent colour marks what the learner forced

function laneHeightPx(lanes) {
  if (lanes <= 4) return 140;
  return lanes <= 8 ? 130 : 112;
}

function lerp(a, b, u) {
  return a + (b - a) * u;
}

// Progress through one phase, eased so parcels start and stop gently.
function phase(p, [a, b]) {
  const u = Math.min(1, Math.max(0, (p - a) / (b - a)));
  return u * u * (3 - 2 * u);
}

function parcelSize(value, limit) {
  return Math.max(MIN_PARCEL, (MAX_PARCEL * Math.abs(value)) / limit);
}

// The numbers of one lane at step t, by name.
function laneValues(trace, t, k) {
  const names = ["c_prev", "f", "kept", "forgotten", "i", "g", "added", "c", "tanh_c", "o", "h"];
  return Object.fromEntries(names.map((name) => [name, trace[name][t][k]]));
}

// Where each parcel of one lane is at progress p (1 = at rest: the step fully played), on the
// schedule `ph` (PHASE, or WALK_PHASE for the walk-through). Returns [{x, y, value, opacity, what, grow}],
// `what` naming the parcel's quantity (a key of the catalogue's quantities).
function parcels(v, y, p, ph) {
  const out = [];
  const add = (x, yy, value, opacity, what, grow = null) => out.push({ x, y: yy, value, opacity, what, grow });
  const ghost = 0.32;

  // The main parcel: c_{t-1} rides to ×, continues as `kept`, merges with `added` into c_t.
  const toForget = phase(p, ph.toForget);
  const toAdd = phase(p, ph.toAdd);
  const merge = phase(p, ph.merge);
  const toC = phase(p, ph.toC);
  if (p > 0.02) add(X.cPrev, y, v.c_prev, ghost, "c_prev");
  if (p < ph.drop[0]) {
    add(lerp(X.cPrev, X.forget, toForget), y, v.c_prev, 1, "c_prev");
  } else if (p < ph.merge[0]) {
    // The walk-through parks kept between × and + at the end of the forget move.
    const x = ph.toKept && toAdd === 0 ? lerp(X.forget, X.kept, phase(p, ph.toKept))
      : lerp(ph.toKept ? X.kept : X.forget, X.add, toAdd);
    add(x, y, v.kept, 1, "kept");
  } else {
    // While merging, the parcel grows from kept's size to c_t's (a tween of pixels, not of values).
    const grow = { from: v.kept, u: merge };
    const pass = ph.pass ? phase(p, ph.pass) : 0;
    const x = pass > 0 ? lerp(X.c, X.beltEnd, pass) : lerp(X.add, X.c, toC);
    add(x, y, v.c, 1, "c", merge < 1 ? grow : null);
  }
  if (p >= ph.merge[0]) add(X.kept, y, v.kept, ghost, "kept");

  // What the × station takes off drops down a chute and fades, but leaves a faint trace.
  if (p >= ph.drop[0]) {
    const drop = phase(p, ph.drop);
    add(lerp(X.forget, X.forget + 0.38, drop), lerp(y, y + BRANCH * 0.78, drop), v.forgotten,
      lerp(1, ghost, drop), "forgotten");
  }

  // What the + station puts on rises from below and joins the belt.
  if (p > ph.rise[0] - ph.lead && p < ph.merge[1]) {
    const rise = phase(p, ph.rise);
    const appear = ph.lead > 0 ? Math.min(1, (p - (ph.rise[0] - ph.lead)) / ph.lead) : 1;
    add(X.add, lerp(y + BRANCH, y, rise), v.added, appear * (1 - merge), "added");
  }
  if (p >= ph.merge[1]) add(X.add, y + BRANCH * 0.55, v.added, ghost, "added");

  // A copy of c_t drops through tanh and × o to become h_t.
  if (p >= ph.down[0]) {
    const down = phase(p, ph.down);
    const toTanh = phase(p, ph.toTanh);
    const toOut = phase(p, ph.toOut);
    const toH = phase(p, ph.toH);
    if (p < ph.toTanh[0]) add(X.c, lerp(y, y + BRANCH, down), v.c, 1, "c");
    else if (p < ph.toOut[0]) add(lerp(X.c, X.tanh, toTanh), y + BRANCH, v.c, 1, "c");
    else if (p < ph.toH[0]) add(lerp(X.tanh, X.out, toOut), y + BRANCH, v.tanh_c, 1, "tanh_c");
    else {
      const pass = ph.pass ? phase(p, ph.pass) : 0;
      add(lerp(X.out, X.h, toH) + pass * 0.7, y + BRANCH, v.h, 1, "h");
    }
    if (ph.pass && p > ph.pass[0]) add(X.c, y, v.c, ghost, "c");
    if (p >= ph.toOut[1]) add(lerp(X.tanh, X.out, 0.5), y + BRANCH, v.tanh_c, ghost, "tanh_c");
  }
  return out;
}

// A 0..1 gauge: an outlined bar filled to the gate's opening, on the sequential scale. The outline
// is a shape of the static frame; the fill, which changes every step, is a bar of gaugeTrace().
// A clamped gate's gauge is framed in the accent colour, dashed (the shape is named
// clamp-<gate>-<unit>).
const GAUGE_H = 0.055; // half height

function gaugeFrame(xc, yc, { dim = false, clamp = null } = {}) {
  const x0 = xc - GAUGE_W / 2;
  const shapes = [
    { type: "rect", x0, x1: x0 + GAUGE_W, y0: yc - GAUGE_H, y1: yc + GAUGE_H, line: { color: MUTED, width: 1 },
      fillcolor: "#ffffff", layer: "below", opacity: dim ? 0.3 : 1 },
  ];
  if (clamp) {
    shapes.push({ type: "rect", name: clamp, x0: x0 - 0.05, x1: x0 + GAUGE_W + 0.05, y0: yc - GAUGE_H - 0.04,
      y1: yc + GAUGE_H + 0.04, line: { color: CLAMP, width: 2, dash: "dot" }, fillcolor: "rgba(0,0,0,0)" });
  }
  return shapes;
}

// The gauges' fills, one horizontal bar each: [{xc, yc, value, dim}] → one trace.
function gaugeTrace(fills) {
  return {
    type: "bar", orientation: "h", hoverinfo: "skip", showlegend: false,
    y: fills.map((q) => q.yc), base: fills.map((q) => q.xc - GAUGE_W / 2),
    x: fills.map((q) => GAUGE_W * Math.min(1, Math.max(0, q.value))), width: 2 * GAUGE_H,
    marker: { color: fills.map((q) => sequential(q.value)), opacity: fills.map((q) => (q.dim ? 0.3 : 1)),
      line: { width: 0 } },
  };
}

// The three gauges of one lane whose belt runs at height y, for gaugeTrace().
function laneGauges(v, y, walk) {
  const dim = (moves) => Boolean(walk) && !moves.includes(walk);
  return [
    { xc: X.forget, yc: y + 0.3, value: v.f, dim: dim([1]) },
    { xc: X.add, yc: y + 0.3, value: v.i, dim: dim([2]) },
    { xc: X.out, yc: y + BRANCH + 0.3, value: v.o, dim: dim([4]) },
  ];
}

// The clamp marker of the candidate g (it has no gauge): a dashed frame around the foot of the
// + station's riser, just above g's label.
function candidateClamp(y, k) {
  return { type: "rect", name: `clamp-g-${k}`, x0: X.add - 0.16, x1: X.add + 0.16, y0: y + BRANCH + 0.02,
    y1: y + BRANCH + 0.3, line: { color: CLAMP, width: 2, dash: "dot" }, fillcolor: "rgba(0,0,0,0)" };
}

// The walk-through's highlight box around what move n involves in one lane.
function walkBox(n, y) {
  const { x, y: dy } = WALK_REGION[n - 1];
  return { type: "rect", name: `walk-${WALK_STEPS[n - 1]}`, x0: x[0], x1: x[1], y0: y + dy[0], y1: y + dy[1],
    fillcolor: "rgba(242, 161, 95, 0.13)", line: { color: STEP_MARK, width: 1.5 }, layer: "below" };
}

// The static frame of one lane: belt band, chute, riser, output branch, the gauges' outlines, and
// the marks of clamps and of the walk-through's move (none of them depends on the step's numbers).
function laneShapes(y, k, clamped, walk) {
  const dim = (moves) => Boolean(walk) && !moves.includes(walk);
  const line = (x0, y0, x1, y1, color, width, dash = "solid") => ({
    type: "line", x0, y0, x1, y1, line: { color, width, dash }, layer: "below",
  });
  return [
    ...(walk ? [walkBox(walk, y)] : []), // first, so the belt and the gauges lie on top of it
    { type: "rect", x0: X.beltStart, x1: X.beltEnd, y0: y - BAND, y1: y + BAND, fillcolor: BELT,
      line: { color: BELT_EDGE, width: 1.5 }, layer: "below" },
    line(X.forget, y, X.forget + 0.38, y + BRANCH * 0.78, BELT_EDGE, 1.5, "dot"),
    line(X.add, y + BRANCH, X.add, y, MUTED, 2),
    line(X.c, y, X.c, y + BRANCH, MUTED, 3),
    line(X.c, y + BRANCH, X.h + 0.7, y + BRANCH, MUTED, 3),
    ...gaugeFrame(X.forget, y + 0.3, { dim: dim([1]), clamp: clamped.f ? `clamp-f-${k}` : null }),
    ...gaugeFrame(X.add, y + 0.3, { dim: dim([2]), clamp: clamped.i ? `clamp-i-${k}` : null }),
    ...gaugeFrame(X.out, y + BRANCH + 0.3, { dim: dim([4]), clamp: clamped.o ? `clamp-o-${k}` : null }),
    ...(clamped.g ? [candidateClamp(y, k)] : []),
  ];
}

// Headers over the first lane name the stations (the legend of the diagram).
function headers(top) {
  const head = (x, text) => ({ x, y: top, text, showarrow: false, yanchor: "bottom",
    font: { ...FONT, size: 13, color: INK } });
  return [
    head(X.cPrev, S.cPrevIn),
    head(X.forget, S.forget),
    head(X.add, S.input),
    head(X.c, "c<sub>t</sub>"),
    head(X.tanh, "<b>tanh</b>"),
    head(X.out, S.output),
    head(X.h, S.hOut),
    head(X.beltEnd, S.next),
  ];
}

// The stations (× f, + i·g, tanh, × o); during the walk-through those the move does not
// involve are drawn faint.
function stationTrace(lanes, walk) {
  const xs = [];
  const ys = [];
  const text = [];
  const symbols = [];
  const ink = [];
  const textInk = [];
  for (let k = 0; k < lanes; k += 1) {
    const y = -k * LANE;
    for (const [x, yy, label, symbol, moves] of [
      [X.forget, y, "×", "circle", [1]],
      [X.add, y, "+", "circle", [2, 3]],
      [X.tanh, y + BRANCH, "tanh", "square", [4]],
      [X.out, y + BRANCH, "×", "circle", [4]],
    ]) {
      xs.push(x);
      ys.push(yy);
      text.push(label);
      symbols.push(symbol);
      const dimmed = Boolean(walk) && !moves.includes(walk);
      ink.push(dimmed ? DIM : INK);
      textInk.push(dimmed ? DIM_TEXT : INK); // a symbol is text: it keeps 4.5:1 even when set back
    }
  }
  return {
    type: "scatter", mode: "markers+text", x: xs, y: ys, text, hoverinfo: "skip",
    textfont: { ...FONT, size: 15, color: textInk }, textposition: "middle center",
    marker: { size: text.map((s) => (s === "tanh" ? 40 : 30)), symbol: symbols, color: "#ffffff",
      line: { color: ink, width: 2 } },
    cliponaxis: false, showlegend: false,
  };
}

// Arrow heads where the belt and the h branch leave the cell: both are passed on to step t+1.
function exitTrace(lanes) {
  const xs = [];
  const ys = [];
  for (let k = 0; k < lanes; k += 1) {
    xs.push(X.beltEnd + 0.12, X.h + 0.78);
    ys.push(-k * LANE, -k * LANE + BRANCH);
  }
  return { type: "scatter", mode: "markers", x: xs, y: ys, hoverinfo: "skip", showlegend: false,
    cliponaxis: false, marker: { symbol: "triangle-right", size: xs.map((_, n) => (n % 2 ? 11 : 16)),
      color: xs.map((_, n) => (n % 2 ? MUTED : BELT_EDGE)) } };
}

// Marks on the belt surface, [x, y0, y1] each; shifting them with p makes the belt visibly run.
function tickMarks(lanes, p) {
  const marks = [];
  const shift = (p * (X.c - X.cPrev)) % TICK_GAP;
  for (let k = 0; k < lanes; k += 1) {
    const y = -k * LANE;
    for (let x = X.beltStart + 0.08 + shift; x < X.beltEnd - 0.05; x += TICK_GAP) {
      // No marks under the × and + stations: the motion layer lies on top of them.
      if (Math.abs(x - X.forget) < 0.2 || Math.abs(x - X.add) < 0.2) continue;
      marks.push([x, y - BAND * 0.85, y + BAND * 0.85]);
    }
  }
  return marks;
}

function tickTrace(marks) {
  return { type: "scatter", mode: "lines", x: marks.flatMap(([x]) => [x, x, null]),
    y: marks.flatMap(([, y0, y1]) => [y0, y1, null]), hoverinfo: "skip", showlegend: false,
    line: { color: TICK_COLOR, width: 2 } };
}

// Every lane's parcels at progress p, each with its drawn size (px) and colour.
function parcelList(scene, p) {
  const list = [];
  const { limit } = scene;
  scene.values.forEach((v, k) => {
    for (const q of parcels(v, -k * LANE, p, scene.phases)) {
      const size = q.grow ? lerp(parcelSize(q.grow.from, limit), parcelSize(q.value, limit), q.grow.u)
        : parcelSize(q.value, limit);
      list.push({ ...q, unit: k, size, color: diverging(q.value, limit) });
    }
  });
  return list;
}

function parcelTrace(list) {
  return {
    type: "scatter", mode: "markers", showlegend: false,
    x: list.map((q) => q.x), y: list.map((q) => q.y),
    hovertext: list.map((q) => format(S.parcel,
      { k: q.unit, what: strings.quantities[q.what].label, value: num(q.value, 4) })),
    hoverinfo: "text",
    marker: {
      size: list.map((q) => q.size),
      color: list.map((q) => q.color),
      opacity: list.map((q) => q.opacity),
      line: { color: PARCEL_EDGE, width: 1 },
    },
  };
}

// The colour keys under the chart (HTML, not a Plotly colour bar: a colour bar would redraw on
// every animation frame and shift the plot area, which the motion layer must match exactly).
function paintKeys(keys, limit) {
  const gradient = (scale) => `linear-gradient(to right, ${scale.map(([at, c]) => `${c} ${at * 100}%`).join(", ")})`;
  keys.style.setProperty("--diverging", gradient(DIVERGING));
  keys.style.setProperty("--sequential", gradient(SEQUENTIAL));
  keys.querySelector("[data-key='lo']").textContent = num(-limit, limit === 1 ? 0 : 2);
  keys.querySelector("[data-key='hi']").textContent = `+${num(limit, limit === 1 ? 0 : 2)}`;
}

// The plot area every layer shares (the base chart, the motion layer, the labels): margins in px
// and the axis ranges in data units.
function frameOf(lanes) {
  const top = 0.72;
  return {
    margin: { l: 16, r: 16, t: 30, b: 8 }, // the top margin keeps the toolbar off the headers
    x: [-0.05, X_MAX],
    y: [-(lanes - 1) * LANE + BRANCH - 0.5, top + 0.3],
  };
}

// The base chart's layout; the motion layer and the labels map frameOf() the same way.
function frameLayout(lanes, extra) {
  const frame = frameOf(lanes);
  return baseLayout({
    height: lanes * laneHeightPx(lanes) + 62,
    margin: frame.margin,
    showlegend: false,
    xaxis: { range: frame.x, visible: false, fixedrange: true },
    yaxis: { range: frame.y, visible: false, fixedrange: true },
    plot_bgcolor: "rgba(0,0,0,0)",
    ...extra,
  });
}

// The parcels at rest on the base chart (hover, export): belt surface marks and parcels at p.
function movingTraces(scene, p) {
  return [tickTrace(tickMarks(scene.lanes, p)), parcelTrace(parcelList(scene, p))];
}

// The chart's text alternative: the step and every lane's numbers, as the labels show them.
function summaryText(scene, t, last) {
  const lanes = scene.values.map((v, k) => format(S.lane, {
    k, c_prev: num(v.c_prev, 3), f: num(v.f, 3), kept: num(v.kept, 3), i: num(v.i, 3), g: num(v.g, 3),
    added: signed(v.added, 3), c: num(v.c, 3), o: num(v.o, 3), h: num(v.h, 3),
  }));
  return plain(format(S.summary, { t, last, units: scene.lanes, lanes: lanes.join(" ") }));
}

// The belt is four layers, bottom to top: `backdropEl`, a static chart of everything that does
// not change with the step's numbers (belt bands, branches, stations, gauge outlines, clamp and
// walk-through marks, the stations' headers), redrawn only when those change; `el` (#belt), the
// chart that does (gauge fills, and at rest the parcels, with their hover and the toolbar);
// `motion`, a canvas carrying the parcels while a step plays; and `labelLayer`, the numbers as
// HTML. Redrawing a few traces per step is cheap; redrawing every shape and label was not.
// `summary` holds the chart's text alternative.
export function createBelt({ el, backdropEl, motion, labelLayer, keys, note, summary }) {
  // What is drawn and the running animation; private to this view instance.
  let scene = null; // {values, lanes, limit, layout, backdrop, fixed, statics, texts, frame}
  let anim = null; // {start, duration, raf}
  let backdropDrawn = ""; // the backdrop's layout (and language) as last drawn
  const labels = createBeltLabels(labelLayer);
  const motionLayer = createMotionLayer(motion);

  // The figure as a picture: every layer in one chart, the labels as a text trace, parcels at rest.
  function figure() {
    const traces = [...scene.fixed, ...scene.statics, ...movingTraces(scene, scene.rest),
      labelTrace(scene.texts, scene.walk)];
    const annotations = [...scene.backdrop.annotations, ...scene.layout.annotations];
    return { data: traces, layout: { ...scene.layout, shapes: scene.backdrop.shapes, annotations } };
  }

  // The toolbar's PNG and SVG buttons save figure(): on the page the belt is several layers.
  const save = (format) => () =>
    Plotly.downloadImage(figure(), { format, filename: "belt", ...(format === "png" ? { scale: 2 } : {}) });
  const pngTitle = () => strings.plotly["Download plot as a PNG"] || "Download plot as a PNG";
  const toolbar = {
    modeBarButtonsToRemove: [...CONFIG.modeBarButtonsToRemove, "toImage", "toSVG"],
    modeBarButtonsToAdd: [
      { name: "beltPNG", get title() { return pngTitle(); }, icon: Plotly.Icons.camera, click: save("png") },
      { name: "beltSVG", get title() { return strings.files.svg; }, icon: Plotly.Icons.disk, click: save("svg") },
    ],
  };
  // The same config object while the language stays: a new one makes Plotly rebuild the toolbar.
  let configured = null; // {lang, config}
  function config() {
    const lang = document.documentElement.lang;
    if (!configured || configured.lang !== lang) configured = { lang, config: chartConfig(toolbar) };
    return configured.config;
  }

  function drawBackdrop() {
    const drawn = JSON.stringify([scene.backdrop, scene.fixed]) + document.documentElement.lang;
    if (drawn === backdropDrawn) return null;
    backdropDrawn = drawn;
    return Plotly.react(backdropEl, scene.fixed, scene.backdrop, { staticPlot: true });
  }

  function drawBase(withParcels) {
    const moving = withParcels ? movingTraces(scene, scene.rest) : [];
    labels.render(scene.texts, scene.walk, scene.frame);
    return Promise.all([drawBackdrop(), Plotly.react(el, [...scene.statics, ...moving], scene.layout, config())]);
  }

  // The motion layer at progress p; null clears it (the base chart then holds the parcels).
  function drawMotion(p) {
    if (p === null) motionLayer.clear();
    else motionLayer.draw(tickMarks(scene.lanes, p), parcelList(scene, p), scene.frame);
  }

  let settle = 0; // the pending hand-back of the parcels to the base chart

  function frame(now) {
    const u = Math.min(1, (now - anim.start) / anim.duration);
    drawMotion(lerp(anim.from, scene.rest, u));
    if (u < 1) {
      anim.raf = requestAnimationFrame(frame);
      return;
    }
    anim = null;
    // Hand the parcels back to the base chart (hover, PNG export) and clear the motion layer, once
    // no next step follows at once: while playing, the next step redraws the base anyway, and
    // redrawing it twice per step (every label) is what made playback stutter.
    settle = window.setTimeout(() => {
      settle = 0;
      drawBase(true);
      drawMotion(null);
    }, SETTLE_MS);
  }

  function stop() {
    if (anim) cancelAnimationFrame(anim.raf);
    anim = null;
    window.clearTimeout(settle);
    settle = 0;
  }

  function build(state) {
    const { trace, t, sizes, knobs, walk } = state;
    const lanes = shownUnits(sizes.H);
    const values = Array.from({ length: lanes }, (_, k) => laneValues(trace, t, k));
    const limit = signedLimit(trace, lanes);
    const shapes = [];
    const texts = [];
    const fills = [];
    values.forEach((v, k) => {
      const clamped = Object.fromEntries(["i", "f", "g", "o"].map((q) => [q, clampOf(knobs, q, k) !== null]));
      shapes.push(...laneShapes(-k * LANE, k, clamped, walk));
      texts.push(...laneLabels(v, -k * LANE, k, clamped, { X, BRANCH }));
      fills.push(...laneGauges(v, -k * LANE, walk));
    });
    // The frame changes only with the lanes, the clamps, the walk-through's move and the language;
    // the chart on top of it changes every step, and redraws no shape.
    const backdrop = frameLayout(lanes, { shapes, annotations: headers(0.72) });
    const layout = frameLayout(lanes, {
      uirevision: "belt",
      hovermode: "closest",
      // The step in the chart itself too, so an exported PNG says which step it shows.
      // It sits a row above the stations' headers, so a narrow chart (or a longer word in another
      // language) never runs it into "c_{t−1} in".
      annotations: [{ x: X.label, y: 0.98, yanchor: "bottom", xanchor: "left",
        showarrow: false, text: format(S.stepTitle, { t, last: sizes.T - 1 }), font: { ...FONT, size: 13 } }],
    });
    // Walking, the parcels rest where the current move leaves them; else where the step ends.
    const phases = walk ? WALK_PHASE : PHASE;
    const span = walk ? WALK_SPAN[walk - 1] : [0, 1];
    return { values, lanes, limit, layout, backdrop, walk, phases, from: span[0], rest: span[1],
      texts, frame: frameOf(lanes), fixed: [stationTrace(lanes, walk), exitTrace(lanes)], statics: [gaugeTrace(fills)] };
  }

  return {
    // Draws step state.t; animates the step's flow (or, walking, the current move) when asked.
    render(state, { animate = false, duration = 800 } = {}) {
      scene = build(state);
      const H = state.sizes.H;
      note.hidden = H <= scene.lanes;
      note.textContent = format(S.note, { last: scene.lanes - 1, H });
      describe(summary, summaryText(scene, state.t, state.sizes.T - 1));
      paintKeys(keys, scene.limit);
      el.dataset.walk = scene.walk ? WALK_STEPS[scene.walk - 1] : "";
      if (animate && duration > 0) {
        // A new step (or move) interrupts a running animation and starts its own.
        stop();
        const length = scene.walk ? duration * WALK_SLOWDOWN : duration;
        anim = { start: performance.now(), duration: length, from: scene.from, walk: scene.walk, raf: 0 };
        anim.raf = requestAnimationFrame(frame);
        drawMotion(scene.from);
        return drawBase(false);
      }
      // Entering or leaving the walk-through ends a running animation; it would play other phases.
      if (anim && anim.walk !== scene.walk) stop();
      // Same step, new numbers: a running animation carries on with them; else draw at rest.
      if (anim) return drawBase(false);
      window.clearTimeout(settle); // this draw hands the parcels back itself
      settle = 0;
      drawMotion(null);
      return drawBase(true);
    },
    stop,
  };
}
