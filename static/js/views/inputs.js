// The input sequences as small lines over time, with the current step marked: the sparkline
// beside the sliders, so a slider move or a generator shows up in the whole sequence.

import { INK, MUTED } from "../colors.js";
import { CONFIG, SMALL_FONT, baseLayout } from "./common.js";

const LINE_COLOURS = [INK, "#7a5195", "#2f7f79", "#9c6b30", MUTED];

export function createInputsChart(el, onPick) {
  let cached = null;
  let listening = false;

  return {
    render(state) {
      const { trace, sizes, t, revision, scenario } = state;
      if (!cached || cached.revision !== revision) {
        const steps = Array.from({ length: sizes.T }, (_, s) => s);
        const shown = Math.min(sizes.D, 8);
        const traces = Array.from({ length: shown }, (_, j) => ({
          type: "scatter", mode: "lines+markers", name: scenario.input_names[j] ?? `x${j}`,
          x: steps, y: trace.x.map((row) => row[j]),
          line: { color: LINE_COLOURS[j % LINE_COLOURS.length], width: 2, shape: "hv",
            dash: j % 2 ? "dot" : "solid" },
          marker: { size: 3 },
          hovertemplate: `${scenario.input_names[j] ?? `x${j}`} · step %{x}: %{y:.4f}<extra></extra>`,
        }));
        cached = { revision, traces };
      }
      const [lo, hi] = scenario.input_range;
      const layout = baseLayout({
        height: 170,
        margin: { l: 48, r: 10, t: 26, b: 38 },
        uirevision: "inputs",
        datarevision: revision,
        hovermode: "x",
        legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", font: SMALL_FONT },
        xaxis: { title: { text: "step t", font: SMALL_FONT, standoff: 2 }, tickfont: SMALL_FONT,
          range: [-0.5, sizes.T - 0.5], gridcolor: "#edf0f4" },
        yaxis: { title: { text: "x", font: SMALL_FONT, standoff: 2 }, range: [lo - 0.1, hi + 0.1],
          tickfont: SMALL_FONT, gridcolor: "#edf0f4", zerolinecolor: "#8e98a8" },
        shapes: [{ type: "line", xref: "x", yref: "paper", x0: t, x1: t, y0: 0, y1: 1,
          line: { color: "#b3470b", width: 2 } }],
      });
      const done = Plotly.react(el, cached.traces, layout, CONFIG);
      if (!listening) {
        el.on("plotly_click", (event) => {
          const point = event.points && event.points[0];
          if (point && Number.isFinite(Number(point.x))) onPick(Number(point.x));
        });
        listening = true;
      }
      return done;
    },
  };
}
