// The page's string catalogue. English is the base; setLanguage(code) lays another catalogue
// over it (a missing key keeps its English text). The language is part of the page's state (a
// shared link carries it as `lang`): chosen at start-up from the link or the browser, and switched
// in place by the page's language buttons, after which every view draws its text again.

import { captionNumber } from "../format.js";
import en from "./en.js";
import ko from "./ko.js";

// Catalogues by primary language subtag; every one carries the same keys as en.js.
export const CATALOGUES = { en, ko };
export const LANGUAGES = Object.keys(CATALOGUES);

// One object for the page's lifetime: views keep references to its parts (strings.walk, …), so a
// language change writes into these same objects rather than replacing them.
export const strings = structuredClone(en);

// Copies `source` into `target` key by key, descending into nested objects and arrays.
function overlay(target, source) {
  for (const [key, value] of Object.entries(source)) {
    if (value && typeof value === "object" && target[key] && typeof target[key] === "object") {
      overlay(target[key], value);
    } else {
      target[key] = value;
    }
  }
}

// The language a visitor's browser asks for, as a primary subtag ("en", "ko").
export function browserLanguage() {
  const tag = (navigator.language || "en").toLowerCase();
  const primary = tag.split("-")[0];
  return /^[a-z]{2,3}$/.test(primary) ? primary : "en";
}

// Whether the page has a catalogue for this language (otherwise it shows English).
export function hasCatalogue(code) {
  return Object.hasOwn(CATALOGUES, code);
}

// The whole catalogue of one language (English underneath any key it lacks), as a new object.
export function catalogue(code) {
  const merged = structuredClone(en);
  if (hasCatalogue(code)) overlay(merged, structuredClone(CATALOGUES[code]));
  return merged;
}

// The language the page's text is in: `code` when it has a catalogue, else English.
export function textLanguage(code) {
  return hasCatalogue(code) ? code : "en";
}

// Uses `code`'s catalogue (English where it has none, or for a language without one), and marks
// the document with the language its text is actually in.
export function setLanguage(code) {
  overlay(strings, structuredClone(en));
  if (hasCatalogue(code)) overlay(strings, structuredClone(CATALOGUES[code]));
  document.documentElement.lang = textLanguage(code);
}

// Fills "{name}" placeholders of a catalogue string: a list is joined with ", ", and "{name:or}"
// joins a list of alternatives in the page's language (see alternatives), and "{name:num}" writes
// a caption's number (captionNumber). Anything else, such as Plotly's "%{y:.4f}", is left as it is.
export function format(template, values) {
  return template.replace(/\{(\w+)(?::(or|num))?\}/g, (whole, name, spec) => {
    if (!(name in values)) return whole;
    const value = values[name];
    if (spec === "or") return alternatives(value);
    if (spec === "num") return captionNumber(value);
    return Array.isArray(value) ? value.join(", ") : String(value);
  });
}

// A list of alternatives as pydantic writes them, strings quoted, joined by the catalogue's "or":
// "'a', 'b' or 'c'", "'a', 'b' 또는 'c'" (app/i18n.py's alternatives does the same). Anything
// that is not a list (an older server's ready-made text) is shown as it is.
export function alternatives(values) {
  if (!Array.isArray(values)) return String(values);
  const shown = values.map((value) => (typeof value === "string" ? `'${value}'` : String(value)));
  if (shown.length < 2) return shown.join("");
  return format(strings.join.or, { rest: shown.slice(0, -1).join(", "), last: shown[shown.length - 1] });
}

// The catalogue entry at a dotted path ("walk.steps.0.name"), or undefined.
export function lookup(path) {
  return path.split(".").reduce((node, key) => (node == null ? undefined : node[key]), strings);
}

// A problem the server named by `code` and `params` (docs/protocol.md; a socket error or a REST
// refusal), in the page's language: the catalogue's template with the parameters filled in
// ("{message}" is the server's English text, "{note}" the remark params.note names), or the
// server's English `message` for a code the catalogue does not know.
export function problemText(code, params, message) {
  const template = code && Object.hasOwn(strings.problems, code) ? strings.problems[code] : null;
  if (!template) return message;
  const values = params && typeof params === "object" ? params : {};
  const note = typeof values.note === "string" && Object.hasOwn(strings.notes, values.note)
    ? strings.notes[values.note]
    : "";
  return format(template, { ...values, message, note });
}

// Writes catalogue text into every element under root that names one: data-i18n its content
// (markup allowed: the catalogue is the project's own text), data-i18n-title its title (and its
// aria-label when it has one), data-i18n-label its aria-label.
export function applyStrings(root) {
  for (const el of root.querySelectorAll("[data-i18n]")) {
    const text = lookup(el.dataset.i18n);
    if (typeof text === "string") el.innerHTML = text;
  }
  for (const el of root.querySelectorAll("[data-i18n-title]")) {
    const text = lookup(el.dataset.i18nTitle);
    if (typeof text === "string") {
      el.title = text;
      if (el.hasAttribute("aria-label") && !el.dataset.i18nLabel) el.setAttribute("aria-label", text);
    }
  }
  for (const el of root.querySelectorAll("[data-i18n-label]")) {
    const text = lookup(el.dataset.i18nLabel);
    if (typeof text === "string") el.setAttribute("aria-label", text);
  }
}

// A text with its markup removed, for attributes and announcements (aria-label takes no markup).
export function plain(html) {
  return html.replace(/<sub>(.*?)<\/sub>/g, "_$1").replace(/<sup>(.*?)<\/sup>/g, "^$1").replace(/<[^>]*>/g, "");
}
