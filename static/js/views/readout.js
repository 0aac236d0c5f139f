// The numbers of the current step as an HTML table: one row per unit, one column per quantity.
// It is what screen readers and tests read, so each cell carries data-q / data-unit and shows
// the server's number with toFixed(4), nothing rounded twice.

import { diverging, needsLightText, sequential } from "../colors.js";
import { fixed4 } from "../format.js";
import { strings } from "../i18n/index.js";
import { clampOf, shownUnits, signedLimit } from "./common.js";

// `moves`: the moves of the five-step walk-through that involve the column (1 forget, 2 input,
// 3 update, 4 output, 5 pass on); its cells then carry the class "walk-hl".
export const COLUMNS = [
  { q: "c_prev", label: "c<sub>t−1</sub>", title: "cell state arriving from step t−1", moves: [1] },
  { q: "f", label: "f", title: "forget gate: share of c_{t−1} that rides on", gate: true, moves: [1] },
  { q: "kept", label: "kept", title: "f ⊙ c_{t−1}", moves: [1, 3] },
  { q: "forgotten", label: "forgotten", title: "(1 − f) ⊙ c_{t−1}", moves: [1] },
  { q: "i", label: "i", title: "input gate", gate: true, moves: [2] },
  { q: "g", label: "g", title: "candidate tanh(…)", moves: [2] },
  { q: "added", label: "added", title: "i ⊙ g", moves: [2, 3] },
  { q: "c", label: "c<sub>t</sub>", title: "kept + added", moves: [3, 4, 5] },
  { q: "tanh_c", label: "tanh c<sub>t</sub>", title: "tanh(c_t)", moves: [4] },
  { q: "o", label: "o", title: "output gate", gate: true, moves: [4] },
  { q: "h", label: "h<sub>t</sub>", title: "o ⊙ tanh(c_t)", moves: [4, 5] },
];
const MOVES = Object.fromEntries(COLUMNS.map((column) => [column.q, column.moves]));

function cell(tag, html, attrs = {}) {
  const el = document.createElement(tag);
  el.innerHTML = html;
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value);
  return el;
}

// Builds the two tables' skeletons; rebuilt only when the sizes or input names change.
function build(el, scenario, H, D) {
  el.replaceChildren();
  const inputs = document.createElement("table");
  inputs.className = "readout-inputs";
  inputs.innerHTML = "<caption>Inputs x<sub>t</sub></caption>";
  const ihead = inputs.createTHead().insertRow();
  const ibody = inputs.createTBody().insertRow();
  for (let j = 0; j < D; j += 1) {
    ihead.append(cell("th", "", { scope: "col" }));
    ihead.lastChild.textContent = scenario.input_names[j] ?? `x${j}`;
    ibody.append(cell("td", "", { "data-q": "x", "data-j": String(j) }));
  }

  const table = document.createElement("table");
  table.className = "readout-units";
  table.innerHTML = "<caption>Per unit</caption>";
  const head = table.createTHead().insertRow();
  head.append(cell("th", "unit", { scope: "col" }));
  for (const column of COLUMNS) {
    head.append(cell("th", column.label, { scope: "col", title: column.title, "data-q": column.q }));
  }
  const body = table.createTBody();
  for (let k = 0; k < shownUnits(H); k += 1) {
    const tr = body.insertRow();
    tr.append(cell("th", String(k), { scope: "row" }));
    for (const column of COLUMNS) {
      const td = cell("td", "", { "data-q": column.q, "data-unit": String(k) });
      if (column.gate) td.classList.add("gate");
      tr.append(td);
    }
  }
  const note = document.createElement("p");
  note.className = "note";
  note.hidden = H <= shownUnits(H);
  note.textContent = `Showing units 0–${shownUnits(H) - 1} of ${H}.`;
  el.append(inputs, table, note);
}

function paint(td, value, colour) {
  td.textContent = fixed4(value);
  // A CSSOM property (allowed under a strict CSP, unlike style attributes in markup).
  td.style.setProperty("--chip", colour);
  td.classList.toggle("chip-dark", needsLightText(colour));
}

export function createReadout(el) {
  let key = "";
  return {
    render(state) {
      const { sizes, scenario, trace, t } = state;
      const shape = `${scenario.name}|${sizes.H}|${sizes.D}|${scenario.input_names.join(",")}`;
      if (shape !== key) {
        build(el, scenario, sizes.H, sizes.D);
        key = shape;
      }
      const [lo, hi] = scenario.input_range;
      const inputLimit = Math.max(Math.abs(lo), Math.abs(hi));
      for (const td of el.querySelectorAll('td[data-q="x"]')) {
        paint(td, trace.x[t][Number(td.dataset.j)], diverging(trace.x[t][Number(td.dataset.j)], inputLimit));
      }
      const limit = signedLimit(trace, shownUnits(sizes.H));
      const { walk, knobs } = state;
      for (const td of el.querySelectorAll("td[data-unit]")) {
        const { q } = td.dataset;
        const unit = Number(td.dataset.unit);
        const value = trace[q][t][unit];
        const gate = q === "f" || q === "i" || q === "o";
        paint(td, value, gate ? sequential(value) : diverging(value, limit));
        const clamped = ["i", "f", "g", "o"].includes(q) && clampOf(knobs, q, unit) !== null;
        td.classList.toggle("is-clamped", clamped);
        if (clamped) td.title = strings.clamp.cell;
        else td.removeAttribute("title");
      }
      for (const node of el.querySelectorAll("th[data-q], td[data-unit]")) {
        node.classList.toggle("walk-hl", Boolean(walk) && MOVES[node.dataset.q].includes(walk));
      }
    },
  };
}
