// Wiring: the socket feeds the state (session.js), controls call actions (actions.js), and one
// requestAnimationFrame pass redraws every view from the state (painter.js). The workbench's height
// (bench.js) sets how many lanes the belt and the belt over time show. The URL's fragment
// mirrors the state (link.js): a link opens as one `restore`, and after each change the fragment
// is rewritten (debounced, address.js); a page that reconnects sends the same restore, so nothing
// set is lost. The language is switched in place (language.js). Nothing here computes a number
// the page shows.

import { createActions } from "./actions.js";
import { createAddress, linkReason } from "./address.js";
import { createBench } from "./bench.js";
import { createControls } from "./controls.js";
import { createExplain } from "./explain.js";
import { createFiles } from "./files.js";
import { createFinder } from "./finder.js";
import { applyStrings, browserLanguage, format, setLanguage, strings } from "./i18n/index.js";
import { createKnobs } from "./knobs.js";
import { createLanguage } from "./language.js";
import { createLayerPick } from "./layer-pick.js";
import { createLesson } from "./lesson.js";
import { createKindWords } from "./kind-words.js";
import { createModelSwitch } from "./model-switch.js";
import { lessonLinkFields } from "./lessons.js";
import { isLink, readLink } from "./link.js";
import { createPainter } from "./painter.js";
import { createPlayback } from "./playback.js";
import { createSession } from "./session.js";
import { createShare } from "./share.js";
import { lanesThatFit, setLang, setLinkProblem, state, unitsThatFit } from "./state.js";
import { createActivations } from "./views/activations.js";
import { createAnnouncer } from "./views/announce.js";
import { MAX_LANES } from "./views/common.js";
import { createBelt } from "./views/belt.js";
import { createEquations } from "./views/equations.js";
import { createGates } from "./views/gates.js";
import { createGradients } from "./views/gradients.js";
import { createRace } from "./views/race.js";
import { createReadout } from "./views/readout.js";
import { createStatus } from "./views/status.js";
import { createTabs } from "./tabs.js";
import { createTextInput } from "./text-input.js";
import { createTraining } from "./training.js";
import { createTrainingCharts } from "./views/training.js";
import { FIXED_HEIGHT, LANE_MIN, LANE_PAD, createTimeline } from "./views/timeline.js";
import { createTextStrip } from "./views/text-strip.js";

// The link the page was opened with: {fields} to restore once connected, or {problem}, a
// function saying why it cannot be opened; {} when the page was opened without one. A lesson has
// a readable link too, "?lesson=forget-erases" (what a teacher writes on the board), and a model
// a notebook posted to /api/open one the server answered, "?open=<key>" ({open: key}).
async function openingLink() {
  if (!isLink(window.location.hash)) {
    const search = new URLSearchParams(window.location.search);
    if (search.get("open")) return { open: search.get("open") };
    const lesson = lessonLinkFields(search.get("lesson"));
    return lesson ? { fields: lesson } : {};
  }
  try {
    return { fields: await readLink(window.location.hash) };
  } catch (err) {
    return { problem: linkReason(err) };
  }
}

// Deep dives that show every unit (the numbers table, the heatmaps, the gradients' norms).
const EVERY_UNIT_DIVES = ["numbers", "gates", "gradients"];

async function main() {
  const doc = document;
  const $ = (id) => doc.getElementById(id);

  // The link is read before anything is drawn: it names the language.
  const opening = await openingLink();
  const lang = opening.fields && opening.fields.lang ? opening.fields.lang : browserLanguage();
  setLang(lang);
  setLanguage(lang);

  // The views call back into playback and the actions, which ask for a drawing pass; the painter
  // draws the views, so it is made after them. These arrows reach objects made further down and
  // run only once everything is made (the socket opens last).
  const requestDraw = (options) => painter.requestDraw(options);
  const switchLanguage = (code) => language.switchTo(code);

  applyStrings(doc);
  const status = createStatus(doc);
  const playback = createPlayback({ requestDraw });
  const { goTo, pause } = playback;
  const session = createSession({
    link: opening.fields || null, opened: opening.open || null, status, requestDraw, pause, download: (message) => files.download(message),
    units: () => neededUnits(),
  });
  const actions = createActions({ playback, session, requestDraw, switchLanguage });
  const controls = createControls(doc, actions);
  const language = createLanguage({ doc, controls, requestDraw });
  controls.renderLanguage(state);
  const readout = createReadout($("readout"));
  const announcer = createAnnouncer($("announce"), () => belt.page());
  const tabs = createTabs(doc, actions);
  const focusUnit = (unit) => actions.setEqUnit(unit);
  // The stage's parts besides the two canvas views: their heights come off the views' budget.
  const bench = createBench({
    doc, bench: doc.querySelector(".bench"), stage: doc.querySelector(".stage"),
    fixed: [doc.querySelector(".stage-head"), doc.querySelector(".key-row"), doc.querySelector(".timeline-head"),
      $("text-strip")],
    onChange: () => requestDraw(),
  });
  const belt = createBelt({
    el: $("belt"), keys: $("belt-key"), summary: $("belt-summary"),
    picker: { group: $("lane-pick"), prev: $("lanes-prev"), next: $("lanes-next"), shown: $("lanes-shown") },
    toolbar: $("belt-tools"), budget: () => bench.budget(), onFocus: focusUnit,
    perLaneBelow: LANE_MIN + LANE_PAD, fixedBelow: FIXED_HEIGHT, onResize: () => requestDraw(),
  });
  const timeline = createTimeline({
    el: $("timeline"), legend: $("timeline-key"), summary: $("timeline-summary"), onPick: goTo,
    toolbar: $("timeline-tools"), page: () => belt.page(),
    room: () => (bench.budget() > 0 ? bench.budget() - belt.page().height : 0),
    onResize: () => requestDraw(),
  });
  const textStrip = createTextStrip({
    section: $("text-strip"), heading: $("text-heading"), body: $("text-body"), next: $("text-next"),
    onPick: (t) => goTo(t, { now: true }), onSelect: (start, stop) => actions.setSpan(start, stop),
  });
  const finder = createFinder(doc, actions);
  const layerPick = createLayerPick(doc, actions);
  const textInput = createTextInput(doc, actions);
  const gates = createGates($("gates"), goTo, $("gates-summary"), $("gates-rows"));
  const knobs = createKnobs(doc, actions);
  const gradients = createGradients($("gradients"), goTo, $("gradients-summary"), $("gradients-story"));
  const race = createRace($("race"), $("race-note"), goTo, $("race-summary"), $("race-story"));
  const explain = createExplain(doc, actions);
  const lesson = createLesson(doc, actions);
  const modelSwitch = createModelSwitch(doc, actions);
  const kindWords = createKindWords(doc);
  const training = createTraining(doc, actions);
  const trainingCharts = createTrainingCharts({
    curve: $("train-curve"), forget: $("train-forget"),
    curveSummary: $("train-curve-summary"), forgetSummary: $("train-forget-summary"),
  });
  const equations = createEquations($("equations"), $("eq-caption"));
  const activations = createActivations($("activations"), $("activations-summary"));
  const files = createFiles(doc, actions);
  const share = createShare(doc);
  const address = createAddress(doc, {
    linkable: () => Boolean(state.trace) && !session.restorePending() && !state.playing,
    onWritten: (tooLarge) => share.render(tooLarge),
    onBadLink(reason) {
      pause();
      session.linkFailed(reason);
    },
    onLink(fields) {
      const code = fields.lang || browserLanguage();
      if (code !== state.lang) switchLanguage(code);
      session.openLink(fields);
    },
  });
  const inDive = (dive) => () => state.dive === dive;
  // The units whose columns the views on the page need: the belt's lanes (the focus unit among
  // them), or every unit while a dive that lists every unit is open.
  const neededUnits = () => {
    // A model of up to MAX_LANES units travels whole while the server sends them all unasked (not
    // at T=10,000: unitsThatFit): its frames are small, and the pager (a phone shows one lane)
    // needs no snapshot per page.
    if (!state.sizes || (state.sizes.H <= MAX_LANES && unitsThatFit(state) >= state.sizes.H)) return null;
    // (no more than a frame carries for the views now shown: a dive just opened may carry more a
    // unit than the belt's page was laid out for, and the belt lays out again only when drawn)
    const units = belt.page().units.slice(0, lanesThatFit(state));
    // A dive that lists every unit: every unit while all fit a message; else as many as fit,
    // the units chosen and the belt's first, then 0, 1, 2, …
    if (EVERY_UNIT_DIVES.includes(state.dive)) {
      const H = state.sizes.H;
      const fit = unitsThatFit(state);
      if (fit >= H && !state.chosen) return null;
      // (the unit the charts show, when one is picked, among them)
      const picked = state.unit === null ? [] : [state.unit];
      const first = [...new Set([...(state.chosen || []), ...units, state.eqUnit, ...picked])];
      const rest = Array.from({ length: H }, (_, k) => k).filter((k) => !first.includes(k));
      return [...first, ...rest].slice(0, Math.max(fit, first.length));
    }
    if (units.length >= state.sizes.H) return null;
    // The unit in focus (the equations', the text strip's) may be outside the chosen units' page.
    return units.includes(state.eqUnit) ? units : [...units, state.eqUnit];
  };
  const painter = createPainter({
    doc,
    status,
    html: [controls, textInput, textStrip, finder, layerPick, modelSwitch, kindWords, tabs, knobs, explain, lesson, files, training, announcer],
    canvases: [belt, timeline],
    dives: [
      { el: $("equations"), draw: () => equations.render(state), shown: inDive("equations") },
      { el: $("activations"), draw: () => activations.render(state), shown: inDive("equations"), plotly: true },
      { el: $("gradients"), draw: () => gradients.render(state), shown: inDive("gradients"), plotly: true },
      { el: $("race"), draw: () => race.render(state), shown: inDive("gradients"), plotly: true },
      { el: $("gates"), draw: () => gates.render(state), shown: inDive("gates"), plotly: true },
      { el: $("readout"), draw: () => readout.render(state), shown: inDive("numbers") },
      { el: $("train-curve"), draw: () => trainingCharts.render(state), shown: inDive("train"), plotly: true },
    ],
    restoringOrigin: session.restoringOrigin,
    address,
    onShown: () => session.sendViews(), // the belt's lanes may be others now
    prepare: () => lesson.progress(state),
  });

  if (opening.problem) {
    const reason = opening.problem;
    setLinkProblem(() => format(strings.link.problem, { reason: reason() }));
  }
  language.loadScenarioMenu();
  session.start();
}

main();
