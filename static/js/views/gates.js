// Gates over time: heatmaps of f, i, o (openings, sequential 0..1) and g (candidate, diverging
// −1..1), units down, steps across, with the current step outlined.

import { DIVERGING, INK, SEQUENTIAL, STEP_MARK } from "../colors.js";
import { fixed4, num, unitRuns } from "../format.js";
import { format, strings } from "../i18n/index.js";
import { modelOf } from "../models.js";
import { heldUnits, holds } from "../state.js";
import { SMALL_FONT, baseLayout, clampOf, describe, reactPickingSteps, stepTicks } from "./common.js";

const S = strings.gates;

// Up to this many steps the heatmap cells have gaps between them (and each its own rectangle).
const GAPPED_STEPS = 60;
// The heatmaps show at most this many units (a heatmap row stays readable down to a few px).
const MAX_HEAT_UNITS = 64;
// Each heatmap: its gate, and its colour axis (axis titles are the catalogue's gates.f, …).
const LSTM_GATES = [
  { q: "f", axis: "coloraxis" },
  { q: "i", axis: "coloraxis" },
  { q: "o", axis: "coloraxis" },
  { q: "g", axis: "coloraxis2" },
];
// A GRU's: the openings r and z, then the candidate n.
const GRU_GATES = [
  { q: "z", axis: "coloraxis" },
  { q: "r", axis: "coloraxis" },
  { q: "n", axis: "coloraxis2" },
];
// The text alternative lists each gate's value for at most this many units.
const SUMMARY_UNITS = 12;

// A clamped gate's row, outlined dashed in the accent colour and labelled at its right end
// (shape and annotation named clamp-<gate>-<unit>).
function clampMarks(gates, knobs, ids, T) {
  const shapes = [];
  const annotations = [];
  gates.forEach((gate, n) => {
    const yref = n === 0 ? "y" : `y${n + 1}`;
    ids.forEach((k, row) => {
      const value = clampOf(knobs, gate.q, k);
      if (value === null) return;
      const name = `clamp-${gate.q}-${k}`;
      shapes.push({ type: "rect", name, xref: "x", yref, x0: -0.5, x1: T - 0.5, y0: row - 0.5, y1: row + 0.5,
        line: { color: STEP_MARK, width: 2, dash: "dot" }, fillcolor: "rgba(0,0,0,0)" });
      annotations.push({ name, xref: "x", yref, x: T - 0.5, y: row, xanchor: "right", xshift: -6, showarrow: false,
        text: format(strings.clamp.heat, { value: num(value, 2) }), bgcolor: "rgba(255, 255, 255, 0.96)",
        borderpad: 1, font: { ...SMALL_FONT, size: 10, color: STEP_MARK } });
    });
  });
  return { shapes, annotations };
}

function unitsByStep(rows, ids) {
  // Heatmap z is rows of y (units) by columns of x (steps): the trace's (T, H) transposed.
  return ids.map((k) => rows.map((row) => row[k]));
}

// The chart's text alternative: every gate's value per unit at the current step.
function summaryText(gates, trace, ids, t) {
  const shown = ids.slice(0, SUMMARY_UNITS);
  const values = gates.map(({ q }) => format(S.value,
    { gate: q, list: shown.map((k) => fixed4(trace[q][t][k])).join(", ") }));
  return format(S.summary, { t, values: values.join("; ") });
}

// The rows: the units chosen (the unit finder's), else the first MAX_HEAT_UNITS of those whose
// columns are held (a model too large for one message sends some).
function rowUnits(state) {
  return (state.chosen || heldUnits(state)).slice(0, MAX_HEAT_UNITS);
}

// Says which units the rows are, of how many: never "all units" when some are left out.
function rowsText(state, ids) {
  const H = state.sizes.H;
  if (state.chosen) return format(S.rowsChosen, { n: ids.length, list: ids.join(", "), H });
  return ids.length === H ? format(S.rowsAll, { H }) : format(S.rowsFirst, { list: unitRuns(ids), H });
}

export function createGates(el, onPick, summary, rows) {
  let cached = null;

  return {
    render(state) {
      if (state.chosen && !state.chosen.every((k) => holds(k, state))) return null; // on their way
      const { trace, sizes, t, revision, knobs } = state;
      const gru = modelOf(state).belt === "h";
      const gates = gru ? GRU_GATES : LSTM_GATES;
      const count = gates.length;
      const openings = count - 1; // every heatmap but the candidate's is a gate opening
      const unitIds = rowUnits(state);
      const units = unitIds.length;
      const positions = unitIds.map((_, row) => row);
      rows.textContent = rowsText(state, unitIds);
      const steps = Array.from({ length: sizes.T }, (_, s) => s);
      const lang = document.documentElement.lang;
      if (!cached || cached.revision !== revision || cached.ids !== `${unitIds}` || cached.lang !== lang ||
        cached.gru !== gru) {
        const traces = gates.map((gate, n) => ({
          type: "heatmap", name: gate.q, x: steps, y: positions, z: unitsByStep(trace[gate.q], unitIds), customdata: unitIds.map((k) => [k]),
          coloraxis: gate.axis, xaxis: "x", yaxis: n === 0 ? "y" : `y${n + 1}`, ygap: 1,
          // A short sequence gets a rectangle per cell, with gaps between cells. A long one is drawn
          // one pixel per cell and scaled up: a canvas of T·units pixels instead of a rectangle
          // per cell on a chart-sized canvas (its PNG encoding alone took longer than a frame).
          // Gaps would turn it into stripes, so its rows and columns touch.
          ...(sizes.T <= GAPPED_STEPS ? { xgap: 1 } : { zsmooth: "fast", ygap: 0 }),
          hovertemplate: `${S.hover}<br>${gate.q} = %{z:.4f}<extra></extra>`,
        }));
        cached = { revision, ids: `${unitIds}`, lang, gru, traces };
      }
      const marks = clampMarks(gates, knobs, unitIds, sizes.T);
      const gap = 0.07;
      const h = (1 - gap * (count - 1)) / count;
      const yaxes = {};
      gates.forEach((gate, n) => {
        const top = 1 - n * (h + gap);
        yaxes[n === 0 ? "yaxis" : `yaxis${n + 1}`] = {
          domain: [top - h, top], anchor: "x", autorange: "reversed", tickfont: SMALL_FONT,
          title: { text: S[gate.q], font: SMALL_FONT, standoff: 6 },
          // Each row is labelled with its unit (the rows may be chosen units, not 0, 1, 2, …).
          tickmode: "array", tickvals: positions.filter((row) => units <= 16 || row % Math.ceil(units / 16) === 0),
          ticktext: unitIds.filter((_, row) => units <= 16 || row % Math.ceil(units / 16) === 0).map(String),
          showgrid: false, zeroline: false,
        };
      });
      const colorbar = (y, len, text) => ({
        title: { text, side: "right", font: SMALL_FONT }, thickness: 12, len, y, yanchor: "top",
        x: 1.01, xanchor: "left", outlinewidth: 0, tickfont: SMALL_FONT,
      });
      const layout = baseLayout({
        // 20 px per unit row, up to 16 rows' worth per gate: beyond that rows thin out rather than
        // make a chart taller than a few screens.
        height: count * Math.max(62, Math.min(units, 16) * 20) + 150,
        margin: { l: 92, r: 80, t: 20, b: 48 },
        uirevision: "gates",
        datarevision: `${revision}|${lang}`,
        coloraxis: { colorscale: SEQUENTIAL, cmin: 0, cmax: 1,
          colorbar: colorbar(1, openings * h + (openings - 1) * gap, gru ? S.openingGru : S.opening) },
        coloraxis2: { colorscale: DIVERGING, cmin: -1, cmax: 1,
          colorbar: { ...colorbar(h, h + 0.02, gru ? "n" : "g"), tickmode: "array", tickvals: [-1, 0, 1] } },
        xaxis: { title: { text: strings.charts.step, font: SMALL_FONT }, anchor: `y${count}`, tickfont: SMALL_FONT,
          range: [-0.5, sizes.T - 0.5], showgrid: false, ...stepTicks(state) },
        ...yaxes,
        shapes: [{ type: "rect", xref: "x", yref: "paper", x0: t - 0.5, x1: t + 0.5, y0: -0.01, y1: 1.01,
          line: { color: INK, width: 2 }, fillcolor: "rgba(0,0,0,0)" }, ...marks.shapes],
        annotations: marks.annotations,
      });
      describe(summary, summaryText(gates, trace, unitIds, t));
      return reactPickingSteps(el, cached.traces, layout, onPick);
    },
  };
}
