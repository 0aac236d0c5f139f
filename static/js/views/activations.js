// Where the selected unit's gates sit on their activation curves at the current step: σ with
// the points (z, value) of i, f and o; tanh with the candidate g and with c_t (tanh(c_t)). The
// curves are the server's samples (snapshot `curves`) and every point's y is a trace value, so a
// point lies on its curve only because the server computed both. A point whose z lies beyond
// the sampled range sits at the edge with "→ z"; a clamped gate sits off its curve, hollow.

import { DIM_TEXT, INK, MUTED, diverging, sequential } from "../colors.js";
import { num } from "../format.js";
import { format, plain, strings } from "../i18n/index.js";
import { modelOf } from "../models.js";
import { FONT, SMALL_FONT, baseLayout, chartConfig, clampOf, describe, react } from "./common.js";

const S = strings.activations;

// The saturated ends of both curves are shaded from |z| = SATURATED outwards.
const SATURATED = 4;
const CURVE = "#5b6478";
const HIGHLIGHT = "#b3470b";

// The points: which curve (axis), where z and y come from, how it is drawn, and the moves of the
// walk-through that involve it.
const POINTS = [
  { id: "f", name: "f", axis: 1, z: "pre_f", y: "f", gate: true, symbol: "circle", text: "top left", moves: [1] },
  { id: "i", name: "i", axis: 1, z: "pre_i", y: "i", gate: true, symbol: "square", text: "bottom right", moves: [2] },
  { id: "o", name: "o", axis: 1, z: "pre_o", y: "o", gate: true, symbol: "diamond", text: "top right", moves: [4] },
  { id: "g", name: "g", axis: 2, z: "pre_g", y: "g", gate: true, symbol: "triangle-up", text: "top left", moves: [2] },
  { id: "c", name: null, axis: 2, z: "c", y: "tanh_c", gate: false, symbol: "star", text: "bottom right",
    moves: [4] },
];
// A GRU's: r and z on σ, the candidate n on tanh (its moves: 1 reset, 2 keep, 3 write).
const GRU_POINTS = [
  { id: "r", name: "r", axis: 1, z: "pre_r", y: "r", gate: true, symbol: "circle", text: "top left", moves: [1] },
  { id: "z", name: "z", axis: 1, z: "pre_z", y: "z", gate: true, symbol: "square", text: "bottom right", moves: [2, 3] },
  { id: "n", name: "n", axis: 2, z: "pre_n", y: "n", gate: true, symbol: "triangle-up", text: "top left", moves: [1, 3] },
];
const pointsOf = (state) => (modelOf(state).belt === "h" ? GRU_POINTS : POINTS);

// A point's name (c_t's from the catalogue).
function nameOf(point) {
  return point.name ?? S.cLabel;
}

function pointTrace(point, state, limit) {
  const { trace, t, eqUnit, knobs, walk } = state;
  const z = trace[point.z][t][eqUnit];
  const y = trace[point.y][t][eqUnit];
  const name = nameOf(point);
  const clamp = point.gate ? clampOf(knobs, point.id, eqUnit) : null;
  // Layout only: beyond the sampled range the point is drawn at the edge, its z written beside it.
  const beyond = Math.abs(z) > limit;
  const x = beyond ? Math.sign(z) * limit : z;
  let label = name;
  if (beyond) label = z > 0 ? `${name} → ${num(z, 1)}` : `${num(z, 1)} ← ${name}`;
  if (clamp !== null) label += ` (${S.clamped})`;
  const involved = Boolean(walk) && point.moves.includes(walk);
  const dimmed = Boolean(walk) && !involved;
  const colour = point.axis === 1 ? sequential(y) : diverging(y, 1);
  const symbol = beyond ? (z > 0 ? "triangle-right" : "triangle-left") : point.symbol;
  const hover = format(clamp === null ? S.hover : S.hoverClamped,
    { name, z: num(z, 4), value: num(y, 4) });
  return {
    type: "scatter", mode: "markers+text", uid: `point-${point.id}`, name: point.id,
    x: [x], y: [y], customdata: [z], text: [label], textposition: point.text,
    xaxis: point.axis === 1 ? "x" : "x2", yaxis: point.axis === 1 ? "y" : "y2",
    cliponaxis: false, showlegend: false, hovertext: [hover], hoverinfo: "text",
    textfont: { ...FONT, size: involved ? 14 : 12, color: dimmed ? DIM_TEXT : INK },
    marker: {
      symbol: clamp !== null ? `${symbol}-open` : symbol,
      size: involved ? 17 : 12,
      color: clamp !== null ? HIGHLIGHT : colour,
      opacity: dimmed ? 0.35 : 1,
      line: { color: involved ? HIGHLIGHT : INK, width: involved ? 3 : 1.5 },
    },
  };
}

function curveTrace(curves, key, axis) {
  return {
    type: "scatter", mode: "lines", uid: `curve-${key}`, name: key, x: curves.z, y: curves[key],
    xaxis: axis === 1 ? "x" : "x2", yaxis: axis === 1 ? "y" : "y2", hoverinfo: "skip", showlegend: false,
    line: { color: CURVE, width: 2 },
  };
}

// Light bands over the saturated ends of one panel, where the curve is flat.
function saturation(axis, limit, [y0, y1]) {
  const xref = axis === 1 ? "x" : "x2";
  const yref = axis === 1 ? "y" : "y2";
  const band = (a, b) => ({ type: "rect", xref, yref, x0: a, x1: b, y0, y1, layer: "below",
    fillcolor: "rgba(91, 100, 120, 0.08)", line: { width: 0 } });
  return [band(-limit - 0.6, -SATURATED), band(SATURATED, limit + 0.6)];
}

// The chart's text alternative: where each point sits (z and value, as the hover says them).
function summaryText(state) {
  const { trace, t, eqUnit } = state;
  const points = pointsOf(state).map((point) => format(S.point, {
    name: nameOf(point), z: num(trace[point.z][t][eqUnit], 4), value: num(trace[point.y][t][eqUnit], 4),
  }));
  return plain(format(S.summary, { k: eqUnit, t, points: points.join("; ") }));
}

export function createActivations(el, summary) {
  return {
    render(state) {
      if (!state.curves) return Promise.resolve();
      describe(summary, summaryText(state));
      const { curves } = state;
      const gru = modelOf(state).belt === "h";
      const limit = Math.max(...curves.z.map(Math.abs));
      const sigmaRange = [-0.12, 1.12];
      const tanhRange = [-1.2, 1.2];
      const traces = [
        curveTrace(curves, "sigmoid", 1),
        curveTrace(curves, "tanh", 2),
        ...pointsOf(state).map((point) => pointTrace(point, state, limit)),
      ];
      const xaxis = (domain, anchor) => ({
        domain, anchor, range: [-limit - 0.6, limit + 0.6], zeroline: true, zerolinecolor: "#c3c9d3",
        gridcolor: "#edf0f4", tickfont: SMALL_FONT, dtick: 4, fixedrange: true,
        title: { text: S.z, font: SMALL_FONT, standoff: 2 },
      });
      const yaxis = (range, anchor, dtick) => ({
        range, anchor, zeroline: true, zerolinecolor: "#c3c9d3", gridcolor: "#edf0f4", tickfont: SMALL_FONT,
        dtick, fixedrange: true,
      });
      const title = (x, text) => ({ xref: "paper", yref: "paper", x, y: 1.02, yanchor: "bottom",
        xanchor: "left", showarrow: false, text, font: { ...FONT, size: 13 } });
      const satLabel = (xref, yref, y) => ({ xref, yref, x: limit - 1, y, showarrow: false, text: S.saturated,
        font: { ...SMALL_FONT, size: 10, color: MUTED } });
      const layout = baseLayout({
        height: 290,
        margin: { l: 40, r: 14, t: 30, b: 40 },
        uirevision: "activations",
        hovermode: "closest",
        xaxis: xaxis([0, 0.46], "y"),
        yaxis: yaxis(sigmaRange, "x", 0.5),
        xaxis2: xaxis([0.56, 1], "y2"),
        yaxis2: yaxis(tanhRange, "x2", 1),
        shapes: [...saturation(1, limit, sigmaRange), ...saturation(2, limit, tanhRange)],
        annotations: [title(0, gru ? S.sigmaGru : S.sigma), title(0.56, gru ? S.tanhGru : S.tanh),
          satLabel("x", "y", 0.5), satLabel("x2", "y2", -0.55)],
      });
      return react(el, traces, layout, chartConfig());
    },
  };
}
