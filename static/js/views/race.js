// The memory race: the same inputs through the LSTM and through a plain RNN that writes what the
// LSTM's candidate writes. Per unit, the LSTM's belt c_t against the RNN's h_t over time. Which of
// them keeps what was written, and why, is said under the chart in claims the server read off
// these numbers (story.js): a closed forget gate empties the belt, and an RNN whose w saturates
// its tanh holds a sign however small the write.

import { LSTM_LINE, MUTED, RNN_LINE } from "../colors.js";
import { fixed4 } from "../format.js";
import { format, strings } from "../i18n/index.js";
import { modelOf } from "../models.js";
import { holdsEveryUnit } from "../state.js";
import { FONT, SMALL_FONT, baseLayout, describe, stepMarkLabel, stepMarker, stepTicks, unitName, reactPickingSteps } from "./common.js";
import { renderStory } from "./story.js";

const S = strings.race;

// With every unit on show, at most this many small plots; the unit menu reaches the others.
export const MAX_RACE_UNITS = 4;

function column(rows, k) {
  return rows.map((row) => row[k]);
}

function unitTraces(state, k, axisIndex, steps) {
  const axis = axisIndex === 0 ? "y" : `y${axisIndex + 1}`;
  const first = axisIndex === 0; // one legend entry per line kind, not per unit
  // A GRU's belt is its h: that is what it races with (and there is no separate h to show).
  const gru = modelOf(state).belt === "h";
  const belt = {
    type: "scatter", mode: "lines", uid: `${gru ? "gru-h" : "lstm-c"}-${k}`, name: gru ? S.gruH : S.lstmC,
    legendgroup: "model-belt", showlegend: first, x: steps, y: column(state.trace[modelOf(state).belt], k), yaxis: axis,
    line: { color: LSTM_LINE, width: 3 },
    hovertemplate: `${format(gru ? S.hoverGruH : S.hoverLstmC, { k })}: %{y:.4f}<extra></extra>`,
  };
  if (gru) {
    return [belt, { type: "scatter", mode: "lines", uid: `rnn-h-${k}`, name: S.rnnH,
      legendgroup: "rnn-h", showlegend: first, x: steps, y: column(state.rnn.h, k), yaxis: axis,
      line: { color: RNN_LINE, width: 3, dash: "dash" },
      hovertemplate: `${format(S.hoverRnnH, { k })}: %{y:.4f}<extra></extra>` }];
  }
  return [
    belt,
    { type: "scatter", mode: "lines", uid: `rnn-h-${k}`, name: S.rnnH,
      legendgroup: "rnn-h", showlegend: first, x: steps, y: column(state.rnn.h, k), yaxis: axis,
      line: { color: RNN_LINE, width: 3, dash: "dash" },
      hovertemplate: `${format(S.hoverRnnH, { k })}: %{y:.4f}<extra></extra>` },
    { type: "scatter", mode: "lines", uid: `lstm-h-${k}`, name: S.lstmH,
      legendgroup: "lstm-h", showlegend: first, visible: "legendonly", x: steps, y: column(state.trace.h, k),
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

// The chart's text alternative: both models' state of each shown unit at the current step.
function summaryText(state, units) {
  const { t } = state;
  const belt = modelOf(state).belt;
  const values = units.map((k) => format(belt === "h" ? S.valueGru : S.value,
    { k, c: fixed4(state.trace[belt][t][k]), h: fixed4(state.rnn.h[t][k]) }));
  return format(S.summary, { t, values: values.join("; ") });
}

export function createRace(el, note, onPick, summary, story) {
  let cached = null; // {revision, unit, lang, traces}

  return {
    render(state) {
      if (!state.rnn || !holdsEveryUnit()) return null; // on their way (see views/gradients.js)
      const { sizes, t, revision, unit } = state;
      const units = unit !== null ? [unit]
        : Array.from({ length: Math.min(sizes.H, MAX_RACE_UNITS) }, (_, k) => k);
      note.hidden = unit !== null || sizes.H <= MAX_RACE_UNITS;
      note.textContent = format(S.note, { last: MAX_RACE_UNITS - 1, H: sizes.H });
      const lang = document.documentElement.lang;
      if (!cached || cached.revision !== revision || cached.unit !== unit || cached.lang !== lang) {
        const steps = Array.from({ length: sizes.T }, (_, s) => s);
        const traces = units.flatMap((k, n) => unitTraces(state, k, n, steps));
        cached = { revision, unit, lang, traces };
        renderStory(story, state.story ? units.flatMap((k) => state.story.race[k] || []) : []);
      }
      const marker = stepMarker(t, sizes.T, stepMarkLabel(state));
      const layout = baseLayout({
        height: 380 + Math.max(0, units.length - 3) * 40,
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
