// The numbers deep dive: every quantity of the current step as the server sent it, toFixed(4),
// in one table with a column per unit and a row per quantity, grouped as the step computes them:
// what arrives, the gates' pre-activations and their three parts, the gates, the belt, the output.
// Each cell carries data-q / data-unit (the inputs data-q="x" / data-j) and a colour chip on the
// page's scales. Drawn only while its dive is open.

import { diverging, needsLightText, sequential } from "../colors.js";
import { fixed4, unitRuns } from "../format.js";
import { format, strings } from "../i18n/index.js";
import { modelOf } from "../models.js";
import { heldUnits, shownInputWidth } from "../state.js";
import { clampOf, inputName } from "./common.js";

// The most units the table lists (beyond, the exports have them all).
const MAX_UNITS = 64;
const GATE_ROWS = ["f", "i", "o"];

// Row groups: the catalogue's table[group] names each, quantities[q] each row. `moves`: the moves
// of the walk-through that involve the row (its cells then carry the class "walk-hl"). `table`: the
// step's states on the left, the gates' pre-activations and their parts beside them.
export const GROUPS = [
  // h_{t−1} feeds every gate: the forget, input and output moves all look at it.
  { group: "arrives", table: 0, rows: [["h_prev", [1, 2, 4]], ["c_prev", [1]]] },
  { group: "gates", table: 0, rows: [["f", [1]], ["i", [2]], ["g", [2]], ["o", [4]]] },
  { group: "belt", table: 0, rows: [["kept", [1, 3]], ["forgotten", [1]], ["added", [2, 3]], ["c", [3, 4, 5]]] },
  { group: "output", table: 0, rows: [["tanh_c", [4]], ["h", [4, 5]]] },
  { group: "preactivations", table: 1, rows: ["f", "i", "g", "o"].flatMap((q) =>
    [[`pre_${q}_x`, []], [`pre_${q}_h`, []], [`pre_${q}_b`, []], [`pre_${q}`, []]]) },
];
export const TABLE_QUANTITIES = GROUPS.flatMap((g) => g.rows.map(([q]) => q));
// A GRU's (its moves: 1 reset, 2 keep, 3 write, 4 the new h, 5 pass on); its belt is h itself.
const GRU_GROUPS = [
  { group: "arrives", table: 0, rows: [["h_prev", [1, 2]]] },
  { group: "gates", table: 0, rows: [["r", [1]], ["z", [2, 3]], ["n", [1, 3]]] },
  { group: "belt", table: 0, rows: [["kept", [2, 4]], ["forgotten", [2]], ["added", [3, 4]], ["h", [4, 5]]] },
  { group: "preactivationsGru", table: 1, rows: ["r", "z", "n"].flatMap((q) =>
    [[`pre_${q}_x`, []], [`pre_${q}_h`, []], [`pre_${q}_b`, []], [`pre_${q}`, []]]) },
];
const MOVES = Object.fromEntries(GROUPS.flatMap((g) => g.rows));
const GRU_MOVES = Object.fromEntries(GRU_GROUPS.flatMap((g) => g.rows));
const GRU_GATE_ROWS = ["r", "z"];

function cell(tag, html, attrs = {}) {
  const el = document.createElement(tag);
  el.innerHTML = html; // the project's own catalogue text
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value);
  return el;
}

// The two tables' skeletons; rebuilt only when the sizes, input names or language change.
// D: the inputs listed, of `width` the cell reads.
function build(el, scenario, H, D, width, gru, ids) {
  const units = ids.length;
  const inputs = document.createElement("table");
  inputs.className = "readout-inputs";
  const of = D < width ? ` ${format(strings.readout.inputsOf, { last: D - 1, D: width })}` : "";
  inputs.createCaption().innerHTML = strings.readout.inputs + of;
  const ihead = inputs.createTHead().insertRow();
  const ibody = inputs.createTBody().insertRow();
  for (let j = 0; j < D; j += 1) {
    ihead.append(cell("th", "", { scope: "col" }));
    ihead.lastChild.textContent = inputName(scenario, j);
    ibody.append(cell("td", "", { "data-q": "x", "data-j": String(j) }));
  }

  const tables = ["readout-units", "readout-pre"].map((name) => {
    const table = document.createElement("table");
    table.className = name;
    const head = table.createTHead().insertRow();
    head.append(cell("th", "", { scope: "col" }));
    for (const k of ids) head.append(cell("th", format(strings.readout.unitColumn, { k }), { scope: "col" }));
    return table;
  });
  const caption = tables[0].createCaption();
  for (const { group, rows, table: n } of gru ? GRU_GROUPS : GROUPS) {
    const body = tables[n].createTBody();
    body.dataset.group = group;
    const title = body.insertRow();
    title.append(cell("th", strings.table[group], { scope: "colgroup", colspan: String(units + 1), class: "group" }));
    for (const [q] of rows) {
      const tr = body.insertRow();
      const { label, title: what } = (gru && strings.quantitiesGru[q]) || strings.quantities[q];
      tr.append(cell("th", label, { scope: "row", title: what, "data-q": q }));
      for (const k of ids) tr.append(cell("td", "", { "data-q": q, "data-unit": String(k) }));
    }
  }
  const note = document.createElement("p");
  note.className = "note";
  note.hidden = H <= units;
  note.textContent = format(strings.readout.note, { list: unitRuns(ids), H });
  const grid = document.createElement("div");
  grid.className = "readout-tables";
  grid.append(...tables);
  el.replaceChildren(inputs, grid, note);
  return { caption, cells: [...grid.querySelectorAll("td[data-unit]")], inputs: [...ibody.cells] };
}

function paint(td, value, colour) {
  const text = fixed4(value);
  if (td.textContent !== text) td.textContent = text;
  // A CSSOM property (allowed under a strict CSP, unlike style attributes in markup).
  td.style.setProperty("--chip", colour);
  td.classList.toggle("chip-dark", needsLightText(colour));
}

export function createReadout(el) {
  let key = "";
  let parts = null;
  return {
    render(state) {
      // It lists every unit: until the server sends them all (it sends the belt's alone while this
      // dive is closed), the table keeps what it showed.
      if (state.dive !== "numbers") return;
      const { sizes, scenario, trace, t, walk, knobs } = state;
      const gru = modelOf(state).belt === "h";
      // The inputs the cell reads (a stack's upper layer reads the layer below): the first
      // MAX_UNITS of those held (the first columns only, for inputs too large for a message).
      const width = shownInputWidth(state);
      const D = Math.min(trace.x[0] ? trace.x[0].length : width, MAX_UNITS);
      // The units listed: the first MAX_UNITS of those whose columns are held (all, for a model
      // whose every unit fits a message).
      const ids = heldUnits(state).slice(0, MAX_UNITS);
      const shape = `${scenario.name}|${sizes.H}|${D}|${width}|${scenario.input_names.join(",")}|${gru}|${ids}|` +
        `${document.documentElement.lang}`;
      if (shape !== key) {
        parts = build(el, scenario, sizes.H, D, width, gru, ids);
        key = shape;
      }
      const gateRows = gru ? GRU_GATE_ROWS : GATE_ROWS;
      const gates = modelOf(state).gates;
      const moves = gru ? GRU_MOVES : MOVES;
      parts.caption.textContent = format(strings.table.caption, { t });
      const [lo, hi] = scenario.input_range;
      const inputLimit = Math.max(Math.abs(lo), Math.abs(hi));
      for (const td of parts.inputs) {
        const value = trace.x[t][Number(td.dataset.j)];
        paint(td, value, diverging(value, inputLimit));
      }
      for (const td of parts.cells) {
        const { q } = td.dataset;
        const unit = Number(td.dataset.unit);
        const value = trace[q][t][unit];
        paint(td, value, gateRows.includes(q) ? sequential(value) : diverging(Math.tanh(value), 1));
        const clamped = gates.includes(q) && clampOf(knobs, q, unit) !== null;
        td.classList.toggle("is-clamped", clamped);
        if (clamped) td.title = strings.clamp.cell;
        else td.removeAttribute("title");
        td.classList.toggle("walk-hl", Boolean(walk) && moves[q].includes(walk));
      }
    },
  };
}
