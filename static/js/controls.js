// Every control of the page: transport (step, play, speed, scrubber), one slider per input,
// the sequence generator, scenario and reset, and the keyboard. Controls never change the state
// themselves; they call the actions main.js hands in, and render() mirrors the state back.

import { inputPending } from "./state.js";
import { num, speed as speedText } from "./format.js";
import { strings } from "./i18n/index.js";

// At most this many input sliders; larger models are edited with the generator.
const MAX_SLIDERS = 16;

// Keys that belong to the focused element, not to the page's shortcuts.
export function ownsKeys(target, key) {
  if (!(target instanceof Element)) return false;
  if (target.closest("input, select, textarea, [contenteditable=''], [contenteditable='true']")) return true;
  // Space activates a focused button or link itself; clicking it twice would undo it.
  return key === " " && Boolean(target.closest("button, a[href], summary"));
}

function readNumber(input) {
  const text = input.value.trim();
  if (text === "") return { skip: true };
  const value = Number(text);
  if (!Number.isFinite(value)) return { error: "is not a number" };
  if (input.dataset.int === "true" && !Number.isInteger(value)) return { error: "must be a whole number" };
  return { value };
}

// The generator form's current choice as a protocol `sequence`, or {field, message} if invalid.
function readGenerator(form, kind) {
  const sequence = { kind };
  const fieldset = form.querySelector(`fieldset[data-kind="${kind}"]`);
  for (const input of fieldset.querySelectorAll("input[data-param]")) {
    const { skip, value, error } = readNumber(input);
    if (error) return { field: `sequence.${input.dataset.param}`, message: `${input.dataset.param} ${error}` };
    if (!skip) sequence[input.dataset.param] = value;
  }
  return { sequence };
}

export function createControls(doc, actions) {
  const $ = (id) => doc.getElementById(id);
  const el = {
    back: $("step-back"), forward: $("step-forward"), play: $("play"), speed: $("speed"),
    speedValue: $("speed-value"), scrubber: $("scrubber"), stepLabel: $("step-label"),
    beltStep: $("belt-step"), sliders: $("input-sliders"), scenario: $("scenario"), reset: $("reset"),
    form: $("generator"), kind: $("gen-kind"), component: $("gen-component"),
  };
  let slidersKey = ""; // which inputs the sliders were built for

  el.back.addEventListener("click", () => actions.step(-1));
  el.forward.addEventListener("click", () => actions.step(1));
  el.play.addEventListener("click", () => actions.togglePlay());
  el.speed.addEventListener("input", () => actions.setSpeed(Number(el.speed.value)));
  el.scrubber.addEventListener("input", () => actions.goTo(Number(el.scrubber.value)));
  el.scenario.addEventListener("change", () => actions.load(el.scenario.value));
  el.reset.addEventListener("click", () => actions.reset());

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
    if (event.altKey || event.ctrlKey || event.metaKey || ownsKeys(event.target, event.key)) return;
    const keys = {
      ArrowLeft: () => actions.step(-1),
      ArrowRight: () => actions.step(1),
      " ": () => actions.togglePlay(),
      Home: () => actions.goTo(0),
      End: () => actions.goTo(Number.POSITIVE_INFINITY),
    };
    if (!keys[event.key]) return;
    event.preventDefault(); // no page scroll for space, Home and End
    keys[event.key]();
  });

  function buildSliders(scenario, D) {
    el.sliders.replaceChildren();
    const [lo, hi] = scenario.input_range;
    for (let j = 0; j < Math.min(D, MAX_SLIDERS); j += 1) {
      const name = scenario.input_names[j] ?? `x${j}`;
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
    if (D > MAX_SLIDERS) {
      const note = doc.createElement("p");
      note.className = "note";
      note.textContent = `Sliders for inputs 0–${MAX_SLIDERS - 1} of ${D}; use the generator for the rest.`;
      el.sliders.append(note);
    }
    el.component.replaceChildren(new Option("all inputs", ""));
    for (let j = 0; j < D; j += 1) el.component.append(new Option(scenario.input_names[j] ?? `x${j}`, String(j)));
  }

  return {
    // Replaces the scenario menu with the server's list (the page ships two as a fallback).
    setScenarios(list, current) {
      if (!list.length) return;
      const own = el.scenario.querySelector("option[data-own]");
      el.scenario.replaceChildren(...(own ? [own] : []), ...list.map((s) => new Option(s.title || s.name, s.name)));
      if (current) el.scenario.value = current;
    },
    render(state) {
      const { sizes, scenario, trace, t } = state;
      const last = sizes.T - 1;
      el.stepLabel.textContent = `t = ${t} / ${last}`;
      el.beltStep.textContent = `t = ${t}`;
      el.scrubber.max = String(last);
      el.scrubber.value = String(t);
      el.scrubber.setAttribute("aria-valuetext", `step ${t} of ${last}`);
      el.back.disabled = t <= 0;
      el.forward.disabled = t >= last;
      el.play.setAttribute("aria-pressed", String(state.playing));
      el.play.textContent = state.playing ? "❚❚ Pause" : "▶ Play";
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
      if (el.scenario.value !== scenario.name) el.scenario.value = scenario.name;

      const key = `${scenario.name}|${sizes.D}|${scenario.input_names.join(",")}|${scenario.input_range}`;
      if (key !== slidersKey) {
        buildSliders(scenario, sizes.D);
        slidersKey = key;
      }
      // While a move is unanswered the slider under the pointer is ahead of the trace: leave it.
      const busy = inputPending();
      for (const slider of el.sliders.querySelectorAll("input.input-slider")) {
        if (busy && slider === doc.activeElement) continue;
        const value = trace.x[t][Number(slider.dataset.j)];
        slider.value = String(value);
        slider.setAttribute("aria-valuetext", num(value, 2));
        slider.parentElement.querySelector("output").textContent = num(value, 2);
      }
    },
  };
}
