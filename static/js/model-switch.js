// The model switch beside the scenario's title: LSTM or GRU, for a scenario that has a GRU version
// (GET /api/scenarios?model=gru names them). Like controls.js it changes nothing itself: a press
// loads the scenario run by the other model, and render() mirrors the model the server runs.

import { fetchGruScenarios } from "./api.js";
import { kindOf } from "./models.js";

export function createModelSwitch(doc, actions) {
  const group = doc.getElementById("model-kind");
  const buttons = [...group.querySelectorAll("button[data-kind]")];
  let withGru = new Set();
  let requested = false;

  for (const button of buttons) {
    button.addEventListener("click", () => actions.setModel(button.dataset.kind));
  }

  return {
    render(state) {
      if (!requested) {
        requested = true;
        fetchGruScenarios().then((names) => {
          withGru = new Set(names);
          actions.redraw();
        }).catch(() => {});
      }
      const kind = kindOf(state.model);
      const custom = Boolean(state.model && state.model.custom);
      group.hidden = custom || !(withGru.has(state.scenario.name) || kind === "gru");
      for (const button of buttons) button.setAttribute("aria-pressed", String(button.dataset.kind === kind));
    },
  };
}
