// Every control of the page: transport (step, play, speed, scrubber), one slider per input,
// the sequence generator, scenario and reset, the language buttons, the help window and the
// keyboard. Controls never change the state themselves; they call the actions
// main.js hands in, and render() mirrors the state back.

import { inputPending, inputRows } from "./state.js";
import { num, speed as speedText } from "./format.js";
import { format, strings, textLanguage } from "./i18n/index.js";
import { readsText, shown, tokenAt } from "./tokens.js";
import { inputName } from "./views/common.js";

// At most this many input sliders; larger models are edited with the generator.
const MAX_SLIDERS = 16;

// Keys that belong to the focused element, not to the page's shortcuts (and none of them while
// a dialog such as the help window is open: its own keys are Tab and Esc).
export function ownsKeys(target, key) {
  if (!(target instanceof Element)) return false;
  if (target.closest("dialog") || target.ownerDocument.querySelector("dialog[open]")) return true;
  if (target.closest("input, select, textarea, [contenteditable=''], [contenteditable='true']")) return true;
  // A tab list moves between its tabs with the arrows, Home and End (tabs.js).
  if (target.closest("[role='tab']") && ["ArrowLeft", "ArrowRight", "Home", "End"].includes(key)) return true;
  // Space activates a focused button or link itself; clicking it twice would undo it.
  return key === " " && Boolean(target.closest("button, a[href], summary"));
}

// A field where the keys type text (so "?" is a character there, not the help key).
function typesText(target) {
  return target instanceof Element && Boolean(target.closest(
    "textarea, [contenteditable=''], [contenteditable='true'], input:not([type=range]):not([type=checkbox]):not([type=radio])",
  ));
}

function readNumber(input) {
  const text = input.value.trim();
  if (text === "") return { skip: true };
  const value = Number(text);
  if (!Number.isFinite(value)) return { error: "notNumber" };
  if (input.dataset.int === "true" && !Number.isInteger(value)) return { error: "notWhole" };
  return { value };
}

// The generator form's current choice as a protocol `sequence`, or {field, message} if invalid.
function readGenerator(form, kind) {
  const sequence = { kind };
  const fieldset = form.querySelector(`fieldset[data-kind="${kind}"]`);
  for (const input of fieldset.querySelectorAll("input[data-param]")) {
    const { skip, value, error } = readNumber(input);
    if (error) {
      const param = strings.generator.params[input.dataset.param] ?? input.dataset.param;
      return { field: `sequence.${input.dataset.param}`, message: format(strings.generator[error], { param }) };
    }
    if (!skip) sequence[input.dataset.param] = value;
  }
  return { sequence };
}

export function createControls(doc, actions) {
  const $ = (id) => doc.getElementById(id);
  const el = {
    back: $("step-back"), forward: $("step-forward"), play: $("play"), speed: $("speed"),
    speedValue: $("speed-value"), scrubber: $("scrubber"), stepLabel: $("step-label"),
    sliders: $("input-sliders"), scenario: $("scenario"), reset: $("reset"),
    form: $("generator"), kind: $("gen-kind"), component: $("gen-component"),
    heading: $("belt-heading"), langs: [...doc.querySelectorAll("#lang button[data-lang]")],
    help: $("help"), helpOpen: $("help-open"),
  };
  let slidersKey = ""; // which inputs the sliders were built for
  let listed = false; // whether the scenario menu holds the server's list

  el.back.addEventListener("click", () => actions.step(-1));
  el.forward.addEventListener("click", () => actions.step(1));
  el.play.addEventListener("click", () => actions.togglePlay());
  el.speed.addEventListener("input", () => actions.setSpeed(Number(el.speed.value)));
  el.scrubber.addEventListener("input", () => actions.goTo(Number(el.scrubber.value)));
  el.scenario.addEventListener("change", () => actions.load(el.scenario.value));
  el.reset.addEventListener("click", () => actions.reset());
  for (const button of el.langs) button.addEventListener("click", () => actions.setLanguage(button.dataset.lang));

  function openHelp() {
    if (!el.help.open) el.help.showModal(); // focus moves into it; Esc or its button closes it
  }
  el.helpOpen.addEventListener("click", openHelp);

  el.kind.addEventListener("change", () => {
    for (const fieldset of el.form.querySelectorAll("fieldset[data-kind]")) {
      fieldset.hidden = fieldset.dataset.kind !== el.kind.value;
    }
  });
  el.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const { sequence, field, message } = readGenerator(el.form, el.kind.value);
    if (!sequence) {
      actions.localError(field, message);
      return;
    }
    actions.generate(el.component.value === "" ? null : Number(el.component.value), sequence);
  });

  // One listener for all sliders (they are rebuilt when the scenario changes).
  el.sliders.addEventListener("input", (event) => {
    const slider = event.target.closest("input.input-slider");
    if (!slider) return;
    const value = Number(slider.value);
    slider.parentElement.querySelector("output").textContent = num(value, 2);
    actions.setInput(Number(slider.dataset.j), value);
  });

  doc.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "?" && !typesText(event.target) && !el.help.open) {
      event.preventDefault();
      openHelp();
      return;
    }
    if (ownsKeys(event.target, event.key)) return;
    const keys = {
      ArrowLeft: () => actions.step(-1),
      ArrowRight: () => actions.step(1),
      " ": () => actions.togglePlay(),
      Home: () => actions.goTo(0, { now: true }),
      End: () => actions.goTo(Number.POSITIVE_INFINITY, { now: true }),
    };
    if (!keys[event.key]) return;
    event.preventDefault(); // no page scroll for space, Home and End
    keys[event.key]();
  });

  // Sliders for the first inputs (those the page holds: `held`), the generator for every one.
  function buildSliders(scenario, D, held) {
    el.sliders.replaceChildren();
    const [lo, hi] = scenario.input_range;
    const count = Math.min(D, held, MAX_SLIDERS);
    for (let j = 0; j < count; j += 1) {
      const name = inputName(scenario, j);
      const row = doc.createElement("div");
      row.className = "input-row";
      const label = doc.createElement("label");
      label.htmlFor = `input-${j}`;
      label.textContent = name;
      const slider = doc.createElement("input");
      Object.assign(slider, { type: "range", id: `input-${j}`, min: String(lo), max: String(hi), step: "0.01" });
      slider.className = "input-slider";
      slider.dataset.j = String(j);
      const output = doc.createElement("output");
      output.htmlFor = slider.id;
      output.className = "input-value";
      row.append(label, slider, output);
      el.sliders.append(row);
    }
    if (D > count) {
      const note = doc.createElement("p");
      note.className = "note";
      note.textContent = format(strings.inputs.slidersNote, { last: count - 1, D });
      el.sliders.append(note);
    }
    const chosen = el.component.value;
    el.component.replaceChildren(new Option(strings.generator.allInputs, ""));
    for (let j = 0; j < D; j += 1) el.component.append(new Option(inputName(scenario, j), String(j)));
    if (chosen !== "" && Number(chosen) < D) el.component.value = chosen;
  }

  return {
    // Replaces the scenario menu with the server's list (the page ships two as a fallback).
    // (its titles in the language asked for: GET /api/scenarios?lang=…).
    setScenarios(list, current) {
      if (!list.length) return;
      const own = el.scenario.querySelector("option[data-own]");
      el.scenario.replaceChildren(...(own ? [own] : []), ...list.map((s) => new Option(s.title || s.name, s.name)));
      if (current) el.scenario.value = current;
      listed = true;
    },
    // The language buttons: the one pressed is the language the text is in.
    renderLanguage(state) {
      const lang = textLanguage(state.lang);
      for (const button of el.langs) button.setAttribute("aria-pressed", String(button.dataset.lang === lang));
    },
    render(state) {
      const { sizes, scenario, trace, t } = state;
      const last = sizes.T - 1;
      this.renderLanguage(state);
      el.stepLabel.textContent = format(strings.transport.stepLabel, { t, last });
      // A model that reads text: the heading names the token the cell reads.
      const step = readsText(state) ? format(strings.text.stepToken, { t, token: shown(tokenAt(state, t)) }) : `t = ${t}`;
      // A step a rerun in parts has not reached yet still shows the numbers from before the change.
      const pending = state.pendingFrom !== null && t >= state.pendingFrom;
      el.heading.textContent = format(pending ? strings.belt.headingPending : strings.belt.heading, { t: step });
      el.scrubber.max = String(last);
      el.scrubber.value = String(t);
      el.scrubber.setAttribute("aria-valuetext", format(strings.transport.stepValue, { t, last }));
      el.back.disabled = t <= 0;
      el.forward.disabled = t >= last;
      el.play.setAttribute("aria-pressed", String(state.playing));
      el.play.textContent = state.playing ? strings.transport.pause : strings.transport.play;
      el.speed.value = String(state.speed);
      el.speedValue.textContent = speedText(state.speed);
      // Someone's own model is not one of the presets: the menu names it, and offers the presets.
      let own = el.scenario.querySelector("option[data-own]");
      if (scenario.name === "custom" && !own) {
        own = new Option(strings.files.ownModel, "custom");
        own.dataset.own = "true";
        own.disabled = true;
        el.scenario.prepend(own);
      } else if (scenario.name !== "custom" && own) {
        own.remove();
      }
      if (!listed && scenario.name !== "custom") {
        // Before the server's list arrives (or if it never does) the menu holds one option: the
        // scenario on show, titled in the page's language.
        const title = (scenario.text && scenario.text[textLanguage(state.lang)] || scenario).title;
        el.scenario.replaceChildren(...(own ? [own] : []), new Option(title, scenario.name));
      }
      if (el.scenario.value !== scenario.name) el.scenario.value = scenario.name;

      const held = inputRows(state)[0].length;
      const key = `${scenario.name}|${sizes.D}|${held}|${scenario.input_names.join(",")}|${scenario.input_range}|${state.lang}`;
      if (key !== slidersKey) {
        buildSliders(scenario, sizes.D, held);
        slidersKey = key;
      }
      // While a move is unanswered the slider under the pointer is ahead of the trace: leave it.
      const busy = inputPending();
      for (const slider of el.sliders.querySelectorAll("input.input-slider")) {
        if (busy && slider === doc.activeElement) continue;
        const value = inputRows(state)[t][Number(slider.dataset.j)];
        slider.value = String(value);
        slider.setAttribute("aria-valuetext", num(value, 2));
        slider.parentElement.querySelector("output").textContent = num(value, 2);
      }
    },
  };
}
