// Wiring: the socket feeds the state, controls call actions, and one requestAnimationFrame pass
// redraws every view from the state. The URL's fragment mirrors the state (link.js): a link opens
// as one `restore`, and after each change the fragment is rewritten (debounced); a page that
// reconnects sends the same restore, so nothing set is lost. The language is switched in place:
// the catalogue changes under every view, and the next pass draws all text anew. Nothing here
// computes a number the page shows.

import { createAddress, linkContext, linkReason } from "./address.js";
import { fetchScenarios } from "./api.js";
import { connect, messageBytes, messages } from "./socket.js";
import {
  applyFrame, applySnapshot, clearError, initialState, lastStep, markAwaitingSync, maxMessageBytes, nextId,
  noteInputSent, noteKnobSent, noteStateSent, setConnection, setEqUnit, setError, setLang, setLinkProblem,
  setOwnWeights, setPlaying, setSpeed, setStep, setTable, setUnit, setWalk, startNewSession, state, stepDuration,
  WALK_STEPS,
} from "./state.js";
import { createControls } from "./controls.js";
import { createExplain } from "./explain.js";
import { watchOnScreen } from "./onscreen.js";
import { createFiles } from "./files.js";
import {
  applyStrings, browserLanguage, format, problemText, setLanguage, strings, textLanguage,
} from "./i18n/index.js";
import { createKnobs } from "./knobs.js";
import { DEFAULT_SCENARIO, fromLink, isLink, linkFields, readLink } from "./link.js";
import { createShare } from "./share.js";
import { createActivations } from "./views/activations.js";
import { createAnnouncer } from "./views/announce.js";
import { createBelt } from "./views/belt.js";
import { createEquations } from "./views/equations.js";
import { createGates } from "./views/gates.js";
import { createGradients } from "./views/gradients.js";
import { createInputsChart } from "./views/inputs.js";
import { createRace } from "./views/race.js";
import { createReadout } from "./views/readout.js";
import { createStatus } from "./views/status.js";
import { createStepTable } from "./views/steptable.js";
import { createTimeline } from "./views/timeline.js";

const MIB = 1024 * 1024;
// The #status words (i18n connection.*) while a restore of this origin is on its way.
const RESTORING_WORDS = { link: "opening", reconnect: "restoring", upload: null };

async function main() {
  const doc = document;
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

  // --- the link the page was opened with: read before anything is drawn (it names the language) -
  let pendingLink = null; // a link's fields, to restore as soon as a connection is open
  let openProblem = null; // why the link cannot be opened (a function saying it), or null
  if (isLink(window.location.hash)) {
    try {
      pendingLink = await readLink(window.location.hash);
    } catch (err) {
      openProblem = linkReason(err);
    }
  }
  const lang = pendingLink && pendingLink.lang ? pendingLink.lang : browserLanguage();
  setLang(lang);
  setLanguage(lang);

  // --- drawing: coalesce every request of one frame into one pass ------------------------------
  let queued = null; // {animate} of the pass waiting for the next animation frame
  let passes = 0; // the latest pass owns body[data-step|data-revision]

  let address = null; // keeps the URL's link in step (made below, once the views exist)

  function requestDraw({ animate = false } = {}) {
    if (address) address.schedule(); // whatever asks for a redraw changed the state or the view
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
    status.render(state, restoring ? RESTORING_WORDS[restoring.origin] : null);
    // While a link or a reconnect is being restored, the new session's default is not drawn.
    if (!state.trace || (restoring && restoring.origin !== "upload")) return;
    passes += 1;
    const pass = passes;
    const { t, revision } = state;
    // HTML first and synchronously, so the readout always matches the step and revision stamped
    // on <body> by this pass.
    controls.render(state);
    knobs.render(state);
    explain.render(state);
    readout.render(state);
    stepTable.render(state);
    equations.render(state);
    files.render(state);
    announcer.render(state);
    const duration = reducedMotion.matches ? 0 : stepDuration();
    const charts = [
      [$("belt"), () => belt.render(state, { animate, duration })],
      [$("timeline"), () => timeline.render(state)],
      [$("gates"), () => gates.render(state)],
      [$("inputs-chart"), () => inputsChart.render(state)],
      [$("gradients"), () => gradients.render(state)],
      [$("race"), () => race.render(state)],
      [$("activations"), () => activations.render(state)],
    ];
    // Charts on screen first, all at once; then the rest one per frame, each after a paint, so that
    // no frame waits for charts nobody sees. A newer pass takes over from an unfinished one.
    const onScreen = charts.filter(([el]) => screen.isOnScreen(el));
    await Promise.all(onScreen.map(([, draw]) => draw()));
    if (pass !== passes) return;
    doc.body.dataset.shownStep = String(t);
    doc.body.dataset.shownRevision = String(revision);
    // While playing, charts out of sight are left as they are: redrawing them every step would
    // take frames from the animation. Pausing (or scrolling one into view) draws them.
    const rest = state.playing ? [] : charts.filter((chart) => !onScreen.includes(chart));
    for (const [, draw] of rest) {
      await afterPaint();
      if (pass !== passes) return;
      await draw();
    }
    if (pass !== passes) return; // a newer pass has drawn (or is drawing) a newer state
    doc.body.dataset.step = String(t);
    doc.body.dataset.walk = state.walk === null ? "" : WALK_STEPS[state.walk - 1];
    doc.body.dataset.revision = String(revision);
    doc.body.dataset.session = String(state.sessions);
    doc.body.dataset.lang = textLanguage(state.lang); // the language this pass drew in
    doc.body.dataset.ready = "true";
  }

  // Resolves once the next frame has been painted: an animation frame callback runs before the
  // paint, so waiting for the task after it keeps the next chart's drawing out of this frame.
  function afterPaint() {
    return new Promise((resolve) => requestAnimationFrame(() => window.setTimeout(resolve, 0)));
  }

  // --- moving through time ---------------------------------------------------------------------
  let timer = 0; // the pending play tick

  function goTo(t) {
    const before = state.t;
    const target = t === Number.POSITIVE_INFINITY ? lastStep() : t;
    if (setStep(target)) requestDraw({ animate: Math.abs(state.t - before) === 1 });
  }

  function pause() {
    window.clearTimeout(timer);
    setPlaying(false);
    requestDraw();
  }

  function tick() {
    if (!state.playing) return;
    if (state.t >= lastStep()) {
      pause();
      return;
    }
    goTo(state.t + 1);
    if (state.t >= lastStep()) pause();
    else timer = window.setTimeout(tick, stepDuration());
  }

  function togglePlay() {
    if (state.playing) {
      pause();
      return;
    }
    if (!state.trace) return;
    // At the end, play from the start again (showing step 0 for one beat) rather than do nothing.
    const restart = state.t >= lastStep();
    if (restart) goTo(0);
    setPlaying(true);
    requestDraw();
    timer = window.setTimeout(tick, restart ? stepDuration() : 0);
  }

  // --- talking to the server -------------------------------------------------------------------
  // The restore on its way: {id, view, weights, origin}. origin "link" (a link being opened),
  // "reconnect" (the state before the connection dropped) or "upload" (someone's own weights);
  // `view` holds the page's settings to apply once it is answered.
  let restoring = null;
  let unanswered = null; // the restore a dropped connection took with it, to send again

  function notConnected() {
    setError(null, () => strings.connection.notSent);
    requestDraw();
  }

  // The language of every word on the page: the catalogue, <html lang>, the template's text, the
  // scenario menu's titles; the next pass draws the views' text. It becomes part of the link.
  let menuRequests = 0;
  function loadScenarioMenu() {
    menuRequests += 1;
    const mine = menuRequests;
    // The menu is a convenience: if the list cannot be fetched the scenario on show stays named.
    fetchScenarios(textLanguage(state.lang))
      .then((list) => {
        if (mine === menuRequests) controls.setScenarios(list, state.scenario && state.scenario.name);
      })
      .catch(() => {});
  }

  function switchLanguage(code) {
    setLang(code);
    setLanguage(code);
    applyStrings(doc);
    controls.renderLanguage(state);
    loadScenarioMenu();
    requestDraw();
  }

  function send(message) {
    if (socket.send(message)) return true;
    notConnected();
    return false;
  }

  const actions = {
    setLanguage(code) {
      if (code !== state.lang) switchLanguage(code);
    },
    toggleTable() {
      setTable(!state.table);
      requestDraw();
    },
    step: (delta) => goTo(state.t + delta),
    goTo,
    togglePlay,
    setSpeed(multiplier) {
      setSpeed(multiplier);
      requestDraw();
    },
    setInput(j, value) {
      if (!state.trace) return;
      const id = nextId();
      noteInputSent(id);
      send(messages.setInput(id, state.t, j, value));
    },
    generate: (component, sequence) => send(messages.generate(nextId(), component, sequence)),
    // `changed` holds only the knobs that moved; the server keeps the rest.
    setKnobs(changed) {
      if (!state.trace) return;
      const id = nextId();
      noteKnobSent(id);
      send(messages.setKnobs(id, changed));
    },
    // One unit of h0 or c0 moved: the protocol takes the whole vector.
    setState(name, unit, value) {
      if (!state.trace) return;
      const vector = initialState(name);
      vector[unit] = value;
      const id = nextId();
      noteStateSent(id, name, vector);
      send(messages.setState(id, { [name]: vector }));
    },
    setClamp(gate, unit, value) {
      if (!state.trace) return;
      const id = nextId();
      noteKnobSent(id); // a clamp is a knob too: its controls wait for the answer the same way
      send(messages.setClamp(id, gate, unit, value));
    },
    setUnit(unit) {
      setUnit(unit);
      requestDraw();
    },
    setEqUnit(unit) {
      setEqUnit(unit);
      requestDraw();
    },
    // Enters the walk-through at move n (1..5) and plays that move; null leaves it.
    setWalk(n) {
      setWalk(n);
      requestDraw({ animate: n !== null }); // pressing the current move's key replays it
    },
    // The next or previous move; past "pass on" the walk goes on at the next step's "forget".
    walkBy(delta) {
      if (!state.trace) return;
      let n = state.walk === null ? (delta > 0 ? 1 : null) : state.walk + delta;
      if (n === null) return;
      if (n > WALK_STEPS.length) {
        if (state.t >= lastStep()) return;
        setStep(state.t + 1);
        n = 1;
      } else if (n < 1) {
        if (state.t <= 0) return;
        setStep(state.t - 1);
        n = WALK_STEPS.length;
      }
      setWalk(n);
      requestDraw({ animate: true });
    },
    load(name) {
      pause();
      send(messages.load(nextId(), name));
    },
    // Someone's own layer (from POST /api/weights); false when it cannot be sent.
    restoreWeights(weights, title, fileName) {
      pause();
      const sent = sendRestore({ weights, title }, null, "upload");
      if (sent === "too-large") {
        const parameters = weights.weight_ih.length * (weights.weight_ih[0].length + weights.weight_hh[0].length + 2);
        actions.localError(fileName, format(strings.files.tooLargeToSend, {
          parameters: parameters.toLocaleString("en"), limit: maxMessageBytes() / MIB,
        }));
      } else if (sent === "not-sent") {
        notConnected();
      }
      return sent === "sent";
    },
    inputCount: () => (state.sizes ? state.sizes.D : null),
    // A whole input sequence (from POST /api/inputs); false when it cannot be sent.
    setSequence(x, fileName) {
      const message = messages.setSequence(nextId(), x);
      if (messageBytes(message) > maxMessageBytes()) {
        actions.localError(fileName, format(strings.files.inputsTooLarge, {
          T: x.length, D: x[0].length, limit: maxMessageBytes() / MIB,
        }));
        return false;
      }
      pause();
      return send(message);
    },
    exportFile: (kind) => send(messages.exportFile(nextId(), kind)),
    reset() {
      pause();
      send(messages.reset(nextId()));
    },
    localError(field, message) {
      setError(field, message);
      requestDraw();
    },
  };

  // Sends a restore: `fields` for the message, `view` to apply once it is answered. Returns
  // "sent", "too-large" (over the server's message limit) or "not-sent" (no connection).
  function sendRestore(fields, view, origin) {
    const id = nextId();
    const message = messages.restore(id, fields);
    if (messageBytes(message) > maxMessageBytes()) return "too-large";
    if (!socket.send(message)) return "not-sent";
    restoring = { id, fields, view, weights: fields.weights || null, origin };
    return "sent";
  }

  // The page's own settings of a link (the language is switched as soon as the link is read).
  function applyView(view) {
    if ("table" in view) setTable(view.table);
    if ("t" in view) setStep(view.t);
    if ("walk" in view) setWalk(view.walk);
    if ("eqUnit" in view) setEqUnit(view.eqUnit);
    if ("unit" in view) setUnit(view.unit);
    if ("speed" in view) setSpeed(view.speed);
  }

  // A link could not be opened: say why (until the user changes something) and show the default.
  // `reason` is a function that says why in the page's current language.
  function linkFailed(reason) {
    send(messages.load(nextId(), DEFAULT_SCENARIO));
    applyView(fromLink({}).view);
    setLinkProblem(() => format(strings.link.problem, { reason: reason() }));
    requestDraw();
  }

  function openLink(fields) {
    pause();
    const { restore, view } = fromLink(fields);
    const sent = sendRestore(restore, view, "link");
    if (sent === "too-large") {
      const limit = maxMessageBytes() / MIB;
      linkFailed(() => format(strings.link.tooLargeToSend, { limit }));
    }
    else if (sent === "not-sent") pendingLink = fields; // sent when the connection opens
    requestDraw();
  }

  // A new session after a dropped connection: send it the state the page held, as its link says
  // (every property, defaults included, and any size: the link's limit is for sharing).
  function resume() {
    const { restore, view } = fromLink(linkFields(linkContext(), { all: true }));
    const sent = sendRestore(restore, view, "reconnect");
    if (sent === "too-large") {
      const values = {
        parameters: state.model ? state.model.parameters.toLocaleString("en") : "?", limit: maxMessageBytes() / MIB,
      };
      setError(null, () => format(strings.connection.tooLargeToRestore, values));
    }
  }

  function onMessage(message) {
    if (message.type === "snapshot") {
      if (!applySnapshot(message)) return;
      if (restoring && message.ack === restoring.id) {
        const { view, weights } = restoring;
        restoring = null;
        setOwnWeights(weights);
        if (view) applyView(view);
      }
      requestDraw();
    } else if (message.type === "file") {
      files.download(message);
    } else if (message.type === "frame") {
      const result = applyFrame(message);
      if (result === "applied") requestDraw();
      else if (result === "out-of-sync" && !state.awaitingSync) {
        // The frame builds on a revision we do not hold: never draw it, ask for everything.
        markAwaitingSync();
        socket.send(messages.sync());
      }
    } else if (message.type === "error") {
      if (restoring && message.ack === restoring.id) {
        const { origin } = restoring;
        restoring = null;
        if (origin === "link") {
          const { field, code, params } = message;
          const said = () => problemText(code, params, message.message);
          linkFailed(field ? () => format(strings.link.field, { field, message: said() }) : said);
          return;
        }
      }
      setError(message.field, message.message, message.ack, message.code || null, message.params || null);
      requestDraw();
    }
  }

  applyStrings(doc);
  const $ = (id) => doc.getElementById(id);
  const status = createStatus(doc);
  const controls = createControls(doc, actions);
  controls.renderLanguage(state);
  const readout = createReadout($("readout"));
  const stepTable = createStepTable($("step-table"));
  const announcer = createAnnouncer($("announce"));
  const belt = createBelt({
    el: $("belt"), backdropEl: $("belt-backdrop"), motion: $("belt-motion"), labelLayer: $("belt-labels"),
    keys: $("belt-key"), note: $("belt-note"), summary: $("belt-summary"),
  });
  const timeline = createTimeline($("timeline"), goTo, $("timeline-summary"));
  const gates = createGates($("gates"), goTo, $("gates-summary"));
  const inputsChart = createInputsChart($("inputs-chart"), goTo, $("inputs-summary"));
  const knobs = createKnobs(doc, actions);
  const gradients = createGradients($("gradients"), goTo, $("gradients-summary"));
  const race = createRace($("race"), $("race-note"), goTo, $("race-summary"));
  const explain = createExplain(doc, actions);
  const equations = createEquations($("equations"), $("eq-caption"));
  const activations = createActivations($("activations"), $("activations-summary"));
  const files = createFiles(doc, actions);
  // A chart scrolled into view is drawn at once if a pass left it for later.
  const screen = watchOnScreen(["belt", "timeline", "gates", "inputs-chart", "gradients", "race", "activations"]
    .map((id) => $(id)), () => requestDraw());
  const share = createShare(doc);
  address = createAddress(doc, {
    linkable: () => Boolean(state.trace) && !restoring && !pendingLink && !state.playing,
    onWritten: (tooLarge) => share.render(tooLarge),
    onBadLink(reason) {
      pause();
      linkFailed(reason);
    },
    onLink(fields) {
      const lang = fields.lang || browserLanguage();
      if (lang !== state.lang) switchLanguage(lang);
      openLink(fields);
    },
  });
  if (openProblem) {
    const reason = openProblem;
    setLinkProblem(() => format(strings.link.problem, { reason: reason() }));
  }
  loadScenarioMenu();

  let countdown = 0;
  const socket = connect({
    onOpen() {
      const resuming = Boolean(state.trace);
      startNewSession();
      setConnection("open");
      clearError(); // "not connected" and the like are about the connection that dropped
      if (pendingLink) {
        const fields = pendingLink;
        pendingLink = null;
        openLink(fields);
      } else if (unanswered) {
        const { fields, view, origin } = unanswered;
        unanswered = null;
        sendRestore(fields, view, origin);
      } else if (resuming) {
        resume();
      }
      requestDraw();
    },
    onMessage,
    onClose(retryInMs) {
      if (state.playing) pause();
      window.clearInterval(countdown); // the status line counts down to the next attempt
      countdown = window.setInterval(() => status.render(state), 1000);
      // A restore the dropped session never answered is sent again to the next one.
      if (restoring) unanswered = restoring;
      restoring = null;
      setConnection("closed", retryInMs);
      requestDraw();
    },
    onRetry() {
      window.clearInterval(countdown);
      setConnection("connecting");
      requestDraw();
    },
  });
}

main();
