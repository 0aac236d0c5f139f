// The page's words about itself: the scenario's title and description, and the #status line
// (why a link could not be opened, the latest error with the field it names, and the connection).

import { format, strings } from "../i18n/index.js";

function connectionText(state, restoring) {
  const S = strings.connection;
  if (state.connection === "open") return restoring ? S[restoring] : S.open;
  if (state.connection === "closed") {
    return format(S.retrying, { seconds: Math.max(1, Math.ceil((state.retryAt - Date.now()) / 1000)) });
  }
  return S.connecting;
}

export function createStatus(doc) {
  const status = doc.getElementById("status");
  const title = doc.getElementById("scenario-title");
  const description = doc.getElementById("scenario-description");
  return {
    // `restoring`: null, or "opening" (a link) / "restoring" (after a reconnect) while a restore
    // is on its way.
    render(state, restoring = null) {
      const S = strings.connection;
      const parts = [connectionText(state, restoring)];
      if (state.error) {
        const { field, message } = state.error;
        parts.unshift(field ? format(S.errorIn, { field, message }) : format(S.error, { message }));
      }
      if (state.linkProblem) parts.unshift(state.linkProblem.message);
      const trouble = Boolean(state.error || state.linkProblem);
      status.textContent = parts.join(" · ");
      status.classList.toggle("status-error", trouble);
      status.classList.toggle("status-open", state.connection === "open" && !trouble);
      status.classList.toggle("status-connecting", state.connection !== "open");
      doc.body.dataset.connection = state.connection;
      if (state.scenario && !restoring) {
        title.textContent = state.scenario.title;
        description.textContent = state.scenario.description;
        doc.title = `${state.scenario.title} — LSTM Conveyor`;
      }
    },
  };
}
