// Talking to the server: the connection's ups and downs, the messages the page sends, and what
// comes back (snapshots, frames, files, errors) merged into the state. A link opens as one
// `restore`; a page that reconnects sends the state it held as the same kind of restore, so
// nothing set is lost; someone's own weights arrive as one too (origin "upload").

import { linkContext } from "./address.js";
import { format, problemText, strings } from "./i18n/index.js";
import { DEFAULT_SCENARIO, fromLink, linkFields } from "./link.js";
import { connect, messageBytes, messages } from "./socket.js";
import {
  applyFound, applyFrame, applyProgress, applySnapshot, applyTraining, clearError, followLesson, noteAnswered,
  trainingRuns, markAwaitingSync, maxMessageBytes, nextId, setConnection, setEqUnit,
  keptShown, shownViews, setDive, setError, setLinkProblem, setOwnWeights, setSpeed, setStep, setUnit, setWalk, startNewSession, state,
} from "./state.js";

const MIB = 1024 * 1024;

// The page's own settings of a link (the language is switched as soon as the link is read).
function applyView(view) {
  if ("dive" in view) setDive(view.dive);
  if (view.table) setDive("numbers"); // a link from before the deep dives: the numbers table was open
  if ("t" in view) setStep(view.t);
  if ("walk" in view) setWalk(view.walk);
  if ("eqUnit" in view) setEqUnit(view.eqUnit);
  if ("unit" in view) setUnit(view.unit);
  if ("speed" in view) setSpeed(view.speed);
  if ("lesson" in view) followLesson(view.lesson);
}

// Options:
//   link               the fields of the link the page was opened with, to restore as soon as a
//                      connection is open; or null
//   opened             the key of a model POST /api/open keeps (the page's ?open=), to open as
//                      soon as a connection is open; or null
//   status             the #status line (views/status.js), redrawn while it counts down to a retry
//   requestDraw({now}) asks for a drawing pass (painter.js)
//   pause()            stops playing (playback.js)
//   download(message)  saves a "file" message (files.js)
//   units()            the units whose columns the page's views need (null: every unit)
// start() opens the connection; nothing is sent before it.
export function createSession({ link, opened = null, status, requestDraw, pause, download, units = () => null }) {
  let pendingLink = link; // a link's fields, to restore as soon as a connection is open
  // The key of the opened model: sent once connected, and again after a reconnect while the page
  // still shows that model and does not hold its weights (a large one's are never sent to it).
  state.openedKey = opened;
  let pendingOpen = Boolean(opened);
  let openOnItsWay = null; // the id of the `open` sent and not yet answered
  // A scenario opens at its own step (scenario.open_step), where something happens: the first one
  // shown (unless a link names the step), and each one loaded or reset. The id of that message, or
  // 0 for the first snapshot; null once there is nothing to open.
  let openingId = link ? null : 0;
  // The restore on its way: {id, view, weights, origin}. origin "link" (a link being opened),
  // "reconnect" (the state before the connection dropped) or "upload" (someone's own weights);
  // `view` holds the page's settings to apply once it is answered.
  let restoring = null;
  let unanswered = null; // the restore a dropped connection took with it, to send again
  let countdown = 0;
  let socket = null;
  // Slider moves (sendLatest): the id of the one sent and not yet answered, and the newest move
  // of each control made since, not yet sent.
  let onItsWay = null;
  const waiting = new Map();

  // Sends a load or a reset; its snapshot opens the scenario at its own step.
  function sendOpening(message) {
    openingId = message.id;
    return send(message);
  }

  function notConnected() {
    setError(null, () => strings.connection.notSent);
    requestDraw();
  }

  function sendNow(message) {
    if (socket.send(message)) return true;
    notConnected();
    return false;
  }

  // Sends a message after any slider moves still waiting, so the server gets them in the order
  // they were made.
  function send(message) {
    if (waiting.size) sendWaiting();
    return sendNow(message);
  }

  // A slider fires an input event for every pixel it moves, faster than the server answers and
  // the page draws. Sending each one made the page draw every answer in turn: after a fast
  // two-second drag (T=500, H=32) it was still catching up 7.4 s later (now ~1 s;
  // benchmarks/bench_browser.py). So one move is on its way at a time; a move made meanwhile
  // waits, replacing an older move of the same `control`, and when the answer comes whatever
  // waits goes out at once (the server recomputes once for it).
  function sendLatest(control, message) {
    waiting.set(control, message);
    if (onItsWay === null || state.ack >= onItsWay) sendWaiting();
  }

  function sendWaiting() {
    const moves = [...waiting.values()];
    waiting.clear();
    onItsWay = null;
    for (const message of moves) {
      if (!sendNow(message)) return;
      onItsWay = message.id;
    }
  }

  // After every message from the server: an answer to the move on its way lets the next go.
  // True when it sent something.
  function sendWaitingIfAnswered() {
    if (onItsWay === null || state.ack < onItsWay) return false;
    const sending = waiting.size > 0;
    sendWaiting();
    return sending;
  }

  // Sends a restore: `fields` for the message, `view` to apply once it is answered. Returns
  // "sent", "too-large" (over the server's message limit) or "not-sent" (no connection).
  function sendRestore(fields, view, origin) {
    waiting.clear(); // moves made on the state this restore replaces
    const id = nextId();
    const message = messages.restore(id, fields);
    if (messageBytes(message) > maxMessageBytes()) return "too-large";
    if (!socket.send(message)) return "not-sent";
    restoring = { id, fields, view, weights: fields.weights || null, origin };
    if (fields.open) state.openedKey = fields.open; // a link's kept model: a reconnect opens it again
    return "sent";
  }

  // A link could not be opened: say why (until the user changes something) and show the default.
  // `reason` is a function that says why in the page's current language.
  function linkFailed(reason) {
    // The default scenario, as a page opened without a link shows it (at its opening step).
    sendOpening(messages.load(nextId(), DEFAULT_SCENARIO));
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
    if (sent === "too-large" && keptShown()) {
      reopen(state.stack ? state.stack.shown : null); // the kept model again, on its own inputs
    } else if (sent === "too-large") {
      const values = {
        parameters: state.model ? state.model.parameters.toLocaleString("en") : "?", limit: maxMessageBytes() / MIB,
      };
      setError(null, () => format(strings.connection.tooLargeToRestore, values));
    }
  }

  function onSnapshot(message) {
    if (!applySnapshot(message)) return;
    if (openingId !== null && (message.ack ?? 0) >= openingId && !restoring) {
      openingId = null;
      setStep(message.scenario.open_step || 0);
      setEqUnit(message.scenario.open_unit || 0); // the unit its prompt is about: on the belt
    }
    if (restoring && message.ack === restoring.id) {
      const { view, weights } = restoring;
      restoring = null;
      setOwnWeights(weights);
      if (view) applyView(view);
    }
    sendViews(); // a link may have opened another dive
    requestDraw();
  }

  function onFrame(message) {
    // While a training runs the views show its progress; a frame answers under the weights of the
    // last pause, and the snapshot that follows the next pause brings the trained model whole.
    if (trainingRuns()) {
      noteAnswered(message.ack);
      return;
    }
    const result = applyFrame(message);
    if (result === "applied") {
      // The answer to the latest move is drawn at once. While a drag goes on, a newer move waited
      // for this answer: it goes out now, and this answer is drawn at the next animation frame
      // with whatever else has arrived by then (drawing each one at once kept the main thread
      // from taking in the newer answers: 2 s drag, T=500, H=32, release → painted 95 → 120 ms).
      const newer = sendWaitingIfAnswered();
      requestDraw({ now: !newer });
    }
    else if (result === "out-of-sync" && !state.awaitingSync) {
      // The frame builds on a revision we do not hold: never draw it, ask for everything.
      markAwaitingSync();
      socket.send(messages.sync());
    }
  }

  function onError(message) {
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

  function onMessage(message) {
    if (openOnItsWay !== null && (message.ack ?? -1) >= openOnItsWay) openOnItsWay = null;
    if (message.type === "snapshot") onSnapshot(message);
    else if (message.type === "file") download(message);
    else if (message.type === "frame") onFrame(message);
    else if (message.type === "error") onError(message);
    else if (message.type === "units") {
      applyFound(message);
      requestDraw();
    }
    else if (message.type === "training") {
      applyTraining(message);
      requestDraw();
    } else if (message.type === "progress" && applyProgress(message)) requestDraw();
    sendWaitingIfAnswered();
  }

  // Tells the server which views the page shows, so it computes what they need (and no more).
  let viewsSent = "";
  function sendViews(force = false) {
    const shown = shownViews(state);
    const wanted = units();
    const key = `${shown.join(" ")}|${wanted}`;
    if (key === viewsSent && !force) return;
    if (socket && socket.send(messages.views(nextId(), shown, wanted))) viewsSent = key;
  }

  function onOpen() {
    const resuming = Boolean(state.trace);
    startNewSession();
    setConnection("open");
    sendViews(true); // a new session serves every view until told otherwise
    clearError(); // "not connected" and the like are about the connection that dropped
    if (pendingLink) {
      const fields = pendingLink;
      pendingLink = null;
      openLink(fields);
    } else if (pendingOpen) {
      pendingOpen = false;
      reopen(null);
    } else if (unanswered) {
      const { fields, view, origin } = unanswered;
      unanswered = null;
      sendRestore(fields, view, origin);
    } else if (resuming) {
      resume();
    }
    requestDraw();
  }

  // The server reads the kept model again by its key (on the inputs it was kept with), a stack
  // showing the layer it was opened on; `shown`, a direction to show after it.
  function reopen(shown) {
    openOnItsWay = nextId();
    sendOpening(messages.open(openOnItsWay, state.openedKey));
    if (shown) socket.send(messages.setLayer(nextId(), shown.layer, shown.reverse));
  }

  function onClose(retryInMs) {
    if (state.playing) pause();
    window.clearInterval(countdown); // the status line counts down to the next attempt
    countdown = window.setInterval(() => status.render(state), 1000);
    // A restore the dropped session never answered is sent again to the next one.
    if (restoring) unanswered = restoring;
    restoring = null;
    if (openOnItsWay !== null) pendingOpen = true; // and an open: the next session opens it
    openOnItsWay = null;
    // Moves are lost with the connection, as a move sent just before it dropped is: the next
    // session restores the state the page held.
    onItsWay = null;
    waiting.clear();
    setConnection("closed", retryInMs);
    requestDraw();
  }

  // The socket gave up (a message too big, a refusal, or too many failures): no countdown, and the
  // status line says why until the page is reloaded.
  function onStop(why, reason) {
    if (state.playing) pause();
    window.clearInterval(countdown);
    restoring = null;
    onItsWay = null;
    waiting.clear();
    setConnection("stopped");
    state.stopped = { why, reason };
    requestDraw();
  }

  function onRetry() {
    window.clearInterval(countdown);
    setConnection("connecting");
    requestDraw();
  }

  return {
    start() {
      socket = connect({ onOpen, onMessage, onClose, onRetry, onStop });
    },
    send,
    sendViews,
    sendOpening,
    // Opens the model POST /api/open keeps under `key` (an upload the page had the server keep);
    // a reconnect opens it again while the page shows it. False when there is no connection.
    openKept(key) {
      waiting.clear(); // moves made on the model this one replaces
      state.openedKey = key;
      setOwnWeights(null); // an earlier upload's weights are not this model's
      const id = nextId();
      if (!sendOpening(messages.open(id, key))) return false;
      openOnItsWay = id;
      return true;
    },
    sendLatest,
    sendRestore,
    notConnected,
    openLink,
    linkFailed,
    // The origin of the restore on its way ("link" | "reconnect" | "upload"), or null.
    restoringOrigin: () => (restoring ? restoring.origin : null),
    // A restore is on its way, or a link waits for a connection: the state held is not yet the
    // one to link to.
    restorePending: () => Boolean(restoring || pendingLink || pendingOpen || openOnItsWay !== null),
  };
}
