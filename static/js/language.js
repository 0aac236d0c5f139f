// Switching the page's language in place: the catalogue changes under every view, and the next
// drawing pass draws all their text anew.

import { fetchScenarios } from "./api.js";
import { applyStrings, setLanguage, textLanguage } from "./i18n/index.js";
import { setLang, state } from "./state.js";

// Options:
//   doc            the document (the template's text is in it)
//   controls       controls.js (the scenario menu, the language buttons)
//   requestDraw()  asks for a drawing pass (painter.js)
// Returns {switchTo(code), loadScenarioMenu()}.
export function createLanguage({ doc, controls, requestDraw }) {
  let menuRequests = 0;

  function loadScenarioMenu() {
    menuRequests += 1;
    const mine = menuRequests;
    // The menu is a convenience: if the list cannot be fetched the scenario on show stays named.
    fetchScenarios(textLanguage(state.lang))
      .then((list) => {
        if (mine === menuRequests) controls.setScenarios(list, state.scenario && state.scenario.name);
      })
      .catch(() => {});
  }

  // The language of every word on the page: the catalogue, <html lang>, the template's text, the
  // scenario menu's titles; the next pass draws the views' text. It becomes part of the link.
  function switchTo(code) {
    setLang(code);
    setLanguage(code);
    applyStrings(doc);
    controls.renderLanguage(state);
    loadScenarioMenu();
    requestDraw();
  }

  return { switchTo, loadScenarioMenu };
}
