// The layer picker of a stack of layers (docs/protocol.md, A stack of layers): every direction of
// every layer, bottom up; choosing one shows it (`set_layer`), with layer 0's inputs kept.

import { format, strings } from "./i18n/index.js";

const S = strings.stack;

export function createLayerPick(doc, actions) {
  const label = doc.getElementById("stack-pick");
  const select = doc.getElementById("stack-layer");
  let listed = ""; // the stack the options were built for

  select.addEventListener("change", () => {
    const [layer, reverse] = select.value.split(":");
    actions.setLayer(Number(layer), reverse === "r");
  });

  return {
    render(state) {
      const { stack } = state;
      label.hidden = !stack;
      if (!stack) return;
      const key = `${JSON.stringify(stack.layers)}|${document.documentElement.lang}`;
      if (key !== listed) {
        select.replaceChildren(...stack.layers.map(({ layer, reverse, H, D }) => new Option(
          format(reverse ? S.reverse : S.forward, { layer, H, D, last: stack.layers.length - 1 }),
          `${layer}:${reverse ? "r" : "f"}`,
        )));
        listed = key;
      }
      const shown = `${stack.shown.layer}:${stack.shown.reverse ? "r" : "f"}`;
      if (select.value !== shown) select.value = shown;
    },
  };
}
