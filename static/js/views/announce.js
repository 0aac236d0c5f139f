// The polite live region: once the step has settled it says the step and c and h of the first
// units, as the tables show them (toFixed(4)). A short wait lets a run of quick steps (a dragged
// scrubber, held arrow keys) end in one announcement rather than a queue of stale ones; while the
// belt plays it stays quiet, and speaks where the player stops.

import { fixed4 } from "../format.js";
import { format, strings } from "../i18n/index.js";

const WAIT_MS = 300;
// Units named in one announcement; the table holds the rest.
const UNITS = 4;

// The step, and c and h of the first units on the belt (its page of lanes).
function message(state, { units }) {
  const { t, sizes, trace } = state;
  const S = strings.announce;
  const shown = Math.min(units.length, UNITS);
  const parts = [format(S.step, { t, last: sizes.T - 1 })];
  for (const k of units.slice(0, shown)) {
    // A GRU has no c: its h is its belt.
    parts.push(trace.c ? format(S.unit, { k, c: fixed4(trace.c[t][k]), h: fixed4(trace.h[t][k]) })
      : format(S.unitGru, { k, h: fixed4(trace.h[t][k]) }));
  }
  if (sizes.H > shown) parts.push(format(S.more, { n: sizes.H - shown }));
  return parts.join(" ");
}

// `page()`: the units the belt shows, {units}.
export function createAnnouncer(el, page) {
  let timer = 0;
  let next = null; // the text waiting to be said
  return {
    render(state) {
      if (state.playing) {
        window.clearTimeout(timer);
        next = null;
        return;
      }
      const text = message(state, page());
      if (text === next || (next === null && text === el.textContent)) return;
      next = text;
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        el.textContent = next;
        next = null;
      }, WAIT_MS);
    },
  };
}
