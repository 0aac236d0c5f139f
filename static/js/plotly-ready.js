// plotly.js is preloaded by the page (templates/index.html) but run only when the first chart is
// to be drawn: the page's own code, its socket and its HTML views come first, instead of waiting
// while the browser runs the 4.6 MB bundle (about a second on a slow machine).

import { catalogue, LANGUAGES } from "./i18n/index.js";

let loading = null; // the promise of window.Plotly, once asked for

// Plotly's own words (toolbar titles, notices) in each language of the page: a Plotly locale per
// catalogue, chosen by chartConfig() from the language the page's text is in.
function registerLocales(Plotly) {
  for (const code of LANGUAGES) Plotly.register({ moduleType: "locale", name: code, dictionary: catalogue(code).plotly });
}

function run() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  const script = document.createElement("script");
  script.src = document.getElementById("plotly-js").href; // served from the preload
  return new Promise((resolve, reject) => {
    script.addEventListener("load", () => {
      if (window.Plotly) resolve(window.Plotly);
      else reject(new Error("plotly.js ran but defined no Plotly"));
    }, { once: true });
    script.addEventListener("error", () => reject(new Error("plotly.js did not load")), { once: true });
    document.head.append(script);
  });
}

// Resolves with window.Plotly, its locales registered; the bundle runs on the first call.
export function loadPlotly() {
  loading = loading || run().then((Plotly) => {
    registerLocales(Plotly);
    return Plotly;
  });
  return loading;
}
