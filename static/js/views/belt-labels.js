// The belt's number labels ("f 0.998", "kept 0.977", …): every quantity of the step beside where
// it happens. On the page they are HTML laid over the chart, each at its point in the chart's
// data coordinates: redrawing some 150 SVG text labels through Plotly was most of a step's cost
// (playback redraws them every step). For a PNG or SVG export the same rows become a Plotly text
// trace (labelTrace), so the saved image carries them.

import { DIM_TEXT, INK, STEP_MARK } from "../colors.js";
import { num, signed } from "../format.js";
import { format, strings } from "../i18n/index.js";
import { FONT } from "./common.js";

// How a Plotly textposition places text against its point, as a CSS transform of the label.
const PLACEMENT = {
  "top center": "translate(-50%, calc(-100% - 2px))",
  "bottom center": "translate(-50%, 2px)",
  "middle right": "translate(3px, -50%)",
};

// A gate's label: its value, and a "clamped" badge in the accent colour when it is forced.
function gateLabel(name, value, clamped) {
  const text = `${name} ${num(value, 3)}`;
  return clamped ? `${text} <b style="color:${STEP_MARK}">${strings.clamp.badge}</b>` : text;
}

// The labels of one lane whose belt runs at height y: [x, y, html, position, moves], `moves`
// listing the walk-through's moves (1..5) that involve the quantity. `at` holds the stations'
// x positions and the branch's depth below the belt.
export function laneLabels(v, y, k, clamped, at) {
  const { X, BRANCH } = at;
  const S = strings.belt;
  const all = [1, 2, 3, 4, 5];
  return [
    [X.label, y, format(S.unit, { k }), "middle right", all],
    [X.cPrev, y + 0.3, `c<sub>t−1</sub> ${num(v.c_prev, 3)}`, "top center", [1]],
    [X.forget, y + 0.42, gateLabel("f", v.f, clamped.f), "top center", [1]],
    [X.kept, y + 0.3, `${S.kept} ${num(v.kept, 3)}`, "top center", [1, 3]],
    [X.forget + 0.5, y + BRANCH * 0.78, `${S.forgotten} ${num(v.forgotten, 3)}`, "middle right", [1]],
    [X.add, y + 0.42, gateLabel("i", v.i, clamped.i), "top center", [2]],
    [X.add, y + BRANCH - 0.06, gateLabel("g", v.g, clamped.g), "bottom center", [2]],
    [X.add + 0.3, y + BRANCH * 0.5, `${S.added} ${signed(v.added, 3)}`, "middle right", [2, 3]],
    [X.c, y + 0.3, `c<sub>t</sub> ${num(v.c, 3)}`, "top center", [3, 4, 5]],
    [X.tanh, y + BRANCH - 0.3, `tanh ${num(v.tanh_c, 3)}`, "bottom center", [4]],
    [X.out, y + BRANCH + 0.42, gateLabel("o", v.o, clamped.o), "top center", [4]],
    [X.h, y + BRANCH - 0.3, `h<sub>t</sub> ${num(v.h, 3)}`, "bottom center", [4, 5]],
  ];
}

// Whether a label is set back: walking, it belongs to none of the current move's quantities.
function dimmed(row, walk) {
  return Boolean(walk) && !row[4].includes(walk);
}

// The rows as a Plotly text trace (for image exports).
export function labelTrace(rows, walk) {
  return {
    type: "scatter", mode: "text", hoverinfo: "skip", showlegend: false, cliponaxis: false,
    x: rows.map((r) => r[0]), y: rows.map((r) => r[1]), text: rows.map((r) => r[2]),
    textposition: rows.map((r) => r[3]),
    textfont: { ...FONT, size: 12, color: rows.map((r) => (dimmed(r, walk) ? DIM_TEXT : INK)) },
  };
}

// `layer` lies over the chart; `frame` is {margin, x: [lo, hi], y: [lo, hi]}: the chart's margins
// (px) and axis ranges, so a point's place is a percentage of the plot area and the labels follow
// the chart when it is resized without being drawn again.
export function createBeltLabels(layer) {
  const area = document.createElement("div");
  area.className = "belt-labels-area";
  layer.replaceChildren(area);
  const spans = [];
  const written = []; // the HTML last written to each span (innerHTML reads back normalised)

  function place(span, row, frame) {
    const [x, y, , position] = row;
    const left = `${(100 * (x - frame.x[0])) / (frame.x[1] - frame.x[0])}%`;
    const top = `${(100 * (frame.y[1] - y)) / (frame.y[1] - frame.y[0])}%`;
    if (span.style.left !== left) span.style.left = left;
    if (span.style.top !== top) span.style.top = top;
    const transform = PLACEMENT[position];
    if (span.style.transform !== transform) span.style.transform = transform;
  }

  return {
    render(rows, walk, frame) {
      const { l, r, t, b } = frame.margin;
      area.style.inset = `${t}px ${r}px ${b}px ${l}px`;
      while (spans.length < rows.length) {
        const span = document.createElement("span");
        span.className = "belt-label";
        area.append(span);
        spans.push(span);
      }
      rows.forEach((row, n) => {
        const span = spans[n];
        span.hidden = false;
        if (written[n] !== row[2]) {
          span.innerHTML = row[2];
          written[n] = row[2];
        }
        span.classList.toggle("dim", dimmed(row, walk));
        place(span, row, frame);
      });
      for (let n = rows.length; n < spans.length; n += 1) spans[n].hidden = true;
    },
  };
}
