// plotly.js loads asynchronously (templates/index.html): the page's own code, its socket and its
// HTML views start while the browser still parses and runs the 4.6 MB bundle, which takes about
// a second on a slow machine. Charts are drawn once it has run; nothing else waits for it.

import { catalogue, LANGUAGES } from "./i18n/index.js";

// Plotly's own words (toolbar titles, notices) in each language of the page: a Plotly locale per
// catalogue, chosen by chartConfig() from the language the page's text is in.
function registerLocales(Plotly) {
  for (const code of LANGUAGES) Plotly.register({ moduleType: "locale", name: code, dictionary: catalogue(code).plotly });
}

function loaded() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  const script = document.getElementById("plotly-js");
  return new Promise((resolve, reject) => {
    script.addEventListener("load", () => resolve(window.Plotly), { once: true });
    script.addEventListener("error", () => reject(new Error("plotly.js did not load")), { once: true });
  });
}

// Resolves with window.Plotly, its locales registered, once the bundle has run.
export const plotlyReady = loaded().then((Plotly) => {
  registerLocales(Plotly);
  return Plotly;
});
