// Controls of the explanation views: the five-step walk-through (buttons, keys 1–5 and Esc, its
// position and caption) and the unit the equations panel shows. Like controls.js it never
// changes the state itself: it calls the actions main.js hands in, and render() mirrors the state.

import { ownsKeys } from "./controls.js";
import { format, strings } from "./i18n/index.js";
import { kindOf } from "./models.js";
import { WALK_STEPS } from "./state.js";

const S = strings.walk;

// A field where Esc belongs to the field (closing a menu, clearing a number).
function typingIn(target) {
  return target instanceof Element && Boolean(target.closest("textarea, select, input:not([type=range]):not([type=checkbox])"));
}

export function createExplain(doc, actions) {
  const $ = (id) => doc.getElementById(id);
  const el = {
    group: $("walk"), prev: $("walk-prev"), next: $("walk-next"), step: $("walk-step"), exit: $("walk-exit"),
    caption: $("walk-caption"), unit: $("eq-unit"),
  };
  let unitsFor = ""; // the H and language the unit menu was built for

  el.prev.addEventListener("click", () => actions.walkBy(-1));
  el.next.addEventListener("click", () => actions.walkBy(1));
  el.exit.addEventListener("click", () => actions.setWalk(null));
  el.unit.addEventListener("change", () => actions.setEqUnit(Number(el.unit.value)));

  doc.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "Escape") {
      // Esc leaves the walk-through from anywhere but a field that uses Esc itself, or a dialog
      // (there Esc closes the dialog).
      const inDialog = event.target instanceof Element && Boolean(event.target.closest("dialog"));
      if (!typingIn(event.target) && !inDialog) actions.setWalk(null);
    } else if (/^[1-5]$/.test(event.key) && !ownsKeys(event.target, event.key)) {
      event.preventDefault();
      actions.setWalk(Number(event.key));
    }
  });

  return {
    render(state) {
      const { walk, t, sizes } = state;
      const steps = kindOf(state.model) === "gru" ? S.gruSteps : S.steps; // a GRU's five moves
      const last = sizes.T - 1;
      const walking = walk !== null;
      el.group.dataset.walk = walking ? WALK_STEPS[walk - 1] : "";
      el.group.classList.toggle("is-walking", walking);
      el.step.textContent = walking
        ? format(S.position, { n: walk, count: WALK_STEPS.length, name: steps[walk - 1].name })
        : S.off;
      el.prev.disabled = !walking || (walk === 1 && t <= 0);
      el.next.disabled = walking && walk === WALK_STEPS.length && t >= last;
      el.next.title = walking ? S.next : S.start;
      el.next.setAttribute("aria-label", el.next.title);
      el.exit.hidden = !walking;
      el.caption.hidden = !walking;
      if (walking) {
        el.caption.innerHTML = steps[walk - 1].caption; // the project's own catalogue text
        el.caption.dataset.walk = WALK_STEPS[walk - 1];
      }

      const key = `${sizes.H}|${state.lang}`;
      if (key !== unitsFor) {
        el.unit.replaceChildren(...Array.from({ length: sizes.H },
          (_, k) => new Option(format(strings.equations.unitOption, { k }), String(k))));
        unitsFor = key;
      }
      el.unit.value = String(state.eqUnit);
    },
  };
}
