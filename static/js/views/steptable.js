// The data-table view of the current step: every gate and state of every unit as numbers (the
// server's, toFixed(4) as in the readout), for a screen reader and for anyone who would rather
// read a table than the belt. Rows are units; the columns are grouped into pre-activations, gates,
// and the belt and states. Drawn only while shown.

import { fixed4 } from "../format.js";
import { format, strings } from "../i18n/index.js";

// Column groups: the catalogue's table[group] names each, quantities[q] each column.
export const GROUPS = [
  { group: "preactivations", qs: ["pre_i", "pre_f", "pre_g", "pre_o"] },
  { group: "gates", qs: ["i", "f", "g", "o"] },
  { group: "states", qs: ["h_prev", "c_prev", "kept", "forgotten", "added", "c", "tanh_c", "h"] },
];
export const TABLE_QUANTITIES = GROUPS.flatMap((g) => g.qs);

function th(html, attrs) {
  const el = document.createElement("th");
  el.innerHTML = html; // the catalogue's own markup
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value);
  return el;
}

// The table's skeleton for H units; rebuilt when H or the language changes.
function build(el, H) {
  const table = document.createElement("table");
  table.className = "step-table-grid";
  const caption = table.createCaption();
  caption.id = "step-table-caption";
  const head = table.createTHead();
  const groups = head.insertRow();
  groups.append(th("", { scope: "col" }));
  for (const { group, qs } of GROUPS) groups.append(th(strings.table[group], { scope: "colgroup", colspan: String(qs.length) }));
  const names = head.insertRow();
  names.append(th(strings.table.unit, { scope: "col" }));
  for (const q of TABLE_QUANTITIES) {
    names.append(th(strings.quantities[q].label, { scope: "col", title: strings.quantities[q].title, "data-q": q }));
  }
  const body = table.createTBody();
  for (let k = 0; k < H; k += 1) {
    const tr = body.insertRow();
    tr.append(th(String(k), { scope: "row" }));
    for (const q of TABLE_QUANTITIES) {
      const td = tr.insertCell();
      td.dataset.q = q;
      td.dataset.unit = String(k);
    }
  }
  el.replaceChildren(table);
  return { caption, cells: [...body.querySelectorAll("td")] };
}

export function createStepTable(el) {
  let key = "";
  let parts = null; // {caption, cells}
  return {
    render(state) {
      el.hidden = !state.table;
      if (!state.table) return;
      const { sizes, trace, t } = state;
      const shape = `${sizes.H}|${document.documentElement.lang}`;
      if (shape !== key) {
        parts = build(el, sizes.H);
        key = shape;
      }
      parts.caption.textContent = format(strings.table.caption, { t });
      for (const td of parts.cells) {
        const text = fixed4(trace[td.dataset.q][t][Number(td.dataset.unit)]);
        if (td.textContent !== text) td.textContent = text;
      }
    },
  };
}
