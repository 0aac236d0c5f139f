// Settings every chart shares, so the views look like one page.

import { INK, MUTED, STEP_MARK } from "../colors.js";
import { format, strings } from "../i18n/index.js";
import { stepLabel, tokenTicks } from "../tokens.js";

// The belt and the readout draw at most this many units; beyond it lanes get too thin to read.
export const MAX_LANES = 12;


export const FONT = {
  family: "Inter, 'Segoe UI', system-ui, -apple-system, 'Noto Sans KR', 'Noto Sans CJK KR', 'Apple SD Gothic Neo', " +
    "'Malgun Gothic', sans-serif",
  size: 12,
  color: INK,
};
export const SMALL_FONT = { ...FONT, size: 11, color: MUTED };

// Beside Plotly's own PNG button: the same chart as an SVG (vector, for slides and papers).
const SVG_BUTTON = {
  name: "toSVG",
  get title() { return strings.files.svg; },
  // Read when a chart is drawn (plotly.js runs after the page's first pass); not the camera: that
  // one is the PNG button's.
  get icon() { return window.Plotly.Icons.disk; },
  click: (gd) => window.Plotly.downloadImage(gd, { format: "svg", filename: gd.id || "chart" }),
};

// Keep Plotly's toolbar (PNG and SVG export are wanted) but drop the logo link, the selection
// tools (they select nothing here) and "Share chart…", which would upload the chart to Plotly's
// cloud (the page works offline and sends nothing anywhere but its own server).
export const CONFIG = {
  displaylogo: false,
  responsive: true,
  modeBarButtonsToRemove: ["select2d", "lasso2d", "sendChartToCloud"],
  modeBarButtonsToAdd: [SVG_BUTTON],
  toImageButtonOptions: { format: "png", scale: 2 },
};

// The config of a chart drawn now: CONFIG in the page's language (a language switch changes it,
// and Plotly.react then rebuilds the toolbar with the new titles; plotly-ready.js registers a
// Plotly locale per catalogue).
export function chartConfig(extra = {}) {
  return { ...CONFIG, locale: document.documentElement.lang || "en", ...extra };
}

export function baseLayout(extra) {
  return {
    font: FONT,
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "#ffffff",
    hoverlabel: { font: { ...FONT, size: 12 } },
    ...extra,
  };
}

// Belt quantities whose magnitude sets the diverging scale's range.
export const BELT_QUANTITIES = ["c_prev", "kept", "forgotten", "added", "c"];

// Units shown in a lane view: 0..min(H, MAX_LANES)-1.
export function shownUnits(H) {
  return Math.min(H, MAX_LANES);
}

// The label of the current step's marker: "t = 88", and the step's token when the model reads
// text ("t = 88 ("), as markup (tokens.js, stepLabel).
export function stepMarkLabel(s, t = s.t) {
  return `t = ${stepLabel(s, t)}`;
}

// A Plotly time axis's ticks: Plotly's own for a model of numbers; for one that reads text, about
// ten ticks on 1, 2, 5 × 10^n steps, each labelled with its step and the token read there.
export function stepTicks(s) {
  const T = s.sizes.T;
  const raw = Math.max(1, T / 10);
  const power = 10 ** Math.floor(Math.log10(raw));
  const every = [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw);
  return tokenTicks(s, T, every);
}

// The current step marked on a chart over time (as the timeline marks it): a shaded column, a
// line and a label ("t = …", see stepMarkLabel) inside the plot's top edge (above it sits the
// legend). Returns {shapes, annotations} to spread into a layout.
export function stepMarker(t, T, label = `t = ${t}`) {
  const nearEnd = t > 0.8 * (T - 1);
  return {
    shapes: [
      { type: "rect", xref: "x", yref: "paper", x0: t - 0.5, x1: t + 0.5, y0: 0, y1: 1,
        fillcolor: "rgba(242, 161, 95, 0.16)", line: { width: 0 }, layer: "below" },
      { type: "line", xref: "x", yref: "paper", x0: t, x1: t, y0: 0, y1: 1, line: { color: STEP_MARK, width: 2 } },
    ],
    annotations: [{ xref: "x", yref: "paper", x: t, y: 1, yanchor: "top", showarrow: false,
      xanchor: nearEnd ? "right" : "left", xshift: nearEnd ? -3 : 3, bgcolor: "rgba(255, 255, 255, 0.85)",
      text: label, font: { ...SMALL_FONT, color: STEP_MARK } }],
  };
}

// "unit k" in the page's language, for axis titles and hover labels.
export function unitName(k) {
  return format(strings.charts.unit, { k });
}

// Input j's name in the page's language: the presets' names are in the catalogue (inputNames),
// any other name (x0, a file's column) is shown as the server sent it.
export function inputName(scenario, j) {
  const name = scenario.input_names[j] ?? `x${j}`;
  return Object.hasOwn(strings.inputNames, name) ? strings.inputNames[name] : name;
}

// Writes a chart's text alternative (the element its aria-describedby names), if it has one.
export function describe(summary, text) {
  if (summary && summary.textContent !== text) summary.textContent = text;
}

// The value knobs.clamps forces `gate` to for one unit, or null when that gate is free there.
export function clampOf(knobs, gate, unit) {
  const row = knobs && knobs.clamps ? knobs.clamps[gate] : null;
  const value = row ? row[unit] : null;
  return value === undefined ? null : value;
}

// Plotly.react with the chart's height pinned on its element too. With `responsive`, Plotly answers
// a window resize by sizing the chart to its element (autosize); an element whose height came from
// the chart itself then collapses to its CSS min-height, and the chart is clipped.
export function react(el, traces, layout, config) {
  const height = layout.height ? `${layout.height}px` : "";
  if (el.style.height !== height) el.style.height = height;
  // The PNG is named after the chart, as its SVG is (Plotly's default name is "newplot").
  const image = { ...CONFIG.toImageButtonOptions, filename: el.id || "chart", ...config.toImageButtonOptions };
  return Plotly.react(el, traces, withLabelsAllowedToOverflow(layout), { ...config, toImageButtonOptions: image });
}

// Every axis with ticklabeloverflow "allow" unless the view chose otherwise. Plotly's default
// ("hide past div") measures each tick label's box on every redraw, a forced layout apiece, to hide
// those past the chart's edge; the margins here keep labels inside, so it hid nothing and cost
// ~20 ms of a slider move on the default page (benchmarks/bench_browser.py).
function withLabelsAllowedToOverflow(layout) {
  const axes = Object.keys(layout).filter((key) => /^[xy]axis\d*$/.test(key));
  const allowed = axes.map((key) => [key, { ticklabeloverflow: "allow", ...layout[key] }]);
  return { ...layout, ...Object.fromEntries(allowed) };
}

// Plotly.react, plus (once per chart) a click handler that jumps to the clicked step: every
// chart with time along x shares this, so clicking a column anywhere picks that step.
const pickingSteps = new WeakSet();
export function reactPickingSteps(el, traces, layout, onPick) {
  const done = react(el, traces, layout, chartConfig());
  if (!pickingSteps.has(el)) {
    el.on("plotly_click", (event) => {
      const point = event.points && event.points[0];
      if (point && Number.isFinite(Number(point.x))) onPick(Number(point.x));
    });
    pickingSteps.add(el);
  }
  return done;
}
