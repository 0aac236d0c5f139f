// Drawing: every request of one frame is coalesced into one requestAnimationFrame pass that
// redraws the views from the state: the workbench (HTML controls and the page's own canvas views)
// at once; then the open deep dive's views on screen (its Plotly charts once plotly.js has run);
// then, once the page has been still for a moment, those of its views scrolled out of sight, so a
// drag or a playback never waits for what nobody sees. The pass stamps on <body> what it drew
// (data-step, data-revision, ...), which is what the tests and the page's own code wait for.
// Nothing here computes a number.

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

// How long the page must be still before views out of sight are drawn (a drag's moves come every
// 16–50 ms; a Plotly chart's redraw costs 15–90 ms).
const STILL_MS = 250;

// Options:
//   doc                the document (its <body> carries the stamps)
//   status             the #status line (views/status.js), drawn by every pass
//   html               views with render(state), drawn first and synchronously, in this order
//   canvases           the page's own views, render(state, motion) with motion = {animate, duration}
//   dives              the deep dives' views, {el, draw(), shown(), plotly}: drawn while shown(),
//                      after plotly.js has run if `plotly`
//   restoringOrigin()  "link" | "reconnect" | "upload" while a restore is on its way, else null
//   address            keeps the URL's link in step (address.js)
//   onShown()          after the workbench is drawn (the views on the page may need other data)
//   prepare()          before anything is drawn: may move the state on (a lesson's task done)
// Returns {requestDraw({animate, now})}.
export function createPainter({
  doc, status, html, canvases, dives, restoringOrigin, address, onShown = () => {}, prepare = () => {},
}) {
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  let queued = null; // {animate} of the pass waiting for the next animation frame
  let passes = 0; // the latest pass owns body[data-step|data-revision]
  let plotlyLoaded = false;
  // A chart scrolled into view is drawn at once if a pass left it for later.
  const screen = watchOnScreen(dives.map(({ el }) => el), () => requestDraw());

  let lastRequest = 0; // performance.now() of the latest request for a pass
  let frameRequest = 0; // the animation frame the queued pass waits for
  let drewSinceFrame = false; // a pass ran in a task of its own since the last animation frame
  // now: draw in this task (a key, a click, the server's answer to a move), so that the very next
  // frame paints it; waiting for the next animation frame to start drawing costs up to a frame.
  // At most one such pass per frame: more requests before the next frame (a key held down, answers
  // arriving faster than frames) are coalesced into one pass at that frame, like any other.
  function requestDraw({ animate = false, now = false } = {}) {
    lastRequest = performance.now();
    // Something changed: what is drawn is no longer complete until a pass started from here
    // stamps it (a pass in flight must not leave a stamp that looks like this one's).
    delete doc.body.dataset.ready;
    address.schedule(); // whatever asks for a redraw changed the state or the view
    if (queued) {
      queued.animate = queued.animate || animate;
    } else {
      queued = { animate };
      frameRequest = requestAnimationFrame(drawPass);
    }
    if (now && !drewSinceFrame) {
      cancelAnimationFrame(frameRequest);
      drewSinceFrame = true;
      requestAnimationFrame(() => { drewSinceFrame = false; });
      drawPass();
    }
  }

  // plotly.js, run once the first screen is painted; false if it could not be loaded (the page
  // keeps its own views and says why).
  async function plotly(words) {
    if (plotlyLoaded) return true;
    try {
      await loadPlotly();
    } catch {
      setError(null, () => strings.connection.noCharts);
      status.render(state, words);
      return false;
    }
    plotlyLoaded = true;
    return true;
  }

  // plotly.js runs as soon as the first screen has been painted, even if no open dive needs it
  // yet (the dive under the bench waits for the page to be still meanwhile), so that a dive's
  // charts draw at once. Its script is added in the animation frame that paints the first screen:
  // it cannot run before that frame's rendering, and a cold bundle then starts compiling a task
  // sooner than after a timer (every view painted 1.66 → 1.49 s cold, benchmarks/README.md).
  let warming = false;
  function warmUp() {
    if (warming || plotlyLoaded) return;
    warming = true;
    requestAnimationFrame(() => loadPlotly().then(() => { plotlyLoaded = true; }, () => {}));
  }

  // Draws the views (after plotly.js has run, if one needs it); false when it could not be loaded.
  async function drawViews(views, words) {
    if (views.some((view) => view.plotly) && !(await plotly(words))) return false;
    await Promise.all(views.map((view) => view.draw()));
    return true;
  }

  // Resolves true once nothing has asked for a drawing pass for STILL_MS, false as soon as this
  // pass is no longer the current one.
  function still(current) {
    return new Promise((resolve) => {
      const check = () => {
        if (!current()) resolve(false);
        else if (performance.now() - lastRequest >= STILL_MS) resolve(true);
        else window.setTimeout(check, STILL_MS - (performance.now() - lastRequest));
      };
      check();
    });
  }

  async function drawPass() {
    const { animate } = queued;
    queued = null;
    const origin = restoringOrigin();
    const words = origin ? RESTORING_WORDS[origin] : null;
    status.render(state, words);
    // While a link or a reconnect is being restored, the new session's default is not drawn.
    if (!state.trace || (origin && origin !== "upload")) return;
    prepare();
    passes += 1;
    const pass = passes;
    // Whether this pass still draws the latest state: no newer pass has started, and nothing has
    // asked for one since (a message handled between two of its frames may have changed the state).
    const current = () => pass === passes && queued === null;
    const { t, revision } = state;
    // The workbench first and synchronously, so what it shows always matches the step and
    // revision stamped on <body> by this pass.
    for (const view of html) view.render(state);
    const motion = { animate, duration: reducedMotion.matches ? 0 : stepDuration() };
    for (const view of canvases) view.render(state, motion);
    stampShown(t, revision);
    onShown();
    warmUp();
    // The open deep dive's views, after the workbench has been painted: those on screen at once,
    // the others (out of sight) once the page is still, a frame apart; while playing, not at all.
    const open = dives.filter((view) => view.shown());
    const onScreen = open.filter((view) => screen.isOnScreen(view.el));
    const rest = state.playing ? [] : open.filter((view) => !onScreen.includes(view));
    if (open.length) await afterPaint();
    if (!current() || !(await drawViews(onScreen, words)) || !current()) return;
    if (rest.length && !(await still(current))) return;
    for (const view of rest) {
      if (!current() || !(await drawViews([view], words))) return;
      await afterPaint();
    }
    if (!current()) return;
    stampDrawn(t, revision);
  }

  // The workbench shows step t of this revision (a deep dive's charts may still be drawing).
  function stampShown(t, revision) {
    doc.body.dataset.shownStep = String(t);
    doc.body.dataset.shownRevision = String(revision);
    // the first step a rerun in parts has not reached yet ("" when every row is of this revision)
    doc.body.dataset.pending = state.pendingFrom === null ? "" : String(state.pendingFrom);
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
