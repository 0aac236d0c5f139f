// The cell's drawing that does not move: the belt band, branches, stations and their headers,
// the gauges (outlines on the static backdrop, fills redrawn each step), and the marks of clamps
// and of the walk-through's current move.

import { BELT, BELT_EDGE, DIM_TEXT, INK, MUTED, STEP_MARK, sequential } from "../colors.js";
import { strings } from "../i18n/index.js";
import { WALK_STEPS } from "../state.js";
import { BAND, BRANCH, GAUGE_W, LANE, X } from "./belt-geometry.js";
import { FONT } from "./common.js";

const S = strings.belt;

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
export function gaugeTrace(fills) {
  return {
    type: "bar", orientation: "h", hoverinfo: "skip", showlegend: false,
    y: fills.map((q) => q.yc), base: fills.map((q) => q.xc - GAUGE_W / 2),
    x: fills.map((q) => GAUGE_W * Math.min(1, Math.max(0, q.value))), width: 2 * GAUGE_H,
    marker: { color: fills.map((q) => sequential(q.value)), opacity: fills.map((q) => (q.dim ? 0.3 : 1)),
      line: { width: 0 } },
  };
}

// The three gauges of one lane whose belt runs at height y, for gaugeTrace().
export function laneGauges(v, y, walk) {
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

// The x range (chart units) of move n's highlight box.
export function walkRange(n) {
  return WALK_REGION[n - 1].x;
}

// The walk-through's highlight box around what move n involves in one lane.
function walkBox(n, y) {
  const { x, y: dy } = WALK_REGION[n - 1];
  return { type: "rect", name: `walk-${WALK_STEPS[n - 1]}`, x0: x[0], x1: x[1], y0: y + dy[0], y1: y + dy[1],
    fillcolor: "rgba(242, 161, 95, 0.13)", line: { color: STEP_MARK, width: 1.5 }, layer: "below" };
}

// The static frame of one lane: belt band, chute, riser, output branch, the gauges' outlines, and
// the marks of clamps and of the walk-through's move (none of them depends on the step's numbers).
export function laneShapes(y, k, clamped, walk) {
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
export function headers(top) {
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
export function stationTrace(lanes, walk) {
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
export function exitTrace(lanes) {
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

