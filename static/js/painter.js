// Drawing: every request of one frame is coalesced into one requestAnimationFrame pass that
// redraws the views from the state: the HTML views, then the charts on screen, then the others one
// per frame after a paint. The pass stamps on <body> what it drew (data-step, data-revision, ...),
// which is what the tests and the page's own code wait for. Nothing here computes a number.

import { strings, textLanguage } from "./i18n/index.js";
import { watchOnScreen } from "./onscreen.js";
import { loadPlotly } from "./plotly-ready.js";
import { setError, state, stepDuration, WALK_STEPS } from "./state.js";

// The #status words (i18n connection.*) while a restore of this origin is on its way.
const RESTORING_WORDS = { link: "opening", reconnect: "restoring", upload: null };

// Resolves once the next frame has been painted: an animation frame callback runs before the
// paint, so waiting for the task after it keeps the next chart's drawing out of this frame.
function afterPaint() {
  return new Promise((resolve) => requestAnimationFrame(() => window.setTimeout(resolve, 0)));
}

// Options:
//   doc                the document (its <body> carries the stamps)
//   status             the #status line (views/status.js), drawn by every pass
//   html               views with render(state), drawn first and synchronously, in this order
//   charts             [element, draw(motion)] pairs, motion = {animate, duration} (for the belt)
//   restoringOrigin()  "link" | "reconnect" | "upload" while a restore is on its way, else null
//   address            keeps the URL's link in step (address.js)
// Returns {requestDraw({animate})}.
export function createPainter({ doc, status, html, charts, restoringOrigin, address }) {
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  let queued = null; // {animate} of the pass waiting for the next animation frame
  let passes = 0; // the latest pass owns body[data-step|data-revision]
  let plotlyLoaded = false;
  // A chart scrolled into view is drawn at once if a pass left it for later.
  const screen = watchOnScreen(charts.map(([el]) => el), () => requestDraw());

  function requestDraw({ animate = false } = {}) {
    address.schedule(); // whatever asks for a redraw changed the state or the view
    if (queued) {
      queued.animate = queued.animate || animate;
      return;
    }
    queued = { animate };
    requestAnimationFrame(drawPass);
  }

  async function drawPass() {
    const { animate } = queued;
    queued = null;
    const origin = restoringOrigin();
    const words = origin ? RESTORING_WORDS[origin] : null;
    status.render(state, words);
    // While a link or a reconnect is being restored, the new session's default is not drawn.
    if (!state.trace || (origin && origin !== "upload")) return;
    passes += 1;
    const pass = passes;
    // Whether this pass still draws the latest state: no newer pass has started, and nothing has
    // asked for one since (a message handled between two of its frames may have changed the state).
    const current = () => pass === passes && queued === null;
    const { t, revision } = state;
    // HTML first and synchronously, so the readout always matches the step and revision stamped
    // on <body> by this pass.
    for (const view of html) view.render(state);
    // plotly.js runs once the first pass has drawn the HTML views (plotly-ready.js); the charts
    // follow as soon as it has.
    if (!plotlyLoaded) {
      try {
        await loadPlotly();
      } catch {
        // No charts without it; the HTML views keep the server's numbers, and say why.
        setError(null, () => strings.connection.noCharts);
        status.render(state, words);
        return;
      }
      plotlyLoaded = true;
      if (!current()) return;
    }
    const motion = { animate, duration: reducedMotion.matches ? 0 : stepDuration() };
    // Charts on screen first, all at once; then the rest one per frame, each after a paint, so that
    // no frame waits for charts nobody sees. A newer pass takes over from an unfinished one.
    const onScreen = charts.filter(([el]) => screen.isOnScreen(el));
    await Promise.all(onScreen.map(([, draw]) => draw(motion)));
    if (!current()) return;
    stampShown(t, revision);
    // While playing, charts out of sight are left as they are: redrawing them every step would
    // take frames from the animation. Pausing (or scrolling one into view) draws them.
    const rest = state.playing ? [] : charts.filter((chart) => !onScreen.includes(chart));
    for (const [, draw] of rest) {
      await afterPaint();
      if (!current()) return;
      await draw(motion);
    }
    if (!current()) return;
    stampDrawn(t, revision);
  }

  // The charts on screen show step t of this revision (the others may still be drawing).
  function stampShown(t, revision) {
    doc.body.dataset.shownStep = String(t);
    doc.body.dataset.shownRevision = String(revision);
  }

  // The pass is complete: the page shows step t of this revision (while playing, charts out of
  // sight keep what they showed).
  function stampDrawn(t, revision) {
    doc.body.dataset.step = String(t);
    doc.body.dataset.walk = state.walk === null ? "" : WALK_STEPS[state.walk - 1];
    doc.body.dataset.revision = String(revision);
    doc.body.dataset.session = String(state.sessions);
    doc.body.dataset.lang = textLanguage(state.lang); // the language this pass drew in
    doc.body.dataset.ready = "true";
  }

  return { requestDraw };
}
