// The belt over time: one small lane per unit, c_t at every step split into what rode on from
// the previous step (kept = f⊙c_{t−1}) and what the + station put on (added = i⊙g).
// Bars stack relative to 0, so kept and added of opposite signs still add up to the c_t line.

import { BELT_EDGE, INK, STEP_MARK, diverging } from "../colors.js";
import { fixed4 } from "../format.js";
import { format, plain, strings } from "../i18n/index.js";
import {
  FONT, MARKED_STEPS, SMALL_FONT, baseLayout, describe, reactPickingSteps, shownUnits, signedLimit, unitName,
} from "./common.js";

const S = strings.timeline;

const UNIT_PX = 118;

function column(rows, k) {
  return rows.map((row) => row[k]);
}

// Up to MARKED_STEPS each step is a bar; beyond, thousands of SVG paths (12 lanes × 2 bars × T)
// make every redraw slow, so the same quantities are drawn as step-shaped areas (one path per
// quantity and lane) and c_t without markers.

function unitTraces(trace, k, steps, limit) {
  const axis = k === 0 ? "y" : `y${k + 1}`;
  const added = column(trace.added, k);
  const first = k === 0; // one legend entry per quantity, not per unit
  const hover = (what) => `${format(S.hover, { k, what })}<extra></extra>`;
  const Q = strings.quantities;
  const bars = steps.length <= MARKED_STEPS;
  const kept = { name: S.kept, legendgroup: "kept", showlegend: first, x: steps, y: column(trace.kept, k),
    yaxis: axis, hovertemplate: hover(Q.kept.label) };
  const c = { type: "scatter", mode: bars ? "lines+markers" : "lines", name: S.what, legendgroup: "c",
    showlegend: first, x: steps, y: column(trace.c, k), yaxis: axis, line: { color: INK, width: bars ? 2 : 1.5 },
    marker: { size: 4, color: INK }, hovertemplate: hover(S.what) };
  if (!bars) return [{ ...kept, ...area("#c3cad5") }, ...addedAreas(added, steps, axis, limit, hover(Q.added.label)), c];
  return [
    { ...kept, type: "bar", marker: { color: "#c3cad5", line: { color: BELT_EDGE, width: 0.5 } } },
    { type: "bar", name: S.added, legendgroup: "added", showlegend: false,
      x: steps, y: added, yaxis: axis,
      marker: { color: added.map((v) => diverging(v, limit)), line: { color: INK, width: 0.6 } },
      hovertemplate: hover(Q.added.label) },
    c,
  ];
}

// A filled step-shaped area from 0, the long-sequence stand-in for a row of bars.
function area(color) {
  return { type: "scatter", mode: "lines", fill: "tozeroy", fillcolor: color, line: { width: 0, shape: "hvh" } };
}

// "added" as two areas, its positive and its negative part, each in its sign's colour of the
// diverging scale (the bars' colours, without the per-step shading).
function addedAreas(added, steps, axis, limit, hovertemplate) {
  return [[1, S.addedPositive], [-1, S.addedNegative]].map(([sign, name]) => ({
    ...area(diverging(0.8 * sign * limit, limit)), opacity: 0.75,
    name, legendgroup: "added", showlegend: false, x: steps, yaxis: axis,
    y: added.map((v) => (sign * v > 0 ? v : 0)),
    // One hover label per step with the signed value, on the positive part's trace.
    ...(sign > 0 ? { customdata: added, hovertemplate: hovertemplate.replace("%{y", "%{customdata") }
      : { hoverinfo: "skip" }),
  }));
}

// Legend-only entries for "added": its bars take each value's colour, so the legend shows one
// swatch per sign instead of whatever colour the first bar happens to have.
function addedLegend(limit) {
  return [
    [S.addedPositive, diverging(0.8 * limit, limit)],
    [S.addedNegative, diverging(-0.8 * limit, limit)],
  ].map(([name, color]) => ({
    type: "bar", name, legendgroup: "added", x: [null], y: [null], hoverinfo: "skip",
    marker: { color, line: { color: INK, width: 0.6 } },
  }));
}

function axes(units) {
  const gap = 0.05;
  const height = (1 - gap * (units - 1)) / units;
  const out = {};
  for (let k = 0; k < units; k += 1) {
    const top = 1 - k * (height + gap);
    out[k === 0 ? "yaxis" : `yaxis${k + 1}`] = {
      domain: [Math.max(0, top - height), top],
      title: { text: unitName(k), font: SMALL_FONT, standoff: 4 },
      zeroline: true, zerolinecolor: "#8e98a8", gridcolor: "#edf0f4", tickfont: SMALL_FONT,
      anchor: "x",
    };
  }
  return out;
}

// The chart's text alternative: what it shows, and c_t of every lane at the current step.
function summaryText(trace, units, T, t) {
  const values = Array.from({ length: units }, (_, k) => format(strings.charts.value, { k, value: fixed4(trace.c[t][k]) }));
  return plain(format(strings.charts.summaryUnits, { what: S.what, last: units - 1, T, t, values: values.join(", ") }));
}

export function createTimeline(el, onPick, summary) {
  let cached = null; // {revision, units, lang, traces}

  return {
    render(state) {
      const { trace, sizes, t, revision } = state;
      const units = shownUnits(sizes.H);
      const lang = document.documentElement.lang;
      if (!cached || cached.revision !== revision || cached.units !== units || cached.lang !== lang) {
        const steps = Array.from({ length: sizes.T }, (_, s) => s);
        const limit = signedLimit(trace, units);
        const traces = [];
        for (let k = 0; k < units; k += 1) traces.push(...unitTraces(trace, k, steps, limit));
        traces.push(...addedLegend(limit));
        cached = { revision, units, lang, traces };
      }
      const layout = baseLayout({
        height: units * UNIT_PX + 110,
        margin: { l: 62, r: 14, t: 40, b: 48 },
        barmode: "relative",
        bargap: 0.25,
        hovermode: "x",
        uirevision: "timeline",
        datarevision: `${revision}|${lang}`,
        legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", font: FONT },
        xaxis: { title: { text: strings.charts.step, font: SMALL_FONT }, range: [-0.6, sizes.T - 0.4],
          tickfont: SMALL_FONT, gridcolor: "#edf0f4", anchor: units > 1 ? `y${units}` : "y" },
        ...axes(units),
        shapes: [
          { type: "rect", xref: "x", yref: "paper", x0: t - 0.5, x1: t + 0.5, y0: 0, y1: 1,
            fillcolor: "rgba(242, 161, 95, 0.16)", line: { width: 0 }, layer: "below" },
          { type: "line", xref: "x", yref: "paper", x0: t, x1: t, y0: 0, y1: 1,
            line: { color: STEP_MARK, width: 2 } },
        ],
        annotations: [{ xref: "x", yref: "paper", x: t, y: 1, yanchor: "bottom", showarrow: false,
          text: `t = ${t}`, font: { ...SMALL_FONT, color: STEP_MARK } }],
      });
      describe(summary, summaryText(trace, units, sizes.T, t));
      return reactPickingSteps(el, cached.traces, layout, onPick);
    },
  };
}
