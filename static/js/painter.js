// Drawing: every request of one frame is coalesced into one requestAnimationFrame pass that
// redraws the views from the state: the HTML views and the page's own canvas views (the workbench)
// at once, then the Plotly charts of the open deep dive, once plotly.js has run. The pass stamps on
// <body> what it drew (data-step, data-revision, ...), which is what the tests and the page's own
// code wait for. Nothing here computes a number.

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
//   canvases           the page's own views, render(state, motion) with motion = {animate, duration}
//   charts             [element, draw(), shown()] triples: the Plotly charts, drawn while shown()
//   restoringOrigin()  "link" | "reconnect" | "upload" while a restore is on its way, else null
//   address            keeps the URL's link in step (address.js)
// Returns {requestDraw({animate})}.
export function createPainter({ doc, status, html, canvases, charts, restoringOrigin, address }) {
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

  // plotly.js runs once the page is idle after its first screen, even if no open dive needs it yet,
  // so that opening one draws at once.
  let warming = false;
  function warmUp() {
    if (warming || plotlyLoaded) return;
    warming = true;
    const idle = window.requestIdleCallback || ((run) => window.setTimeout(run, 200));
    idle(() => loadPlotly().then(() => { plotlyLoaded = true; }, () => {}), { timeout: 3000 });
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
    // The workbench first and synchronously, so what it shows always matches the step and
    // revision stamped on <body> by this pass.
    for (const view of html) view.render(state);
    const motion = { animate, duration: reducedMotion.matches ? 0 : stepDuration() };
    for (const view of canvases) view.render(state, motion);
    stampShown(t, revision);
    warmUp();
    // The open deep dive's charts (after the first screen has been painted): those on screen at
    // once, the others a frame apart. While playing, charts out of sight are left as they are.
    const open = charts.filter(([, , shown]) => shown());
    if (open.length) {
      await afterPaint();
      if (!current() || !(await plotly(words)) || !current()) return;
      const onScreen = open.filter(([el]) => screen.isOnScreen(el));
      await Promise.all(onScreen.map(([, draw]) => draw()));
      const rest = state.playing ? [] : open.filter((chart) => !onScreen.includes(chart));
      for (const [, draw] of rest) {
        await afterPaint();
        if (!current()) return;
        await draw();
      }
      if (!current()) return;
    }
    stampDrawn(t, revision);
  }

  // The workbench shows step t of this revision (a deep dive's charts may still be drawing).
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
