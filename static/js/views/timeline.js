// The belt over time: one small lane per unit, c_t at every step split into what rode on from
// the previous step (kept = f⊙c_{t−1}) and what the + station put on (added = i⊙g).
// Bars stack relative to 0, so kept and added of opposite signs still add up to the c_t line.

import { BELT_EDGE, INK, diverging } from "../colors.js";
import { CONFIG, FONT, SMALL_FONT, baseLayout, shownUnits, signedLimit } from "./common.js";

const UNIT_PX = 118;

function column(rows, k) {
  return rows.map((row) => row[k]);
}

function unitTraces(trace, k, steps, limit) {
  const axis = k === 0 ? "y" : `y${k + 1}`;
  const added = column(trace.added, k);
  const first = k === 0; // one legend entry per quantity, not per unit
  return [
    { type: "bar", name: "kept (f⊙c<sub>t−1</sub>)", legendgroup: "kept", showlegend: first,
      x: steps, y: column(trace.kept, k), yaxis: axis,
      marker: { color: "#c3cad5", line: { color: BELT_EDGE, width: 0.5 } },
      hovertemplate: `unit ${k} · step %{x}<br>kept %{y:.4f}<extra></extra>` },
    { type: "bar", name: "added (i⊙g)", legendgroup: "added", showlegend: false,
      x: steps, y: added, yaxis: axis,
      marker: { color: added.map((v) => diverging(v, limit)), line: { color: INK, width: 0.6 } },
      hovertemplate: `unit ${k} · step %{x}<br>added %{y:.4f}<extra></extra>` },
    { type: "scatter", mode: "lines+markers", name: "c<sub>t</sub>", legendgroup: "c", showlegend: first,
      x: steps, y: column(trace.c, k), yaxis: axis,
      line: { color: INK, width: 2 }, marker: { size: 4, color: INK },
      hovertemplate: `unit ${k} · step %{x}<br>c<sub>t</sub> %{y:.4f}<extra></extra>` },
  ];
}

// Legend-only entries for "added": its bars take each value's colour, so the legend shows one
// swatch per sign instead of whatever colour the first bar happens to have.
function addedLegend(limit) {
  return [
    ["added (i⊙g) > 0", diverging(0.8 * limit, limit)],
    ["added < 0", diverging(-0.8 * limit, limit)],
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
      title: { text: `unit ${k}`, font: SMALL_FONT, standoff: 4 },
      zeroline: true, zerolinecolor: "#8e98a8", gridcolor: "#edf0f4", tickfont: SMALL_FONT,
      anchor: "x",
    };
  }
  return out;
}

export function createTimeline(el, onPick) {
  let cached = null; // {revision, units, traces, limit}
  let listening = false;

  return {
    render(state) {
      const { trace, sizes, t, revision } = state;
      const units = shownUnits(sizes.H);
      if (!cached || cached.revision !== revision || cached.units !== units) {
        const steps = Array.from({ length: sizes.T }, (_, s) => s);
        const limit = signedLimit(trace, units);
        const traces = [];
        for (let k = 0; k < units; k += 1) traces.push(...unitTraces(trace, k, steps, limit));
        traces.push(...addedLegend(limit));
        cached = { revision, units, traces };
      }
      const layout = baseLayout({
        height: units * UNIT_PX + 110,
        margin: { l: 62, r: 14, t: 40, b: 48 },
        barmode: "relative",
        bargap: 0.25,
        hovermode: "x",
        uirevision: "timeline",
        datarevision: revision,
        legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", font: FONT },
        xaxis: { title: { text: "step t", font: SMALL_FONT }, range: [-0.6, sizes.T - 0.4],
          tickfont: SMALL_FONT, gridcolor: "#edf0f4", anchor: units > 1 ? `y${units}` : "y" },
        ...axes(units),
        shapes: [
          { type: "rect", xref: "x", yref: "paper", x0: t - 0.5, x1: t + 0.5, y0: 0, y1: 1,
            fillcolor: "rgba(242, 161, 95, 0.16)", line: { width: 0 }, layer: "below" },
          { type: "line", xref: "x", yref: "paper", x0: t, x1: t, y0: 0, y1: 1,
            line: { color: "#b3470b", width: 2 } },
        ],
        annotations: [{ xref: "x", yref: "paper", x: t, y: 1, yanchor: "bottom", showarrow: false,
          text: `t = ${t}`, font: { ...SMALL_FONT, color: "#b3470b" } }],
      });
      const done = Plotly.react(el, cached.traces, layout, CONFIG);
      if (!listening) {
        // Clicking anywhere in a step's column picks that step (hovermode "x" finds the column).
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
