// The model switch beside the scenario's title: LSTM or GRU, for a scenario that runs as either (its
// snapshot's scenario.models), drawn with the snapshot so nothing moves once the page is up. Like
// controls.js it changes nothing itself: a press loads the scenario run by the other model, and
// render() mirrors the model the server runs.

import { kindOf } from "./models.js";

export function createModelSwitch(doc, actions) {
  const group = doc.getElementById("model-kind");
  const buttons = [...group.querySelectorAll("button[data-kind]")];

  for (const button of buttons) {
    button.addEventListener("click", () => actions.setModel(button.dataset.kind));
  }

  return {
    render(state) {
      const kind = kindOf(state.model);
      const models = state.scenario.models || [kind];
      group.hidden = models.length < 2;
      for (const button of buttons) button.setAttribute("aria-pressed", String(button.dataset.kind === kind));
    },
  };
}
