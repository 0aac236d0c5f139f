// Keeps the address bar in step with the state. A moment after each change the state's link
// (link.js) replaces the URL's fragment (history.replaceState: no history entry per slider move),
// and a link pasted into the address bar of the open page is handed back to be opened.

import { fetchScenario } from "./api.js";
import { encodeLink, isLink, largeParts, linkFields, LinkProblem, MAX_LINK_CHARS, readLink } from "./link.js";
import { kindOf } from "./models.js";
import { inputsCut, inputsLinkable, keptShown, state } from "./state.js";
import { readsText } from "./tokens.js";

// How long the state must stay still before the URL is rewritten.
const DELAY_MS = 250;

// What link.js reads the state from (see PROPERTIES there); `preset`: the scenario's own
// {x, h0, c0}, or null when unknown (then the link carries them whatever they are).
export function linkContext(preset = null) {
  const custom = Boolean(state.model && state.model.custom);
  const weights = custom ? (state.model.weights || state.ownWeights) : null;
  return { state, custom, weights, preset, lang: state.lang, opened: keptShown() };
}

// Why a link could not be read, as a function that says it in the page's current language.
export function linkReason(err) {
  if (err instanceof LinkProblem) return err.say;
  const text = String(err && err.message ? err.message : err);
  return () => text;
}

// Options:
//   linkable()          whether the state held is the one to link to (not a default about to be replaced)
//   onWritten(tooLarge) after each write: null, or {chars, parts} when the state has no link
//   onLink(fields)      a link was pasted into the address bar
//   onBadLink(reason)   one that cannot be read
export function createAddress(doc, { linkable, onWritten, onLink, onBadLink }) {
  const presets = new Map(); // scenario name → promise of its {x, h0, c0}, or of null if unknown
  let round = 0; // bumped by every change; a write finishing for an older round is dropped
  let timer = 0;
  let written = window.location.hash;

  function presetDefaults(name, model) {
    const key = `${model} ${name}`;
    if (!presets.has(key)) {
      presets.set(key, fetchScenario(name, model).then(({ x, h0, c0, tokens }) => ({ x, h0, c0, tokens })).catch(() => null));
    }
    return presets.get(key);
  }

  async function write() {
    const mine = round;
    const custom = Boolean(state.model && state.model.custom);
    const preset = custom ? null : await presetDefaults(state.scenario.name, kindOf(state.model));
    if (mine !== round || !linkable()) return;
    const fields = linkFields(linkContext(preset));
    const hash = await encodeLink(fields);
    if (mine !== round || !linkable()) return;
    // Inputs the page holds only the first columns of cannot go in a link at all (a text's can: as
    // text; a kept model's own, as its key).
    const inputsCarried = !inputsCut(state) || readsText(state) || inputsLinkable(state);
    const cut = inputsCarried ? null : { T: state.sizes.T, D: state.sizes.D };
    const tooLarge = cut !== null || hash.length > MAX_LINK_CHARS;
    // A state too large for a link leaves no link behind: the URL never stands for another state.
    const target = tooLarge ? "" : hash;
    if (target !== window.location.hash) {
      const { pathname, search } = window.location;
      window.history.replaceState(window.history.state, "", `${pathname}${search}${target}`);
    }
    written = window.location.hash;
    onWritten(tooLarge ? { chars: hash.length, parts: largeParts(fields), cut } : null);
    doc.body.dataset.link = tooLarge ? "too-large" : "saved";
  }

  // replaceState fires no hashchange: this is someone pasting or editing a link.
  window.addEventListener("hashchange", async () => {
    const { hash } = window.location;
    if (hash === written || !isLink(hash)) return;
    written = hash;
    let fields;
    try {
      fields = await readLink(hash);
    } catch (err) {
      onBadLink(linkReason(err));
      return;
    }
    onLink(fields);
  });

  doc.body.dataset.link = "pending";
  return {
    // The state or the view changed: rewrite the link once things are still.
    schedule() {
      round += 1;
      if (!linkable()) return;
      doc.body.dataset.link = "pending";
      window.clearTimeout(timer);
      timer = window.setTimeout(write, DELAY_MS);
    },
  };
}
