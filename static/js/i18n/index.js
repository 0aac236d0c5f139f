// The page's string catalogue for the explanation views. The catalogue is chosen by the
// document's language (<html lang>); English is the fallback for any missing language.

import en from "./en.js";

const CATALOGUES = { en };

export const strings = CATALOGUES[document.documentElement.lang.slice(0, 2)] || en;

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
