// The memory race: the same inputs through the LSTM and through a plain RNN that writes what the
// LSTM's candidate writes. Per unit, the LSTM's belt c_t against the RNN's h_t over time; a preset
// that runs as both gated models races the GRU's belt h_t too (state.counterpart: a GRU session's
// own line is its h, the LSTM's c the other). Which of them keeps what was written, and why, is said under the chart in claims the server read off
// these numbers (story.js): a closed forget gate empties the belt, and an RNN whose w saturates
// its tanh holds a sign however small the write.

import { LSTM_LINE, MUTED, OTHER_LINE, RNN_LINE } from "../colors.js";
import { fixed4 } from "../format.js";
import { format, strings } from "../i18n/index.js";
import { modelOf } from "../models.js";
import { heldUnits, holds } from "../state.js";
import { FONT, SMALL_FONT, baseLayout, describe, stepMarkLabel, stepMarker, stepTicks, unitName, reactPickingSteps } from "./common.js";
import { renderStory } from "./story.js";

const S = strings.race;

// With every unit on show, at most this many small plots; the unit menu reaches the others.
export const MAX_RACE_UNITS = 4;

function column(rows, k) {
  return rows.map((row) => row[k]);
}

// What rides each kind's belt, and its words: an LSTM's c, a GRU's h (a GRU has no separate h).
const BELTS = {
  lstm: { key: "c", name: () => S.lstmC, hover: () => S.hoverLstmC },
  gru: { key: "h", name: () => S.gruH, hover: () => S.hoverGruH },
};

function beltTrace(rows, kind, uid, k, axis, first, line) {
  const belt = BELTS[kind];
  return {
    type: "scatter", mode: "lines", uid, name: belt.name(), legendgroup: uid.replace(/-\d+$/, ""),
    showlegend: first, x: steps(rows), y: column(rows, k), yaxis: axis, line,
    hovertemplate: `${format(belt.hover(), { k })}: %{y:.4f}<extra></extra>`,
  };
}

function steps(rows) {
  return rows.map((_, s) => s);
}

function unitTraces(state, k, axisIndex) {
  const axis = axisIndex === 0 ? "y" : `y${axisIndex + 1}`;
  const first = axisIndex === 0; // one legend entry per line kind, not per unit
  // A GRU's belt is its h: that is what it races with (and there is no separate h to show).
  const gru = modelOf(state).belt === "h";
  const own = gru ? "gru" : "lstm";
  const lines = [beltTrace(state.trace[BELTS[own].key], own, `${gru ? "gru-h" : "lstm-c"}-${k}`, k, axis, first,
    { color: LSTM_LINE, width: 3 })];
  // The other gated model on the same inputs, when the server raced one (state.counterpart).
  const other = state.counterpart;
  if (other) {
    const uid = `other-${other.model === "gru" ? "gru-h" : "lstm-c"}-${k}`;
    lines.push(beltTrace(other[BELTS[other.model].key], other.model, uid, k, axis, first,
      { color: OTHER_LINE, width: 2.5, dash: "longdash" }));
  }
  lines.push({ type: "scatter", mode: "lines", uid: `rnn-h-${k}`, name: S.rnnH,
    legendgroup: "rnn-h", showlegend: first, x: steps(state.rnn.h), y: column(state.rnn.h, k), yaxis: axis,
    line: { color: RNN_LINE, width: 3, dash: "dash" },
    hovertemplate: `${format(S.hoverRnnH, { k })}: %{y:.4f}<extra></extra>` });
  if (gru) return lines;
  return [
    ...lines,
    { type: "scatter", mode: "lines", uid: `lstm-h-${k}`, name: S.lstmH,
      legendgroup: "lstm-h", showlegend: first, visible: "legendonly", x: steps(state.trace.h), y: column(state.trace.h, k),
      yaxis: axis, line: { color: MUTED, width: 1.5, dash: "dashdot" },
      hovertemplate: `${format(S.hoverLstmH, { k })}: %{y:.4f}<extra></extra>` },
  ];
}

// One y axis per unit shown, stacked top to bottom, all sharing the step axis.
function axes(units) {
  const gap = units.length > 1 ? 0.1 : 0;
  const height = (1 - gap * (units.length - 1)) / units.length;
  const out = {};
  units.forEach((k, n) => {
    const top = 1 - n * (height + gap);
    out[n === 0 ? "yaxis" : `yaxis${n + 1}`] = {
      domain: [Math.max(0, top - height), top], anchor: "x",
      title: { text: unitName(k), font: SMALL_FONT, standoff: 4 }, tickfont: SMALL_FONT,
      zeroline: true, zerolinecolor: "#8e98a8", gridcolor: "#edf0f4", nticks: 5,
    };
  });
  return out;
}

// The chart's text alternative: every model's state of each shown unit at the current step.
function summaryText(state, units) {
  const { t } = state;
  const belt = modelOf(state).belt;
  const other = state.counterpart;
  const values = units.map((k) => {
    const own = fixed4(state.trace[belt][t][k]);
    const h = fixed4(state.rnn.h[t][k]);
    if (!other) return format(belt === "h" ? S.valueGru : S.value, { k, c: own, h });
    const theirs = fixed4(other[BELTS[other.model].key][t][k]);
    const [c, g] = belt === "h" ? [theirs, own] : [own, theirs];
    return format(S.valueThree, { k, c, g, h });
  });
  return format(S.summary, { t, values: values.join("; ") });
}

export function createRace(el, note, onPick, summary, story) {
  let cached = null; // {revision, unit, lang, traces}

  return {
    render(state) {
      const { sizes, t, revision, unit } = state;
      // All units: the first few the page holds (a model too large for one message holds the
      // lanes' units only: at T=10,000 one or two).
      const units = unit !== null ? [unit] : heldUnits(state).slice(0, MAX_RACE_UNITS);
      // The RNN and the units' columns may be on their way (see views/gradients.js).
      if (!state.rnn || !units.length || !units.every((k) => holds(k, state))) return null;
      note.hidden = unit !== null || units.length === sizes.H;
      note.textContent = format(units.length === 1 ? S.noteOne : S.note, { list: units.join(", "), H: sizes.H });
      const lang = document.documentElement.lang;
      const other = state.counterpart ? state.counterpart.model : null;
      if (!cached || cached.revision !== revision || cached.unit !== unit || cached.lang !== lang
        || cached.other !== other) {
        const traces = units.flatMap((k, n) => unitTraces(state, k, n));
        cached = { revision, unit, lang, other, traces };
        // Per unit, the session model's claims, then the other gated model's (raced beside it).
        const otherTold = state.story && state.story.counterpart ? state.story.counterpart.race : [];
        const told = (k) => [...(state.story.race[k] || []), ...(otherTold[k] || [])];
        renderStory(story, state.story ? units.flatMap(told) : []);
      }
      const marker = stepMarker(t, sizes.T, stepMarkLabel(state));
      const layout = baseLayout({
        height: 320 + Math.max(0, units.length - 3) * 40,
        margin: { l: 62, r: 12, t: 74, b: 44 }, // the legend sits under the toolbar, as in the gradient view
        uirevision: "race",
        datarevision: `${revision}|${unit}|${lang}`,
        hovermode: "x unified",
        legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", font: { ...FONT, size: 12 } },
        xaxis: { title: { text: strings.charts.step, font: SMALL_FONT, standoff: 4 }, tickfont: SMALL_FONT,
          range: [-0.5, sizes.T - 0.5], gridcolor: "#edf0f4", zeroline: false, ...stepTicks(state),
          anchor: units.length > 1 ? `y${units.length}` : "y" },
        ...axes(units),
        ...marker,
      });
      describe(summary, summaryText(state, units));
      return reactPickingSteps(el, cached.traces, layout, onPick);
    },
  };
}
