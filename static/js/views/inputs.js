// The input sequences as small lines over time, with the current step marked: the sparkline
// beside the sliders, so a slider move or a generator shows up in the whole sequence.

import { INK, MUTED, STEP_MARK } from "../colors.js";
import { fixed4 } from "../format.js";
import { format, strings } from "../i18n/index.js";
import { MARKED_STEPS, SMALL_FONT, baseLayout, describe, inputName, reactPickingSteps } from "./common.js";

const LINE_COLOURS = [INK, "#7a5195", "#2f7f79", "#9c6b30", MUTED];
// The chart draws at most this many inputs.
const MAX_LINES = 8;

// The chart's text alternative: every drawn input's value at the current step.
function summaryText(state, shown) {
  const { trace, sizes, t, scenario } = state;
  const values = Array.from({ length: shown }, (_, j) => `${inputName(scenario, j)} ${fixed4(trace.x[t][j])}`);
  return format(strings.inputs.summary, { D: shown, T: sizes.T, t, values: values.join(", ") });
}

export function createInputsChart(el, onPick, summary) {
  let cached = null;

  return {
    render(state) {
      const { trace, sizes, t, revision, scenario } = state;
      const lang = document.documentElement.lang;
      const shown = Math.min(sizes.D, MAX_LINES);
      if (!cached || cached.revision !== revision || cached.lang !== lang) {
        const steps = Array.from({ length: sizes.T }, (_, s) => s);
        const traces = Array.from({ length: shown }, (_, j) => ({
          // Markers only while they are a few pixels apart: hundreds of them cost a path each.
          type: "scatter", mode: sizes.T <= MARKED_STEPS ? "lines+markers" : "lines", name: inputName(scenario, j),
          x: steps, y: trace.x.map((row) => row[j]),
          line: { color: LINE_COLOURS[j % LINE_COLOURS.length], width: 2, shape: "hv",
            dash: j % 2 ? "dot" : "solid" },
          marker: { size: 3 },
          hovertemplate: `${format(strings.inputs.hover, { name: inputName(scenario, j) })}<extra></extra>`,
        }));
        cached = { revision, lang, traces };
      }
      const [lo, hi] = scenario.input_range;
      const layout = baseLayout({
        height: 170,
        margin: { l: 48, r: 10, t: 26, b: 38 },
        uirevision: "inputs",
        datarevision: `${revision}|${lang}`,
        hovermode: "x",
        legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", font: SMALL_FONT },
        xaxis: { title: { text: strings.charts.step, font: SMALL_FONT, standoff: 2 }, tickfont: SMALL_FONT,
          range: [-0.5, sizes.T - 0.5], gridcolor: "#edf0f4" },
        yaxis: { title: { text: strings.inputs.axis, font: SMALL_FONT, standoff: 2 }, range: [lo - 0.1, hi + 0.1],
          tickfont: SMALL_FONT, gridcolor: "#edf0f4", zerolinecolor: "#8e98a8" },
        shapes: [{ type: "line", xref: "x", yref: "paper", x0: t, x1: t, y0: 0, y1: 1,
          line: { color: STEP_MARK, width: 2 } }],
      });
      describe(summary, summaryText(state, shown));
      return reactPickingSteps(el, cached.traces, layout, onPick);
    },
  };
}
