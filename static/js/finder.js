// The unit finder (the "Find units" dive): rank every unit of the model by a span of steps
// (LSTMVis: on inside it, off elsewhere), by how long its forget gate holds, or by correlation with
// a pattern in the text; the server ranks (find_units, docs/protocol.md) and the units picked
// become the belt's lanes, the belt over time's and the heatmap's rows. A span is typed here or
// selected with the mouse in the text strip.

import { num } from "./format.js";
import { format, strings } from "./i18n/index.js";
import { modelOf } from "./models.js";
import { escapeHtml, readsText } from "./tokens.js";

const S = strings.finder;
const TOP = 10; // units asked for
const PICKED = 5; // of them, ticked at first to go on the belt

function readInt(input) {
  const text = input.value.trim();
  return text === "" || !Number.isInteger(Number(text)) ? null : Number(text);
}

export function createFinder(doc, actions) {
  const $ = (id) => doc.getElementById(id);
  const el = {
    form: $("finder"), start: $("find-start"), stop: $("find-stop"), pattern: $("find-pattern"),
    quantity: $("find-quantity"), spanNote: $("find-span-note"), summary: $("find-summary"),
    results: $("find-results"), show: $("find-show"), clear: $("find-clear"),
  };
  const radios = [...el.form.querySelectorAll("input[name='ranking']")];
  let listed = null; // the `units` answer the list was built from
  let listedLang = ""; // and the language it was written in
  let spanShown = ""; // the span the fields last showed

  const ranking = () => radios.find((radio) => radio.checked).value;

  function showFields() {
    for (const field of el.form.querySelectorAll("[data-ranking]")) {
      field.hidden = !field.dataset.ranking.split(" ").includes(ranking());
    }
  }
  radios.forEach((radio) => radio.addEventListener("change", showFields));
  showFields();

  for (const input of [el.start, el.stop]) {
    input.addEventListener("change", () => {
      const [start, stop] = [readInt(el.start), readInt(el.stop)];
      if (start !== null && stop !== null) actions.setSpan(start, stop);
    });
  }

  el.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const fields = { ranking: ranking(), top: TOP };
    if (fields.ranking !== "memory") fields.quantity = el.quantity.value;
    if (fields.ranking === "span") {
      const [start, stop] = [readInt(el.start), readInt(el.stop)];
      if (start === null || stop === null) {
        actions.localError(start === null ? "start" : "stop", S.needSpan);
        return;
      }
      Object.assign(fields, { start, stop });
    }
    if (fields.ranking === "pattern") fields.pattern = el.pattern.value;
    actions.findUnits(fields);
  });

  el.show.addEventListener("click", () => {
    const picked = [...el.results.querySelectorAll("input:checked")].map((box) => Number(box.value));
    actions.chooseUnits(picked);
  });
  el.clear.addEventListener("click", () => actions.chooseUnits(null));

  function summaryText(found) {
    const values = { n: found.units.length, H: found.hidden, q: found.quantity || "", start: found.start,
      last: found.stop - 1, pattern: escapeHtml(found.pattern || ""), matched: found.matched, steps: found.steps, gate: found.gate };
    return format(S.found[found.ranking], values);
  }

  function listResults(found) {
    el.results.replaceChildren(...found.units.map((entry, n) => {
      const item = doc.createElement("li");
      const label = doc.createElement("label");
      const box = doc.createElement("input");
      box.type = "checkbox";
      box.value = String(entry.unit);
      box.checked = n < PICKED;
      const score = found.ranking === "pattern" ? S.scoreR : S.score;
      label.append(box, ` ${format(S.unit, { k: entry.unit })} · `);
      label.insertAdjacentHTML("beforeend", format(score, { value: num(entry.score, 3) }));
      item.append(label);
      return item;
    }));
  }

  return {
    render(state) {
      if (!state.sizes) return;
      const patternRadio = radios.find((radio) => radio.value === "pattern");
      patternRadio.disabled = !readsText(state);
      if (patternRadio.disabled && patternRadio.checked) {
        radios[0].checked = true;
        showFields();
      }
      const gru = modelOf(state).belt === "h";
      el.quantity.querySelector("option[value='c']").disabled = gru;
      if (gru) el.quantity.value = "h";
      // The span's fields follow the state when it changes (a selection in the text strip), and
      // keep what is being typed in them meanwhile.
      const { span } = state;
      const spanKey = `${span && span.start}|${span && span.stop}|${state.sizes.T}|${readsText(state)}|` +
        `${document.documentElement.lang}`;
      if (spanKey !== spanShown) {
        for (const [input, value] of [[el.start, span && span.start], [el.stop, span && span.stop]]) {
          if (doc.activeElement !== input) input.value = value === null || value === undefined ? "" : String(value);
          input.max = String(state.sizes.T - (input === el.start ? 1 : 0));
        }
        el.spanNote.innerHTML = span ? format(S.spanNote, { start: span.start, last: span.stop - 1 })
          : readsText(state) ? S.selectText : S.typeSpan;
        spanShown = spanKey;
      }
      if (state.found !== listed || listedLang !== document.documentElement.lang) {
        listed = state.found;
        listedLang = document.documentElement.lang;
        if (listed) listResults(listed);
        else el.results.replaceChildren();
        el.summary.innerHTML = listed ? summaryText(listed) : "";
      }
      el.show.disabled = !listed;
      el.clear.disabled = !state.chosen;
    },
  };
}
