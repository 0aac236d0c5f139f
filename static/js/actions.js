// What the controls call (controls.js, knobs.js, explain.js, files.js): each action changes what
// the page looks at and asks for a drawing pass, or sends the server a message whose answer will.
// The controls never change the state themselves.

import { format, strings } from "./i18n/index.js";
import { actualValue, currentTask, LESSON_IDS, lessonLinkFields } from "./lessons.js";
import { kindOf } from "./models.js";
import { messageBytes, messages } from "./socket.js";
import {
  chooseUnits, initialState, lastStep, leaveLesson, maxMessageBytes, nextId, nextTask, noteInputSent, noteKnobSent, noteStateSent,
  noteTaskEntered, revealGuess, setDive, setEqUnit, setError, setGuess, setLabTab, setSpan, setSpeed, setStep, setUnit, setVeil,
  setWalk, startLesson, state, WALK_STEPS,
} from "./state.js";
import { readsText } from "./tokens.js";

const MIB = 1024 * 1024;

// Options:
//   playback               {goTo, togglePlay, pause} (playback.js)
//   session                {send, sendLatest, sendRestore, openLink, notConnected} (session.js)
//   requestDraw({animate, now}) asks for a drawing pass (painter.js)
//   switchLanguage(code)   puts every word on the page in another language
export function createActions({ playback, session, requestDraw, switchLanguage }) {
  const { goTo, togglePlay, pause } = playback;
  const { send, sendLatest } = session;

  const actions = {
    setLanguage(code) {
      if (code !== state.lang) switchLanguage(code);
    },
    setDive(dive) {
      setDive(dive);
      session.sendViews();
      requestDraw();
    },
    setLabTab(tab) {
      setLabTab(tab);
      requestDraw();
    },
    step: (delta) => goTo(state.t + delta, { now: true }), // a key or a click: drawn at once
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
      sendLatest(`input ${state.t} ${j}`, messages.setInput(id, state.t, j, value));
    },
    // A model that reads text: the text becomes the sequence (one move at a time, like a slider's).
    setText(text) {
      if (!state.trace) return;
      sendLatest("text", messages.setText(nextId(), text));
    },
    // The unit finder: a span of steps selected, a ranking asked for, units put on the belt.
    setSpan(start, stop) {
      setSpan(start, stop);
      requestDraw();
    },
    findUnits: (fields) => send(messages.findUnits(nextId(), fields)),
    setLayer(layer, reverse) {
      pause();
      send(messages.setLayer(nextId(), layer, reverse));
    },
    chooseUnits(units) {
      chooseUnits(units);
      if (state.chosen) setEqUnit(state.chosen[0]); // the belt opens on the first chosen unit
      session.sendViews();
      requestDraw();
    },
    generate: (component, sequence) => send(messages.generate(nextId(), component, sequence)),
    // `changed` holds only the knobs that moved; the server keeps the rest.
    setKnobs(changed) {
      if (!state.trace) return;
      const id = nextId();
      noteKnobSent(id);
      sendLatest(`knobs ${Object.keys(changed).sort().join(" ")}`, messages.setKnobs(id, changed));
    },
    // One unit of h0 or c0 moved: the protocol takes the whole vector.
    setState(name, unit, value) {
      if (!state.trace) return;
      const vector = initialState(name);
      vector[unit] = value;
      const id = nextId();
      noteStateSent(id, name, vector);
      sendLatest(`state ${name}`, messages.setState(id, { [name]: vector }));
    },
    setClamp(gate, unit, value) {
      if (!state.trace) return;
      const id = nextId();
      noteKnobSent(id); // a clamp is a knob too: its controls wait for the answer the same way
      sendLatest(`clamp ${gate} ${unit}`, messages.setClamp(id, gate, unit, value));
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
    walkBy,
    load(name) {
      pause();
      session.sendOpening(messages.load(nextId(), name));
    },
    // The scenario run by the other model (an LSTM, or its GRU version), at its opening step.
    setModel(kind) {
      if (!state.scenario || kindOf(state.model) === kind) return;
      pause();
      setWalk(null);
      session.sendOpening(messages.load(nextId(), state.scenario.name, kind));
    },
    restoreWeights,
    // Opens the model POST /api/open keeps under `id`; false when it could not be sent.
    openKept(id) {
      pause();
      return session.openKept(id);
    },
    inputCount: () => (state.sizes ? state.sizes.D : null),
    readsText: () => readsText(state),
    setSequence,
    exportFile: (kind) => send(messages.exportFile(nextId(), kind)),
    reset() {
      pause();
      session.sendOpening(messages.reset(nextId()));
    },
    localError(field, message) {
      setError(field, message);
      requestDraw();
    },
    ...lessonActions(),
    ...trainingActions(),
  };

  // Training on the server (training.js): the answers (`training`, `progress`, and a `snapshot` of
  // the model whenever it stops) arrive like any other message.
  function trainingActions() {
    const live = () => Boolean(state.training) && state.training.state !== "ended";
    return {
      train(settings) {
        pause();
        send(messages.train(nextId(), settings));
      },
      toggleTraining() {
        if (!live()) return;
        const running = state.training.state === "running";
        send(running ? messages.trainPause(nextId()) : messages.trainResume(nextId()));
      },
      trainStep: () => live() && send(messages.trainStep(nextId())),
      trainReset: () => live() && send(messages.trainReset(nextId())),
      trainSet: (fields) => live() && send(messages.trainSet(nextId(), fields)),
      trainingActive: live,
    };
  }

  // The guided lessons (lesson.js): a lesson opens as a link would (its scenario as shipped, at
  // its step), and its tasks bring their controls into view one at a time.
  function lessonActions() {
    // "?lesson=…" opened the page; once another lesson (or none) is followed, the fragment's link
    // says which, and the query would contradict it in a copied address.
    const dropLessonQuery = () => {
      if (new URLSearchParams(window.location.search).has("lesson")) {
        window.history.replaceState(window.history.state, "", window.location.pathname + window.location.hash);
      }
    };
    return {
      startLesson(id) {
        const fields = lessonLinkFields(id);
        if (!fields) return;
        pause();
        setWalk(null);
        startLesson(id);
        dropLessonQuery();
        session.openLink(fields);
      },
      restartLesson() {
        if (state.lesson) actions.startLesson(state.lesson.id);
      },
      nextLesson() {
        const next = state.lesson ? LESSON_IDS[LESSON_IDS.indexOf(state.lesson.id) + 1] : undefined;
        if (next) actions.startLesson(next);
      },
      leaveLesson() {
        leaveLesson();
        dropLessonQuery();
        requestDraw();
      },
      // A task just reached: its lab tab, its deep dive and its step come into view. A prediction
      // about step t starts one step before it, where nothing of step t is on screen yet.
      enterTask(task) {
        noteTaskEntered();
        if (task.lab) setLabTab(task.lab);
        if (task.unit !== undefined) setEqUnit(task.unit); // the belt's lanes include it
        if (task.dive && task.dive !== state.dive) actions.setDive(task.dive);
        const predicting = task.kind === "predict" && task.quantity !== "belt";
        const step = predicting ? task.at - 1 : task.step;
        if (step !== undefined) goTo(step);
        setVeil(predicting ? task.at : null);
        requestDraw();
      },
      setGuess(value) {
        setGuess(value);
        requestDraw();
      },
      // The prediction meets the server's number; the step it was about is shown (animated).
      reveal() {
        const current = currentTask(state);
        if (!current || !current.task || current.task.kind !== "predict") return;
        const { task } = current;
        if (!revealGuess(actualValue(task, state))) return;
        if (task.quantity !== "belt") goTo(task.at, { now: true });
        requestDraw();
      },
      nextTask() {
        nextTask();
        requestDraw();
      },
      recheck: () => requestDraw(), // a drag ended: the current task may be done now
    };
  }

  // The next or previous move; past "pass on" the walk goes on at the next step's "forget".
  function walkBy(delta) {
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
  }

  // Someone's own layer (from POST /api/weights); false when it cannot be sent. A stack, or a
  // model that reads text, is opened on the server instead (files.js). `gru`: {reset_after} for a
  // GRU's weights (POST /api/weights with model=gru), else null.
  function restoreWeights(weights, title, fileName, gru = null) {
    pause();
    const kind = gru ? { model: "gru", reset_after: gru.reset_after } : {};
    const sent = session.sendRestore({ weights, ...kind, title }, null, "upload");
    if (sent === "too-large") {
      const parameters = weights.weight_ih.length * (weights.weight_ih[0].length + weights.weight_hh[0].length + 2);
      actions.localError(fileName, format(strings.files.tooLargeToSend, {
        parameters: parameters.toLocaleString("en"), limit: maxMessageBytes() / MIB,
      }));
    } else if (sent === "not-sent") {
      session.notConnected();
    }
    return sent === "sent";
  }

  // A whole input sequence (from POST /api/inputs); false when it cannot be sent.
  function setSequence(x, fileName) {
    const message = messages.setSequence(nextId(), x);
    if (messageBytes(message) > maxMessageBytes()) {
      actions.localError(fileName, format(strings.files.inputsTooLarge, {
        T: x.length, D: x[0].length, limit: maxMessageBytes() / MIB,
      }));
      return false;
    }
    pause();
    return send(message);
  }

  return actions;
}
