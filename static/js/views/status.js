// The page's words about itself: the scenario's title and description, and the #status line
// (why a link could not be opened, the latest error with the field it names, and the connection).
// A server error is said from its `code` and `params` in the page's language (the catalogue's
// problems), or in the server's English words for a code the catalogue does not know.

import { format, problemText, strings, textLanguage } from "../i18n/index.js";

function connectionText(state, restoring) {
  const S = strings.connection;
  if (state.connection === "open") return restoring ? S[restoring] : S.open;
  if (state.connection === "closed") {
    return format(S.retrying, { seconds: Math.max(1, Math.ceil((state.retryAt - Date.now()) / 1000)) });
  }
  if (state.connection === "stopped") {
    const { why, reason } = state.stopped || { why: "gaveUp", reason: "" };
    return format(S.stopped[why] || S.stopped.gaveUp, { reason: reason || "—" });
  }
  return S.connecting;
}

// The scenario's title and description in the page's language (the server sends every language).
export function scenarioText(state) {
  const { scenario } = state;
  const text = scenario.text && scenario.text[textLanguage(state.lang)];
  return text || { title: scenario.title, description: scenario.description };
}

// An error in words: {field, message, code, params} of state.error (the page's own errors may
// hold a function as `message`, which says it in the current language).
export function errorText(error) {
  const said = typeof error.message === "function" ? error.message() : error.message;
  const message = error.code ? problemText(error.code, error.params, said) : said;
  const S = strings.connection;
  return error.field ? format(S.errorIn, { field: error.field, message }) : format(S.error, { message });
}

export function createStatus(doc) {
  const status = doc.getElementById("status");
  const title = doc.getElementById("scenario-title");
  const description = doc.getElementById("scenario-description");
  const prompt = doc.getElementById("scenario-prompt");
  return {
    // `restoring`: null, or "opening" (a link) / "restoring" (after a reconnect) while a restore
    // is on its way.
    render(state, restoring = null) {
      const parts = [connectionText(state, restoring)];
      if (state.error) parts.unshift(errorText(state.error));
      if (state.linkProblem) parts.unshift(state.linkProblem.message());
      const trouble = Boolean(state.error || state.linkProblem || state.connection === "stopped");
      const text = parts.join(" · ");
      if (status.textContent !== text) status.textContent = text; // a live region: no needless rewrites
      status.classList.toggle("status-error", trouble);
      status.classList.toggle("status-open", state.connection === "open" && !trouble);
      status.classList.toggle("status-connecting", state.connection !== "open");
      doc.body.dataset.connection = state.connection;
      if (!state.scenario) title.textContent = strings.page.loading;
      if (state.scenario && !restoring) {
        const text = scenarioText(state);
        title.textContent = text.title;
        description.textContent = text.description;
        prompt.textContent = text.prompt || "";
        doc.title = format(strings.page.titleWith, { scenario: text.title });
      }
    },
  };
}
