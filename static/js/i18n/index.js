// The page's string catalogue. English is the base; setLanguage(code) lays another catalogue
// over it (a missing key keeps its English text). The language is part of the page's state (a
// shared link carries it as `lang`), so it is chosen once at start-up, before any text is drawn.

import en from "./en.js";

// Catalogues by primary language subtag. A later ko.js carries the same keys.
const CATALOGUES = { en };

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

// Uses `code`'s catalogue (English where it has none, or for a language without one), and marks
// the document with the language its text is actually in.
export function setLanguage(code) {
  overlay(strings, structuredClone(en));
  if (hasCatalogue(code)) overlay(strings, structuredClone(CATALOGUES[code]));
  document.documentElement.lang = hasCatalogue(code) ? code : "en";
}

// Fills "{name}" placeholders of a catalogue string.
export function format(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

// The catalogue entry at a dotted path ("walk.steps.0.name"), or undefined.
export function lookup(path) {
  return path.split(".").reduce((node, key) => (node == null ? undefined : node[key]), strings);
}

// Writes catalogue text into every element under root that names one with data-i18n (markup
// allowed: the catalogue is the project's own text), and titles named with data-i18n-title.
export function applyStrings(root) {
  for (const el of root.querySelectorAll("[data-i18n]")) {
    const text = lookup(el.dataset.i18n);
    if (typeof text === "string") el.innerHTML = text;
  }
  for (const el of root.querySelectorAll("[data-i18n-title]")) {
    const text = lookup(el.dataset.i18nTitle);
    if (typeof text === "string") {
      el.title = text;
      if (el.hasAttribute("aria-label")) el.setAttribute("aria-label", text);
    }
  }
}
