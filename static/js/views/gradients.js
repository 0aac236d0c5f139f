// Gradients through time on a log axis: how strongly the loss L (read off the last step) reaches
// back to step t. The LSTM's dL/dc_t rides the belt, where only × f touches it (a GRU's dL/dh_t,
// × z); the plain RNN's dL/dh_t passes through w·tanh'(…) at every step. A preset that runs as
// both gated models races the other one too, on the same inputs (state.counterpart). "belt only: Π f" is what the belt alone would
// carry back (∂c_{T−1}/∂c_t without the paths through h), drawn per unit: a product of gates is at
// most 1, and a norm over units of it would not be. Whether the LSTM's gradient does travel
// further here is said under the chart, in claims the server read off these numbers (story.js).
//
// All numbers come from the server. The only arithmetic here is for display: the norm over
// units of a gradient when all units are shown, an absolute value for one unit, the largest Π f
// over units of a model too wide for a line each, and the floor a log axis needs. A model whose
// frames carry some units' columns (state.units) holds no row of every unit: the server sends
// those norms and largest values itself (`dL_dc_norm`, `belt_max`, …), drawn as they come.

import { BELT_ONLY_LINE, INK, LSTM_LINE, MUTED, OTHER_LINE, RNN_LINE } from "../colors.js";
import { format, plain, strings } from "../i18n/index.js";
import { modelOf } from "../models.js";
import { FONT, SMALL_FONT, baseLayout, describe, stepMarkLabel, stepMarker, stepTicks, reactPickingSteps } from "./common.js";
import { renderStory } from "./story.js";

const S = strings.gradients;

// A log axis cannot show 0: anything smaller (exact zeros included) is drawn at this floor.
export const FLOOR = 1e-12;
const FLOOR_TEXT = "10<sup>−12</sup>";
// Units listed one by one in a hover label; beyond this the label would cover the chart. A model
// of up to this many units also gets a belt-only line per unit.
const HOVER_UNITS = 6;

// Each series: where its rows live in the state, and how it is drawn; `model` names the
// catalogue's word for the model (gradients.lstm, .rnn, .beltOnly).
const LSTM_SERIES = [
  { uid: "lstm-dc", part: "gradients", key: "dL_dc", what: "dL/dc", model: "lstm",
    name: (u) => `${S.lstm} ${u("dL/dc<sub>t</sub>")}`, line: { color: LSTM_LINE, width: 3 } },
  { uid: "rnn-dh", part: "rnn", key: "dL_dh", what: "dL/dh", model: "rnn",
    name: (u) => `${S.rnn} ${u("dL/dh<sub>t</sub>")}`, line: { color: RNN_LINE, width: 3, dash: "dash" } },
  { uid: "lstm-dh", part: "gradients", key: "dL_dh", what: "dL/dh", model: "lstm",
    name: (u) => `${S.lstm} ${u("dL/dh<sub>t</sub>")}`, line: { color: MUTED, width: 1.5, dash: "dashdot" },
    visible: "legendonly" },
];
// A GRU's belt is h: its dL/dh_t rides the belt (× z), raced against the RNN's.
const GRU_SERIES = [
  { uid: "gru-dh", part: "gradients", key: "dL_dh", what: "dL/dh", model: "gru",
    name: (u) => `${S.gru} ${u("dL/dh<sub>t</sub>")}`, line: { color: LSTM_LINE, width: 3 } },
  LSTM_SERIES[1],
];
// The other gated model on the same inputs (state.counterpart), by its kind: the gradient on its
// belt, c for an LSTM and h for a GRU.
const OTHER_LINE_STYLE = { color: OTHER_LINE, width: 2.5, dash: "longdash" };
const COUNTERPART_SERIES = {
  lstm: { uid: "other-lstm-dc", part: "counterpart", key: "dL_dc", what: "dL/dc", model: "lstm",
    name: (u) => `${S.lstm} ${u("dL/dc<sub>t</sub>")}`, line: OTHER_LINE_STYLE },
  gru: { uid: "other-gru-dh", part: "counterpart", key: "dL_dh", what: "dL/dh", model: "gru",
    name: (u) => `${S.gru} ${u("dL/dh<sub>t</sub>")}`, line: OTHER_LINE_STYLE },
};

// The lines drawn: the session's model, the RNN, the other gated model when the server raced
// one, and (an LSTM's) its dL/dh on demand.
function seriesOf(state, gru) {
  const own = gru ? GRU_SERIES : LSTM_SERIES;
  const other = state.counterpart ? [COUNTERPART_SERIES[state.counterpart.model]] : [];
  return [...own.slice(0, 2), ...other, ...own.slice(2)];
}

// Display arithmetic: ‖row‖ over the units (or |row[k]| for one unit).
function size(row, unit) {
  if (unit !== null) return Math.abs(row[unit]);
  let sum = 0;
  for (const v of row) sum += v * v;
  return Math.sqrt(sum);
}

const BELT_LINE = { color: BELT_ONLY_LINE, width: 2, dash: "dot", shape: "linear" };

// The belt-only term Π f: for one unit its own line; with every unit on show a line per unit (one
// legend entry for them all), or for a wider model the largest of them (`largest`: the server's,
// when the page holds some units only). Never a norm: that would draw a product of gates above 1.
function beltTraces(rows, unit, steps, gate = "f", largest = null) {
  const product = `Π ${gate}`;
  const line = (uid, name, values, hover, showlegend = true) => ({
    type: "scatter", mode: "lines", uid, name, meta: hover, x: steps, legendgroup: "belt", showlegend,
    y: values.map((v) => Math.max(v, FLOOR)), customdata: values.map((v) => [v]),
    hovertemplate: `${hover}: %{customdata[0]:.3e}<extra></extra>`, line: BELT_LINE, visible: true,
  });
  const what = `${S.beltOnly} ${product}`;
  if (unit !== null) {
    return [line("belt", `${S.beltOnly}: ${product}`, rows.map((row) => row[unit]), format(S.ofUnit, { what, k: unit }))];
  }
  const H = rows[0].length;
  if (H > HOVER_UNITS) {
    return [line("belt", format(S.beltLargest, { what: product }), largest || rows.map((row) => Math.max(...row)),
      format(S.beltLargest, { what }))];
  }
  return Array.from({ length: H }, (_, k) => line(`belt-${k}`, `${S.beltOnly}: ${format(S.beltPerUnit, { what: product })}`,
    rows.map((row) => row[k]), format(S.ofUnit, { what, k }), k === 0));
}

// One series as a Plotly trace. customdata keeps the true value (and each unit's, for the
// hover label) so a clipped point still tells what it really is. `norms`: ‖row‖ of every step as
// the server computed them (a model whose rows the page holds only some units of), else null.
function seriesTrace(series, rows, unit, steps, norms = null) {
  const wrap = unit === null ? (q) => `‖${q}‖` : (q) => `|${q}|`;
  const values = unit === null && norms ? norms : rows.map((row) => size(row, unit));
  const listed = unit === null && !norms ? Math.min(rows[0].length, HOVER_UNITS) : 0;
  const unitLines = Array.from({ length: listed },
    (_, k) => `<br>   ${format(S.unitLine, { k })}: %{customdata[${k + 1}]:.3e}`);
  const more = unit === null && rows[0].length > listed && !norms ? "<br>   …" : "";
  const model = S[series.model];
  const head = unit === null ? `${model} ‖${series.what}‖`
    : format(S.ofUnit, { what: `${model} ${series.what}`, k: unit });
  return {
    type: "scatter", mode: "lines", uid: series.uid, name: series.name(wrap), x: steps,
    y: values.map((v) => Math.max(v, FLOOR)),
    customdata: rows.map((row, t) => (unit === null ? [values[t], ...row.slice(0, listed)] : [row[unit]])),
    hovertemplate: `${head}: %{customdata[0]:.3e}${unitLines.join("")}${more}<extra></extra>`,
    line: { ...series.line, shape: "linear" },
    visible: series.visible ?? true,
  };
}

// The chart's text alternative: each shown series' size at the current step, as the hover says it.
function summaryText(traces, t) {
  const values = traces.filter((tr) => tr.visible === true)
    .map((tr) => format(S.value, { name: tr.meta ?? tr.name, value: tr.customdata[t][0].toExponential(3) }));
  return plain(format(S.summary, { t, values: values.join("; ") }));
}

export function createGradients(el, onPick, summary, story) {
  let cached = null; // {revision, unit, lang, traces, clipped}

  return {
    render(state) {
      // The server sends the gradients only while this view is shown: until they arrive (a frame
      // follows the page's `views` message), the chart keeps what it showed.
      if (!state.gradients || !state.rnn) return null;
      const { sizes, t, revision, unit } = state;
      const lang = document.documentElement.lang;
      const gru = modelOf(state).belt === "h";
      const other = state.counterpart ? state.counterpart.model : null;
      if (!cached || cached.revision !== revision || cached.unit !== unit || cached.lang !== lang || cached.gru !== gru
        || cached.other !== other) {
        const steps = Array.from({ length: sizes.T }, (_, s) => s);
        const series = seriesOf(state, gru);
        const traces = series.map((one) => seriesTrace(one, state[one.part][one.key], unit, steps,
          state[one.part][`${one.key}_norm`] || null));
        // Π of the keeping gate after the compared lines (before an LSTM's dL/dh, shown on demand).
        const belts = beltTraces(state.gradients.belt, unit, steps, modelOf(state).keep, state.gradients.belt_max || null);
        traces.splice(series.length - (gru ? 0 : 1), 0, ...belts);
        // Only series on show can reach the floor line; a legend-only one should not summon it.
        const clipped = traces.some((tr) => tr.visible === true && tr.customdata.some((d) => !(d[0] >= FLOOR)));
        cached = { revision, unit, lang, gru, other, traces, clipped };
        // The session model's claims, then those of the other gated model raced beside it.
        const pick = (told) => (told ? (unit === null ? told.all : told.units[unit]) || [] : []);
        const otherTold = state.story && state.story.counterpart ? state.story.counterpart.gradients : null;
        renderStory(story, state.story ? [...pick(state.story.gradients), ...pick(otherTold)] : []);
      }
      const marker = stepMarker(t, sizes.T, stepMarkLabel(state));
      const shapes = [...marker.shapes];
      const annotations = [...marker.annotations];
      if (cached.clipped) {
        shapes.push({ type: "line", xref: "paper", yref: "y", x0: 0, x1: 1, y0: FLOOR, y1: FLOOR,
          line: { color: MUTED, width: 1, dash: "dot" }, layer: "below" });
        annotations.push({ xref: "paper", yref: "y", x: 0, y: Math.log10(FLOOR), xanchor: "left",
          yanchor: "bottom", showarrow: false, font: { ...SMALL_FONT, color: INK },
          text: format(S.floor, { floor: FLOOR_TEXT }), bgcolor: "rgba(255,255,255,0.8)" });
      }
      const layout = baseLayout({
        height: 320,
        margin: { l: 62, r: 12, t: 74, b: 44 }, // room for a two-row legend under the toolbar
        uirevision: "gradients",
        datarevision: `${revision}|${unit}|${lang}`,
        hovermode: "x unified",
        legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", font: { ...FONT, size: 12 } },
        xaxis: { title: { text: strings.charts.step, font: SMALL_FONT, standoff: 4 }, tickfont: SMALL_FONT,
          range: [-0.5, sizes.T - 0.5], gridcolor: "#edf0f4", zeroline: false, ...stepTicks(state) },
        yaxis: { type: "log", title: { text: unit === null ? S.yAll : format(S.yUnit, { k: unit }),
          font: SMALL_FONT, standoff: 4 }, tickfont: SMALL_FONT, exponentformat: "power", gridcolor: "#edf0f4" },
        shapes,
        annotations,
      });
      describe(summary, summaryText(cached.traces, t));
      return reactPickingSteps(el, cached.traces, layout, onPick);
    },
  };
}
