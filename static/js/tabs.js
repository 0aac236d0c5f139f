// The two sets of tabs: the lab beside the belt (knobs, clamps, initial state) and the deep dives
// under the workbench (equations, gradients, heatmaps, numbers, files). A tab list follows the ARIA
// pattern: the selected tab is the one in the tab order, ←/→ (and Home/End) move between tabs.
// Like controls.js it never changes the state itself: it calls the actions, and render() mirrors.

import { DIVES, LAB_TABS } from "./state.js";

function tabList(doc, list, ids, choose) {
  const tabs = ids.map((id) => doc.getElementById(list(id)));
  tabs.forEach((tab, n) => {
    tab.addEventListener("click", () => choose(ids[n]));
    tab.addEventListener("keydown", (event) => {
      const moves = { ArrowRight: n + 1, ArrowLeft: n - 1, Home: 0, End: tabs.length - 1 };
      if (!(event.key in moves)) return;
      event.preventDefault();
      const next = (moves[event.key] + tabs.length) % tabs.length;
      choose(ids[next]);
      tabs[next].focus();
    });
  });
  return function render(selected) {
    tabs.forEach((tab, n) => {
      const on = ids[n] === selected;
      tab.setAttribute("aria-selected", String(on));
      tab.tabIndex = on ? 0 : -1;
      doc.getElementById(tab.getAttribute("aria-controls")).hidden = !on;
    });
  };
}

export function createTabs(doc, actions) {
  const lab = tabList(doc, (id) => `lab-tab-${id}`, LAB_TABS, (id) => actions.setLabTab(id));
  const dives = tabList(doc, (id) => `dive-tab-${id}`, DIVES, (id) => actions.setDive(id));
  return {
    render(state) {
      lab(state.labTab);
      dives(state.dive);
    },
  };
}
