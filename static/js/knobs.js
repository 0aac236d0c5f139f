// The knobs panel: gate-bias shifts, weight scales and the loss target (set_knobs), the initial
// state h0 / c0 (set_state), gate clamps (set_clamp), and the unit the gradient and race charts
// single out. Like
// controls.js it never changes the state itself: it calls the actions main.js hands in, and
// render() mirrors what the server last sent (so a reset or a load puts every knob back).

import { knobPending, statePending } from "./state.js";
import { num, signed } from "./format.js";
import { format, strings } from "./i18n/index.js";
import { kindOf, KINDS } from "./models.js";
import { shownUnits } from "./views/common.js";

// How each knob's value is written beside its slider.
const SHOW = {
  bias_i: (v) => signed(v, 1),
  bias_f: (v) => signed(v, 1),
  bias_g: (v) => signed(v, 1),
  bias_o: (v) => signed(v, 1),
  bias_r: (v) => signed(v, 1),
  bias_z: (v) => signed(v, 1),
  bias_n: (v) => signed(v, 1),
  weight_scale: (v) => `${num(v, 2)}×`,
  rnn_scale: (v) => format(strings.knobs.rnnValue, { value: num(v, 2) }),
};

// The initial state and the gates of each kind of model (a GRU has no c0).
const STATE_NAMES = { lstm: ["h0", "c0"], gru: ["h0"] };

// The units a clamp control speaks for: every unit ("" in its menu) or one.
function scopeUnits(select, H) {
  return select.value === "" ? Array.from({ length: H }, (_, k) => k) : [Number(select.value)];
}

// What is forced now, in words: "free", "all units 1.00", or "unit 0 1.00 · unit 2 0.00". Returns
// [text, forced].
function clampText(row) {
  const S = strings.clamp;
  const forced = (row || []).map((v, k) => [k, v]).filter(([, v]) => v !== null);
  if (!forced.length) return [S.free, false];
  if (forced.length === row.length && forced.every(([, v]) => v === forced[0][1])) {
    return [format(S.allUnitsValue, { value: num(forced[0][1], 2) }), true];
  }
  return [forced.map(([k, v]) => format(S.unitValue, { k, value: num(v, 2) })).join(" · "), true];
}

export function createKnobs(doc, actions) {
  const $ = (id) => doc.getElementById(id);
  const el = {
    sliders: [...doc.querySelectorAll("input.knob[data-knob]")],
    target: $("knob-target"),
    state: $("state-sliders"),
    unit: $("unit-select"),
    clamps: $("clamps"),
  };
  let sizeKey = ""; // the H, language and model kind the unit menus and state sliders were built for
  let gates = KINDS.lstm.gates; // the gates of the model that runs
  let drawn = null; // the state last mirrored, so a clamp's unit menu can re-mirror on its own

  const output = (slider) => doc.querySelector(`output[for="${slider.id}"]`);

  for (const slider of el.sliders) {
    slider.addEventListener("input", () => {
      const name = slider.dataset.knob;
      const value = Number(slider.value);
      output(slider).textContent = SHOW[name](value);
      actions.setKnobs({ [name]: value });
    });
  }
  el.target.addEventListener("change", () => {
    const { value } = el.target;
    actions.setKnobs({ target: value === "sum" ? "sum" : Number(value) });
  });
  el.unit.addEventListener("change", () => {
    actions.setUnit(el.unit.value === "" ? null : Number(el.unit.value));
  });
  // One listener for the initial-state sliders (rebuilt when H changes).
  el.state.addEventListener("input", (event) => {
    const slider = event.target.closest("input.state-slider");
    if (!slider) return;
    const value = Number(slider.value);
    output(slider).textContent = num(value, 2);
    actions.setState(slider.dataset.name, Number(slider.dataset.unit), value);
  });

  const clampPart = (gate, part) => $(`clamp-${gate}-${part}`);

  function sendClamp(gate, value) {
    const unit = clampPart(gate, "unit").value;
    actions.setClamp(gate, unit === "" ? null : Number(unit), value);
  }
  el.clamps.addEventListener("change", (event) => {
    const target = event.target;
    if (target.matches("input.clamp-on")) {
      const { gate } = target.dataset;
      sendClamp(gate, target.checked ? Number(clampPart(gate, "value").value) : null);
    } else if (target.matches("select.clamp-unit") && drawn) {
      paintClamps(drawn); // the same clamps seen for other units
    }
  });
  el.clamps.addEventListener("input", (event) => {
    const slider = event.target.closest("input.clamp-value");
    if (!slider) return;
    const { gate } = slider.dataset;
    output(slider).textContent = num(Number(slider.value), 2);
    // Moving a clamp's slider forces the gate (a slider that moved nothing looked broken): the
    // box is ticked, and the forced value follows the slider live.
    clampPart(gate, "on").checked = true;
    sendClamp(gate, Number(slider.value));
  });

  // Checkbox, slider and summary of each gate's clamp, from knobs.clamps ({} when nothing is forced).
  function paintClamps(state) {
    const clamps = state.knobs.clamps || {};
    const busy = knobPending();
    for (const block of el.clamps.querySelectorAll(".clamp[data-gate]")) block.hidden = !gates.includes(block.dataset.gate);
    for (const gate of gates) {
      const row = clamps[gate] || null;
      const units = scopeUnits(clampPart(gate, "unit"), state.sizes.H);
      const forced = Boolean(row) && units.every((k) => row[k] !== null);
      const on = clampPart(gate, "on");
      const slider = clampPart(gate, "value");
      // While a move is unanswered the control under the hand is ahead of the state: leave it.
      const held = busy && (on === doc.activeElement || slider === doc.activeElement);
      if (!held) on.checked = forced;
      if (forced && !(busy && slider === doc.activeElement)) {
        slider.value = String(row[units[0]]);
        output(slider).textContent = num(row[units[0]], 2);
      }
      const summary = el.clamps.querySelector(`.clamp-state[data-gate="${gate}"]`);
      const [text, isForced] = clampText(row);
      summary.textContent = text;
      summary.classList.toggle("is-forced", isForced);
    }
  }

  // Menus, labels and initial-state sliders for H units, in the page's language (rebuilt when
  // either changes; the menus keep their choice).
  function buildForSize(H, kind) {
    const K = strings.knobs;
    const C = strings.clamp;
    el.target.replaceChildren(new Option(K.targetSum, "sum"));
    el.unit.replaceChildren(new Option(strings.lab.allUnits, ""));
    for (let k = 0; k < H; k += 1) {
      el.target.append(new Option(format(K.targetUnit, { k }), String(k)));
      el.unit.append(new Option(format(strings.lab.unitOption, { k }), String(k)));
    }
    for (const gate of gates) {
      const menu = clampPart(gate, "unit");
      const chosen = menu.value;
      menu.replaceChildren(new Option(C.allUnits, ""));
      for (let k = 0; k < H; k += 1) menu.append(new Option(format(C.unitOption, { k }), String(k)));
      if (chosen !== "" && Number(chosen) < H) menu.value = chosen;
      menu.setAttribute("aria-label", format(C.unitsLabel, { gate }));
      clampPart(gate, "value").setAttribute("aria-label", format(C.valueLabel, { gate }));
    }
    el.state.replaceChildren();
    const head = doc.createElement("div");
    head.className = "state-row state-head";
    head.setAttribute("aria-hidden", "true"); // each slider names itself (stateLabel)
    for (const text of ["", ...STATE_NAMES[kind].map((name) => K[name])]) {
      const span = doc.createElement("span");
      span.textContent = text;
      head.append(span);
    }
    el.state.append(head);
    for (let k = 0; k < shownUnits(H); k += 1) {
      const row = doc.createElement("div");
      row.className = "state-row";
      const label = doc.createElement("span");
      label.className = "state-unit";
      label.textContent = format(K.stateUnit, { k });
      row.append(label);
      for (const name of STATE_NAMES[kind]) {
        const slider = doc.createElement("input");
        Object.assign(slider, { type: "range", id: `state-${name}-${k}`, min: "-2", max: "2", step: "0.01" });
        slider.className = "state-slider";
        slider.dataset.name = name;
        slider.dataset.unit = String(k);
        slider.setAttribute("aria-label", format(K.stateLabel, { name: K[name], k }));
        const value = doc.createElement("output");
        value.htmlFor = slider.id;
        value.className = "knob-value";
        row.append(slider, value);
      }
      el.state.append(row);
    }
    if (H > shownUnits(H)) {
      const note = doc.createElement("p");
      note.className = "note";
      note.textContent = format(K.stateNote, { last: shownUnits(H) - 1, H });
      el.state.append(note);
    }
  }

  return {
    render(state) {
      const { knobs, sizes, trace } = state;
      const kind = kindOf(state.model);
      const key = `${sizes.H}|${state.lang}|${kind}`;
      if (key !== sizeKey) {
        gates = KINDS[kind].gates;
        buildForSize(sizes.H, kind);
        sizeKey = key;
      }
      // While a move is unanswered the slider under the pointer is ahead of the state: leave it.
      const knobBusy = knobPending();
      for (const slider of el.sliders) {
        const name = slider.dataset.knob;
        slider.closest(".knob-row").hidden = !(name in knobs); // the knobs of the model that runs
        if (!(name in knobs) || (knobBusy && slider === doc.activeElement)) continue;
        slider.value = String(knobs[name]);
        slider.setAttribute("aria-valuetext", SHOW[name](knobs[name]));
        output(slider).textContent = SHOW[name](knobs[name]);
      }
      el.target.value = String(knobs.target);
      el.unit.value = state.unit === null ? "" : String(state.unit);

      const stateBusy = statePending();
      for (const slider of el.state.querySelectorAll("input.state-slider")) {
        if (stateBusy && slider === doc.activeElement) continue;
        const value = state[slider.dataset.name][Number(slider.dataset.unit)];
        slider.value = String(value);
        slider.setAttribute("aria-valuetext", num(value, 2));
        output(slider).textContent = num(value, 2);
      }
      paintClamps(state);
      drawn = state;
    },
  };
}
