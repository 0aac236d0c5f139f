// The page's words that differ for a GRU (the dives' headings and hints, the belt's hint): an element
// names its GRU text with data-i18n-gru (content) or data-i18n-gru-title (title) beside its usual
// data-i18n key, and render() puts in the one for the model that runs. A view over the state.

import { lookup } from "./i18n/index.js";
import { kindOf } from "./models.js";

export function createKindWords(doc) {
  const contents = [...doc.querySelectorAll("[data-i18n-gru]")];
  const titles = [...doc.querySelectorAll("[data-i18n-gru-title]")];
  return {
    render(state) {
      const gru = kindOf(state.model) === "gru";
      for (const el of contents) {
        const text = lookup(gru ? el.dataset.i18nGru : el.dataset.i18n);
        if (typeof text === "string" && el.innerHTML !== text) el.innerHTML = text; // our own catalogue's markup
      }
      for (const el of titles) {
        const text = lookup(gru ? el.dataset.i18nGruTitle : el.dataset.i18nTitle);
        if (typeof text === "string" && el.title !== text) el.title = text;
      }
    },
  };
}
