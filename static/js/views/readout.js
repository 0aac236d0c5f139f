// The numbers of the current step as an HTML table: one row per unit, one column per quantity.
// It is what screen readers and tests read, so each cell carries data-q / data-unit and shows
// the server's number with toFixed(4), nothing rounded twice.

import { diverging, needsLightText, sequential } from "../colors.js";
import { fixed4 } from "../format.js";
import { format, strings } from "../i18n/index.js";
import { clampOf, inputName, shownUnits, signedLimit } from "./common.js";

// `moves`: the moves of the five-step walk-through that involve the column (1 forget, 2 input,
// 3 update, 4 output, 5 pass on); its cells then carry the class "walk-hl". Each column's label
// and description are the catalogue's quantities[q].
export const COLUMNS = [
  { q: "c_prev", moves: [1] },
  { q: "f", gate: true, moves: [1] },
  { q: "kept", moves: [1, 3] },
  { q: "forgotten", moves: [1] },
  { q: "i", gate: true, moves: [2] },
  { q: "g", moves: [2] },
  { q: "added", moves: [2, 3] },
  { q: "c", moves: [3, 4, 5] },
  { q: "tanh_c", moves: [4] },
  { q: "o", gate: true, moves: [4] },
  { q: "h", moves: [4, 5] },
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
  inputs.createCaption().innerHTML = strings.readout.inputs;
  const ihead = inputs.createTHead().insertRow();
  const ibody = inputs.createTBody().insertRow();
  for (let j = 0; j < D; j += 1) {
    ihead.append(cell("th", "", { scope: "col" }));
    ihead.lastChild.textContent = inputName(scenario, j);
    ibody.append(cell("td", "", { "data-q": "x", "data-j": String(j) }));
  }

  const table = document.createElement("table");
  table.className = "readout-units";
  table.createCaption().innerHTML = strings.readout.units;
  const head = table.createTHead().insertRow();
  head.append(cell("th", strings.readout.unit, { scope: "col" }));
  for (const column of COLUMNS) {
    const { label, title } = strings.quantities[column.q];
    head.append(cell("th", label, { scope: "col", title, "data-q": column.q }));
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
  note.textContent = format(strings.readout.note, { last: shownUnits(H) - 1, H });
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
      const shape = `${scenario.name}|${sizes.H}|${sizes.D}|${scenario.input_names.join(",")}|${document.documentElement.lang}`;
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
