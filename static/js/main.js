// Wiring: the socket feeds the state, controls call actions, and one requestAnimationFrame pass
// redraws every view from the state. Nothing here computes a number the page shows.

import { fetchScenarios } from "./api.js";
import { connect, messages } from "./socket.js";
import {
  applyFrame, applySnapshot, initialState, lastStep, markAwaitingSync, nextId, noteInputSent,
  noteKnobSent, noteStateSent, setConnection, setEqUnit, setError, setPlaying, setSpeed, setStep, setUnit,
  setWalk, startNewSession, state, stepDuration, WALK_STEPS,
} from "./state.js";
import { createControls } from "./controls.js";
import { createExplain } from "./explain.js";
import { applyStrings } from "./i18n/index.js";
import { createKnobs } from "./knobs.js";
import { createActivations } from "./views/activations.js";
import { createBelt } from "./views/belt.js";
import { createEquations } from "./views/equations.js";
import { createGates } from "./views/gates.js";
import { createGradients } from "./views/gradients.js";
import { createInputsChart } from "./views/inputs.js";
import { createRace } from "./views/race.js";
import { createReadout } from "./views/readout.js";
import { createStatus } from "./views/status.js";
import { createTimeline } from "./views/timeline.js";

function main() {
  const doc = document;
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

  // --- drawing: coalesce every request of one frame into one pass ------------------------------
  let queued = null; // {animate} of the pass waiting for the next animation frame
  let passes = 0; // the latest pass owns body[data-step|data-revision]

  function requestDraw({ animate = false } = {}) {
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
    status.render(state);
    if (!state.trace) return;
    passes += 1;
    const pass = passes;
    const { t, revision } = state;
    // HTML first and synchronously, so the readout always matches the step and revision stamped
    // on <body> by this pass.
    controls.render(state);
    knobs.render(state);
    explain.render(state);
    readout.render(state);
    equations.render(state);
    const duration = reducedMotion.matches ? 0 : stepDuration();
    await Promise.all([
      belt.render(state, { animate, duration }),
      timeline.render(state),
      gates.render(state),
      inputsChart.render(state),
      gradients.render(state),
      race.render(state),
      activations.render(state),
    ]);
    if (pass !== passes) return; // a newer pass has drawn (or is drawing) a newer state
    doc.body.dataset.step = String(t);
    doc.body.dataset.walk = state.walk === null ? "" : WALK_STEPS[state.walk - 1];
    doc.body.dataset.revision = String(revision);
    doc.body.dataset.ready = "true";
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
  let wantedScenario = null; // the user's choice, restored when a reconnect starts a fresh session

  function send(message) {
    if (socket.send(message)) return true;
    setError(null, "not connected to the server; the change was not sent");
    requestDraw();
    return false;
  }

  const actions = {
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
      wantedScenario = name;
      send(messages.load(nextId(), name));
    },
    reset() {
      pause();
      send(messages.reset(nextId()));
    },
    localError(field, message) {
      setError(field, message);
      requestDraw();
    },
  };

  function onMessage(message) {
    if (message.type === "snapshot") {
      if (!applySnapshot(message)) return;
      if (wantedScenario && message.scenario.name !== wantedScenario) {
        socket.send(messages.load(nextId(), wantedScenario));
      }
      requestDraw();
    } else if (message.type === "frame") {
      const result = applyFrame(message);
      if (result === "applied") requestDraw();
      else if (result === "out-of-sync" && !state.awaitingSync) {
        // The frame builds on a revision we do not hold: never draw it, ask for everything.
        markAwaitingSync();
        socket.send(messages.sync());
      }
    } else if (message.type === "error") {
      setError(message.field, message.message, message.ack);
      requestDraw();
    }
  }

  applyStrings(doc);
  const status = createStatus(doc);
  const controls = createControls(doc, actions);
  const readout = createReadout(doc.getElementById("readout"));
  const belt = createBelt(doc.getElementById("belt"), doc.getElementById("belt-motion"),
    doc.getElementById("belt-key"), doc.getElementById("belt-note"));
  const timeline = createTimeline(doc.getElementById("timeline"), goTo);
  const gates = createGates(doc.getElementById("gates"), goTo);
  const inputsChart = createInputsChart(doc.getElementById("inputs-chart"), goTo);
  const knobs = createKnobs(doc, actions);
  const gradients = createGradients(doc.getElementById("gradients"), goTo);
  const race = createRace(doc.getElementById("race"), doc.getElementById("race-note"), goTo);
  const explain = createExplain(doc, actions);
  const equations = createEquations(doc.getElementById("equations"), doc.getElementById("eq-caption"));
  const activations = createActivations(doc.getElementById("activations"));

  // The menu is a convenience: if the list cannot be fetched the built-in options stay.
  fetchScenarios()
    .then((list) => controls.setScenarios(list, state.scenario && state.scenario.name))
    .catch(() => {});

  const socket = connect({
    onOpen() {
      startNewSession();
      setConnection("open");
      requestDraw();
    },
    onMessage,
    onClose(retryInMs) {
      if (state.playing) pause();
      setConnection("closed", retryInMs);
      requestDraw();
    },
  });
}

main();
