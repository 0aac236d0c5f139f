// The page's words about itself: the scenario's title and description, and the #status line
// (connection state and the latest server error, with the field it names).

function connectionText(state) {
  if (state.connection === "open") return "Connected";
  if (state.connection === "closed") {
    const seconds = Math.max(1, Math.round(state.retryInMs / 1000));
    return `Connection lost — retrying in ${seconds} s`;
  }
  return "Connecting…";
}

export function createStatus(doc) {
  const status = doc.getElementById("status");
  const title = doc.getElementById("scenario-title");
  const description = doc.getElementById("scenario-description");
  return {
    render(state) {
      const parts = [connectionText(state)];
      if (state.error) {
        const where = state.error.field ? ` in ${state.error.field}` : "";
        parts.unshift(`Error${where}: ${state.error.message}`);
      }
      status.textContent = parts.join(" · ");
      status.classList.toggle("status-error", Boolean(state.error));
      status.classList.toggle("status-open", state.connection === "open" && !state.error);
      status.classList.toggle("status-connecting", state.connection !== "open");
      if (state.scenario) {
        title.textContent = state.scenario.title;
        description.textContent = state.scenario.description;
        doc.title = `${state.scenario.title} — LSTM Conveyor`;
      }
    },
  };
}
