// A view's caption: the claims the server read off the numbers the view draws
// (app/gradient_story.py), each written from the page's catalogue. Nothing here decides what is
// true; a claim the catalogue does not know is left out rather than guessed.

import { format, strings } from "../i18n/index.js";

export function claimText(claim) {
  const template = strings.story[claim.code];
  return typeof template === "string" ? format(template, claim.params) : null;
}

// Writes the claims into a list element, one item each (plain text: the catalogue's story texts
// carry no markup), and hides the list when there are none.
export function renderStory(el, claims) {
  const texts = (claims || []).map(claimText).filter((text) => text !== null);
  el.replaceChildren(...texts.map((text) => {
    const item = document.createElement("li");
    item.textContent = text;
    return item;
  }));
  el.hidden = texts.length === 0;
}
