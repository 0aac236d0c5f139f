// The one client state object, and the only code that changes it.

import { KINDS, kindOf } from "./models.js";
import { MAX_MESSAGE_BYTES } from "./socket.js";
//
// It holds exactly what the server last sent (trace rows, sizes, revision) plus what the user is
// looking at (step t, playing, speed). Merging follows the revision rule of docs/protocol.md:
// a view is only ever drawn from a state the server actually had.

// Quantities with one row of H values per step ("x" alone has D values per row), by model kind
// (models.js). Each gate's pre-activation comes with its three parts: from the input (_x), from
// the previous output (_h) and the bias (_b).
export const PRE_PARTS = ["i", "f", "g", "o"].flatMap((q) => ["x", "h", "b"].map((part) => `pre_${q}_${part}`));
export const UNIT_QUANTITIES = KINDS.lstm.units;
export const QUANTITIES = ["x", ...UNIT_QUANTITIES];
const quantitiesOf = (kind) => ["x", ...KINDS[kind].units];

// The parts of a snapshot or frame that arrive whole, and only while a view that shows them is on
// the page (docs/protocol.md, `views`): the gradients of the loss through the model, and the plain
// RNN raced against it. Each is {key: T rows}.
export const WHOLE_PARTS = KINDS.lstm.whole;

// The deep dives under the workbench (one open at a time) and the lab's tabs beside the belt.
export const DIVES = ["equations", "gradients", "gates", "numbers", "find", "files", "train"];
export const LAB_TABS = ["knobs", "clamps", "state"];

// Milliseconds one step's animation (and one tick of play) takes at 1× speed.
export const BASE_STEP_MS = 800;

export const state = {
  connection: "connecting", // "connecting" | "open" | "closed" | "stopped" (gave up: see stopped)
  stopped: null, // {why: "tooBig" | "refused" | "gaveUp", reason}: why the page stopped reconnecting
  retryAt: 0, // when closed: the time (Date.now()) of the next attempt to reconnect
  sessions: 0, // connections opened so far (each one is a new server session)
  // {field, message, code, params} of the latest error (a server's, or the page's own with code
  // null and `message` already in words), cleared by the next accepted change
  error: null,
  // {message, since}: why a link could not be opened (message() says it in the page's current
  // language); kept until a change the user makes after message id `since` is accepted (the
  // fallback's own snapshot does not clear it)
  linkProblem: null,
  scenario: null, // {name, title, description, input_names, input_range}
  sizes: null, // {T, D, H}
  model: null, // {custom, parameters, weights}: weights only for a small custom model
  limits: null, // the server's limits from the last snapshot: {max_message_bytes, max_steps, …}
  ownWeights: null, // the custom model's weights as this page last sent them (any size), or null
  // The key of the model POST /api/open keeps that the page opened last (its `?open=`, an upload it
  // had the server keep, or a link's), or null; see keptShown.
  openedKey: null,
  // A stack of layers (docs/protocol.md, A stack of layers): {layers: [{layer, reverse, H, D}],
  // shown: {layer, reverse}}, and layer 0's inputs (T rows of D; trace.x is the shown layer's own
  // input); both null for a single layer.
  stack: null,
  inputs: null,
  // Whether the inputs are exactly the model's own (the server says so: docs/protocol.md,
  // inputs_own): then a kept model's key alone links to them, however many there are.
  inputsOwn: false,
  trace: null, // {quantity: rows}; row t is step t, a value per unit (NaN for a unit not held)
  // A model that reads text (model.text): the token each step read (null where x_t is no longer a
  // token's embedding row), and with a decoder the five likeliest next tokens after each step
  // ({tokens: T rows of 5, p: T rows of 5}); null for a model of numbers.
  tokens: null,
  top: null,
  // The unit finder (static/js/finder.js): the span of steps selected ({start, stop}: steps
  // start … stop−1) or null, the server's last `units` answer (docs/protocol.md, find_units) or
  // null, and the units chosen to be the belt's lanes and the heatmap's rows (null: in order).
  span: null,
  found: null,
  chosen: null,
  units: null, // the units whose columns the trace holds (the server sent), or null for every unit
  h0: null, // the initial state, whole whatever the units held (a link and the sliders need it)
  c0: null,
  gradients: null, // {dL_dc, dL_dh, dL_dx, belt}: T rows each, whole; null unless the last message had them
  rnn: null, // {h, dL_dh, dL_dx}: the plain RNN on the same inputs, T rows each; null likewise
  // {model, h, (c,) dL_dh, (dL_dc,) dL_dx, belt}: the other gated model on the same inputs (a
  // preset that runs as both), T rows each; null likewise, and for a model with no other
  counterpart: null,
  // {first, last, gradients: {all, units}, race}: what those two views say, as claims ({code,
  // params}) the server read off the numbers; null likewise
  story: null,
  knobs: null, // {bias_i, bias_f, bias_g, bias_o, weight_scale, rnn_scale, target}
  revision: null, // revision of the trace held (and drawn); null before the first snapshot
  // The first step whose rows are still an earlier revision's while the server reruns in parts
  // (docs/protocol.md, A rerun in parts), or null when every row held is of `revision`.
  pendingFrom: null,
  ack: -1, // highest client message id the server has answered
  lastId: 0, // highest id handed out to an outgoing message
  lastInputId: -1, // id of the latest set_input, to know when a slider move is answered
  lastKnobId: -1, // id of the latest set_knobs
  lastStateId: -1, // id of the latest set_state
  sentState: {}, // {h0, c0}: the vectors last sent, while that set_state is unanswered
  awaitingSync: false, // a sync was sent; frames are dropped until its snapshot arrives
  t: 0,
  playing: false,
  speed: 1,
  unit: null, // the unit the gradient and race charts single out; null for all units
  curves: null, // {z, sigmoid, tanh}: the activations sampled by the server (snapshots only)
  eqUnit: 0, // the unit the equations panel and the activation inset show
  walk: null, // the sub-step of the five-step walk-through (1..5), or null when not walking
  lang: "en", // the language asked for (by a link, the browser or the language buttons); the text falls back to English
  dive: "equations", // the deep dive open under the workbench (DIVES)
  labTab: "knobs", // the lab's tab beside the belt (LAB_TABS)
  // The guided lesson followed (static/js/lessons.js), or null: {id, task (index of the current
  // task; the task count when all are done), entered (the task whose controls were last brought
  // into view), guess (the prediction marker's value, or null before it is moved), revealed
  // ({guess, actual} once the current prediction is revealed), gaps (|guess − actual| of each
  // prediction revealed in this lesson), done (the index of the task done last, or null)}
  lesson: null,
  // The first step the belt over time hides (a prediction about it is asked), or null.
  veil: null,
  // The session's training (docs/protocol.md, Training): its last `training` message ({state,
  // reason, updates, seconds, budget, settings, task, worker}), or null before one started.
  training: null,
  // What its `progress` messages said, for the curves: {updates, loss, accuracy, forget (a row of
  // H per entry), seconds}, one entry per message; restarted when a training starts again at update 0.
  trainingLog: null,
};

// The five moves of one time step, in the concept source's order (1-based: walk = index + 1).
export const WALK_STEPS = ["forget", "input", "update", "output", "pass"];

// A fresh id for an outgoing message; the server echoes it as `ack`.
export function nextId() {
  state.lastId += 1;
  return state.lastId;
}

export function noteInputSent(id) {
  state.lastInputId = id;
}

// True while a slider move has been sent but not yet answered (the slider is ahead of the trace).
export function inputPending() {
  return state.lastInputId > state.ack;
}

export function noteKnobSent(id) {
  state.lastKnobId = id;
}

// True while a knob move is unanswered (the knob slider is ahead of state.knobs).
export function knobPending() {
  return state.lastKnobId > state.ack;
}

// Remembers the initial-state vector just sent, so a second slider moved before the answer
// builds on it rather than on the older trace.
export function noteStateSent(id, name, vector) {
  state.lastStateId = id;
  state.sentState = { ...state.sentState, [name]: vector };
}

export function statePending() {
  return state.lastStateId > state.ack;
}

// The initial state h0 or c0 as the user last set it: what was sent while unanswered, else the
// trace's row 0 of h_prev / c_prev.
export function initialState(name) {
  if (statePending() && state.sentState[name]) return state.sentState[name].slice();
  return Array.from(state[name]);
}

// The units whose columns the trace holds, in order: every unit, or those the server sent (a
// model too large for one message sends the first that fit until the page names others).
export function heldUnits(s = state) {
  if (!s.sizes) return [];
  return s.units === null ? Array.from({ length: s.sizes.H }, (_, k) => k) : [...s.units].sort((a, b) => a - b);
}

// How many units' columns the server sends in one message when the page names none
// (docs/protocol.md, Connection limits: ¾ of max_message_bytes, at most 256 bytes a unit and step,
// beside the inputs sent whole); at least one.
export function unitsThatFit(s = state) {
  const room = maxMessageBytes() * 0.75 - inputBytes(s);
  return Math.max(1, Math.floor(room / (s.sizes.T * 256)));
}

// The bytes of the inputs' columns a message carries whatever the units: layer 0's (float64) and
// a stack's shown input (float32).
function inputBytes(s) {
  const { T } = s.sizes;
  const inputs = s.trace ? 8 * T * inputRows(s)[0].length : 8 * T * s.sizes.D;
  const shown = s.stack && s.trace ? 4 * T * s.trace.x[0].length : 0;
  return inputs + shown;
}

// How many units the page may name for the belt's lanes (and the belt over time's) so that a
// frame of every step still fits a message: a unit adds its trace's columns, at most 128 bytes a
// step (≤ 32 quantities, float32 on the wire but c_{t−1} and h_{t−1}), or 256 with the gradients
// and the RNN foil shown; 10 % of the message is left for the rest (knobs, tokens, summaries).
// H=1,024, D=256, T=1,000: 5; T=10,000, D=2: 2.
export function lanesThatFit(s = state) {
  const perStep = shownViews(s).includes("gradients") ? 256 : 128;
  const room = maxMessageBytes() * 0.9 - inputBytes(s);
  return Math.max(1, Math.floor(room / (s.sizes.T * perStep)));
}

export function holds(k, s = state) {
  return s.units === null || s.units.includes(k);
}

// A message's rows of one quantity as rows of H values: as they are when the message carries every
// unit, else its columns put in their units' places (NaN elsewhere), in one buffer per quantity.
// Plain loops: this runs for every quantity and step of every frame (at T=500, 17 × 500 rows), and
// a callback per row and per unit cost more than the copying.
function widen(rows, units, H) {
  if (!units) return rows;
  const T = rows.length;
  const n = units.length;
  const buffer = new Float64Array(T * H).fill(NaN);
  const out = new Array(T);
  for (let t = 0; t < T; t += 1) {
    const row = rows[t];
    const at = t * H;
    for (let u = 0; u < n; u += 1) buffer[at + units[u]] = row[u];
    out[t] = buffer.subarray(at, at + H);
  }
  return out;
}

function widenTrace(trace, units, H, kind = "lstm") {
  const out = {};
  for (const name of quantitiesOf(kind)) out[name] = name === "x" ? trace[name] : widen(trace[name], units, H);
  return out;
}

const sameUnits = (a, b) => (a === null || b === null ? a === b : a.length === b.length && a.every((k, n) => k === b[n]));

function noteAck(ack) {
  if (Number.isInteger(ack) && ack > state.ack) state.ack = ack;
}

export function setConnection(connection, retryInMs = 0) {
  state.connection = connection;
  state.retryAt = Date.now() + retryInMs;
}

// A new connection is a new server session whose revisions start again at 0: forget the held
// revision so its first snapshot is accepted.
export function startNewSession() {
  state.revision = null;
  state.awaitingSync = false;
  state.sessions += 1;
}

// `code` and `params` name a server problem so the page can say it in its own language; the
// page's own errors have code null and `message` in words already.
export function setError(field, message, ack, code = null, params = null) {
  state.error = { field, message, code, params };
  noteAck(ack);
}

export function clearError() {
  state.error = null;
}

// Why a link could not be opened (a function that says it); it stays until the user changes something.
export function setLinkProblem(message) {
  state.linkProblem = { message, since: state.lastId };
}

function clearLinkProblem(ack) {
  if (state.linkProblem && Number.isInteger(ack) && ack > state.linkProblem.since) state.linkProblem = null;
}

// The weights of the custom model this page sent (null for a preset), for links and reconnects.
export function setOwnWeights(weights) {
  state.ownWeights = weights;
}

// The key of the kept model the page shows, or null: a custom model the page did not send (loading
// or uploading another replaces it) that is more than one layer's weights the page holds — too
// large for them to be sent, a stack, or a model that reads text (a small single layer travels
// in a link as its weights, and outlives the server's copy).
export function keptShown(s = state) {
  const model = s.model;
  if (!s.openedKey || !model || !model.custom || s.ownWeights) return null;
  return !model.weights || s.stack || model.text ? s.openedKey : null;
}

// The inputs the sliders set: layer 0's for a stack (the shown layer reads the one below), else x.
// Rows of their first columns only when all of them would not fit a message (see inputsCut).
export function inputRows(s = state) {
  return s.inputs || s.trace.x;
}

// How many inputs the shown direction reads: a stack's upper layer reads the layer below.
export function shownInputWidth(s = state) {
  if (!s.stack) return s.sizes.D;
  const { layer, reverse } = s.stack.shown;
  const shown = s.stack.layers.find((each) => each.layer === layer && each.reverse === reverse);
  return shown ? shown.D : s.sizes.D;
}

// Whether a link stands for the inputs without carrying them: a kept model's key alone reopens it
// on its own inputs, so while they are those (even ones the page holds only the first columns of,
// or too many for a link), the link needs none of them.
export function inputsLinkable(s = state) {
  return s.inputsOwn && keptShown(s) !== null;
}

// Whether the page holds only the first columns of the inputs the user sets (T·D too large for a
// message: docs/protocol.md, Connection limits): a link or a reconnect cannot carry them then.
export function inputsCut(s = state) {
  const rows = inputRows(s);
  return Boolean(rows && rows[0] && rows[0].length < s.sizes.D);
}

export function setLang(code) {
  state.lang = code;
}

// The views on the page (docs/protocol.md, `views`): the workbench's, and the open dive's.
const DIVE_VIEWS = { equations: ["equations"], gradients: ["gradients", "race"], gates: ["gates"],
  numbers: ["numbers"], find: [], files: [], train: [] };
export function shownViews(s = state) {
  return ["belt", "timeline", ...DIVE_VIEWS[s.dive]];
}

// Opens one of the deep dives (an unknown name leaves the open one).
export function setDive(dive) {
  if (DIVES.includes(dive)) state.dive = dive;
}

export function setLabTab(tab) {
  if (LAB_TABS.includes(tab)) state.labTab = tab;
}

// The largest message the server takes: its snapshot's limit, or the default until one arrived.
export function maxMessageBytes() {
  const limit = state.limits && state.limits.max_message_bytes;
  return Number.isFinite(limit) && limit > 0 ? limit : MAX_MESSAGE_BYTES;
}

// --- the unit finder ----------------------------------------------------------------------------

// Selects steps start … stop−1 (clamped to the sequence), or none with null.
export function setSpan(start, stop) {
  const T = state.sizes ? state.sizes.T : 0;
  if (start === null || !Number.isInteger(start) || !Number.isInteger(stop)) {
    state.span = null;
    return;
  }
  const a = Math.max(0, Math.min(start, stop, T - 1));
  const b = Math.min(T, Math.max(start, stop, a + 1));
  state.span = { start: a, stop: b };
}

export function applyFound(message) {
  noteAck(message.ack);
  state.found = message;
  state.error = null;
}

// The units the belt and the heatmap show, in this order (null: every unit in order).
export function chooseUnits(units) {
  const H = state.sizes ? state.sizes.H : 0;
  const valid = Array.isArray(units) ? [...new Set(units.filter((k) => Number.isInteger(k) && k >= 0 && k < H))] : [];
  state.chosen = valid.length ? valid : null;
}

function clampStep() {
  // While a lesson asks what step `veil` will show, the page stays before it (no peeking).
  const last = Math.min(state.sizes ? state.sizes.T - 1 : 0, state.veil === null ? Infinity : state.veil - 1);
  state.t = Math.min(Math.max(0, state.t), Math.max(0, last));
  if (state.unit !== null && (!state.sizes || state.unit >= state.sizes.H)) state.unit = null;
  if (!state.sizes || state.eqUnit >= state.sizes.H) state.eqUnit = 0;
}

// The whole parts of a message, checked: {gradients, rnn}, each null when the message does not
// carry it (no view shows it); null if one is there but not T rows long (then the message is not
// one this client can draw). A message of some units' columns (`units`, of H) carries theirs of
// each (T, H) array, widened here as the trace is (dL_dx's columns are inputs: as they come), and
// what a chart of all units draws, over every unit (`dL_dc_norm`, `belt_max`, …), as it comes.
function wholeParts(message, T, kind = "lstm", units = null, H = 0) {
  const out = { counterpart: counterpartOf(message.counterpart, T) };
  for (const [part, keys] of Object.entries(KINDS[kind].whole)) {
    const given = message[part];
    if (!given) {
      out[part] = null;
      continue;
    }
    for (const key of keys) {
      if (!Array.isArray(given[key]) || given[key].length !== T) return null;
    }
    if (!units) {
      out[part] = given;
      continue;
    }
    out[part] = { ...given };
    for (const key of keys) if (key !== "dL_dx") out[part][key] = widen(given[key], units, H);
  }
  return out;
}

// The other gated model raced on the same inputs (an LSTM session's GRU, a GRU session's LSTM),
// when the message has one and it holds its kind's rows, T each; else null (the views then draw
// the session's model and the RNN alone).
function counterpartOf(given, T) {
  if (!given || !KINDS[given.model]) return null;
  const keys = [...KINDS[given.model].whole.gradients, given.model === "lstm" ? "c" : "h"];
  return keys.every((key) => Array.isArray(given[key]) && given[key].length === T) ? given : null;
}

// Replaces everything when the snapshot is newer than what is held. Returns whether it applied.
export function applySnapshot(message) {
  noteAck(message.ack);
  if (state.revision !== null && message.revision <= state.revision) return false;
  const kind = kindOf(message.model);
  const whole = wholeParts(message, message.sizes.T, kind, message.units || null, message.sizes.H);
  if (!whole || !message.knobs) return false;
  if (!state.sizes || state.sizes.H !== message.sizes.H || (state.scenario && state.scenario.name !== message.scenario.name)) {
    state.chosen = null; // units of another model
    state.found = null;
  }
  if (!state.sizes || state.sizes.T !== message.sizes.T) state.span = null;
  state.scenario = message.scenario;
  state.sizes = message.sizes;
  state.model = message.model || null;
  if (message.limits) state.limits = message.limits;
  state.units = message.units || null;
  state.trace = widenTrace(message.trace, state.units, message.sizes.H, kind);
  state.tokens = message.tokens || null;
  state.top = message.top || null;
  state.stack = message.stack || null;
  state.inputs = message.inputs || null;
  state.inputsOwn = message.inputs_own === true;
  if (message.h0) state.h0 = message.h0;
  state.c0 = message.c0 || null; // a GRU has none
  state.gradients = whole.gradients;
  state.rnn = whole.rnn;
  state.counterpart = whole.rnn ? whole.counterpart : null;
  state.story = whole.gradients ? message.story || null : null;
  state.knobs = message.knobs;
  if (message.curves) state.curves = message.curves;
  state.pendingFrom = null;
  state.revision = message.revision;
  state.awaitingSync = false;
  state.error = null;
  clearLinkProblem(message.ack);
  clampStep();
  return true;
}

// Applies a frame that builds on the held revision. Returns "applied", "superseded" (already
// have it or newer: drop) or "out-of-sync" (builds on something else: drop and ask for a snapshot).
export function applyFrame(message) {
  noteAck(message.ack);
  if (state.revision === null || state.trace === null) return "out-of-sync";
  if (message.revision <= state.revision) return "superseded";
  if (message.base !== state.revision) return "out-of-sync";
  const T = state.sizes.T;
  // rows start … end−1; past `end` the held rows stay until the rerun's next frames bring them
  const end = Number.isInteger(message.end) ? message.end : T;
  if (!Number.isInteger(message.start) || message.start < 0 || message.start > end || end > T) return "out-of-sync";
  // The inputs the user sets come as the rows that changed, start … x_end−1 (a slider's move: one
  // row); a stack's trace.x is the shown layer's computed input, rows start … end−1 like the rest.
  const xEnd = Number.isInteger(message.x_end) ? message.x_end : end;
  if (xEnd < message.start || xEnd > T) return "out-of-sync";
  const until = (name) => (name === "x" && !state.stack ? xEnd : end);
  const kind = kindOf(state.model);
  for (const name of quantitiesOf(kind)) {
    const part = message.trace[name];
    if (!Array.isArray(part) || part.length !== until(name) - message.start) return "out-of-sync";
  }
  const whole = wholeParts(message, T, kind, state.units, state.sizes.H);
  if (!whole || !message.knobs) return "out-of-sync";
  // Columns of other units than those held cannot join them.
  if (!sameUnits(message.units || null, state.units)) return "out-of-sync";
  // New arrays of rows, so views can tell by identity that the data changed.
  const trace = {};
  for (const name of quantitiesOf(kind)) {
    const given = message.trace[name];
    trace[name] = name === "x" || !state.units ? spliced(state.trace[name], message.start, until(name), given)
      : overwritten(state.trace[name], message.start, given, state.units);
  }
  state.trace = trace;
  state.inputsOwn = message.inputs_own === true;
  mergeTokens(message, message.start, end, xEnd);
  state.pendingFrom = end < T ? end : null;
  if (message.h0) state.h0 = message.h0;
  if (message.c0) state.c0 = message.c0;
  state.gradients = whole.gradients;
  state.rnn = whole.rnn;
  state.counterpart = whole.rnn ? whole.counterpart : null;
  state.story = whole.gradients ? message.story || null : null;
  state.knobs = message.knobs;
  state.revision = message.revision;
  state.error = null;
  clearLinkProblem(message.ack);
  return "applied";
}

// The held rows with rows start … end−1 replaced by `rows` (a new array).
const spliced = (held, start, end, rows) => held.slice(0, start).concat(rows, held.slice(end));

// The held rows (a new array) with a frame's columns of the units held written into rows start…
// in place: those rows were widened for the same units (applyFrame checks), so they hold NaN for
// every other unit already. At H=1,024 a new row of every unit for each step a frame carries cost
// ≈27 ms and 8 MB of garbage per 32 steps of a rerun in parts (the whole trace, 245 MB, once per
// rerun); writing the columns allocates nothing.
function overwritten(held, start, rows, units) {
  const out = held.slice();
  const n = units.length;
  for (let t = 0; t < rows.length; t += 1) {
    const row = out[start + t];
    const given = rows[t];
    for (let u = 0; u < n; u += 1) row[units[u]] = given[u];
  }
  return out;
}

// A frame's tokens and top 5 (rows start … end−1) and a stack's inputs (rows start … xEnd−1) in
// place of the rows held there.
function mergeTokens(message, start, end, xEnd) {
  if (state.tokens && Array.isArray(message.tokens)) state.tokens = spliced(state.tokens, start, end, message.tokens);
  if (state.inputs && Array.isArray(message.inputs)) state.inputs = spliced(state.inputs, start, xEnd, message.inputs);
  if (state.top && message.top) {
    state.top = {
      tokens: spliced(state.top.tokens, start, end, message.top.tokens),
      p: spliced(state.top.p, start, end, message.top.p),
    };
  }
}

export function markAwaitingSync() {
  state.awaitingSync = true;
}

export function lastStep() {
  return state.sizes ? state.sizes.T - 1 : 0;
}

// Moves to step t (clamped). Returns whether the step changed.
export function setStep(t) {
  const before = state.t;
  state.t = Number.isFinite(t) ? Math.round(t) : before;
  clampStep();
  return state.t !== before;
}

// Singles out unit k in the gradient and race charts (null: all units).
export function setUnit(unit) {
  const H = state.sizes ? state.sizes.H : 0;
  state.unit = Number.isInteger(unit) && unit >= 0 && unit < H ? unit : null;
}

// The unit the equations panel and the activation inset show.
export function setEqUnit(unit) {
  const H = state.sizes ? state.sizes.H : 0;
  if (Number.isInteger(unit) && unit >= 0 && unit < H) state.eqUnit = unit;
}

// Enters the walk-through at sub-step n (1..5), or leaves it with null. Returns whether it changed.
export function setWalk(n) {
  const before = state.walk;
  state.walk = Number.isInteger(n) && n >= 1 && n <= WALK_STEPS.length ? n : null;
  return state.walk !== before;
}

export function setPlaying(playing) {
  state.playing = Boolean(playing);
}

export function setSpeed(multiplier) {
  if (Number.isFinite(multiplier) && multiplier > 0) state.speed = multiplier;
}

// How long one step takes to animate at the current speed.
export function stepDuration() {
  return BASE_STEP_MS / state.speed;
}

// Row t of one quantity (H or D numbers), or null before the first snapshot.
export function row(name, t = state.t) {
  return state.trace ? state.trace[name][t] : null;
}

// --- the guided lesson ---------------------------------------------------------------------------

export function startLesson(id) {
  state.lesson = { id, task: 0, entered: null, guess: null, revealed: null, gaps: [], done: null };
  state.veil = null;
}

export function leaveLesson() {
  state.lesson = null;
  state.veil = null;
}

// Hides the steps from `step` on (null: none) while their values are to be predicted.
export function setVeil(step) {
  state.veil = Number.isInteger(step) ? step : null;
}

// The current task's controls were brought into view (once per task).
export function noteTaskEntered() {
  if (state.lesson) state.lesson.entered = state.lesson.task;
}

export function setGuess(value) {
  if (state.lesson && !state.lesson.revealed && Number.isFinite(value)) state.lesson.guess = value;
}

// Keeps the progress of the lesson followed when a link names it again (a reconnect's restore).
export function followLesson(id) {
  if (id === null) leaveLesson();
  else if (!state.lesson || state.lesson.id !== id) startLesson(id);
}

// The prediction meets the real value (the server's number): the gap joins the lesson's score.
export function revealGuess(actual) {
  const lesson = state.lesson;
  if (!lesson || lesson.revealed || lesson.guess === null || !Number.isFinite(actual)) return false;
  lesson.revealed = { guess: lesson.guess, actual };
  state.veil = null;
  lesson.gaps = [...lesson.gaps, Math.abs(lesson.guess - actual)];
  return true;
}

export function nextTask() {
  if (!state.lesson) return;
  const done = state.lesson.task;
  state.lesson = { ...state.lesson, task: done + 1, guess: null, revealed: null, done };
  state.veil = null;
}

// --- training ------------------------------------------------------------------------------------

// A message answered but not merged (a frame while a training runs): its ack still counts.
export function noteAnswered(ack) {
  noteAck(ack);
}

export function applyTraining(message) {
  noteAck(message.ack);
  state.training = message;
  if (message.state === "ended") state.trainingLog = null;
}

// Whether a training is running: its progress, not the frames, is what the views show then.
export function trainingRuns() {
  return Boolean(state.training && state.training.state === "running");
}

// A progress message: the probe under the weights of that moment replaces the arrays the views
// draw (not the revision: it changes nothing the session holds), and its figures join the log.
// Returns whether it applied.
export function applyProgress(message) {
  // (h: what both kinds of model have; a training's session runs the kind it trains)
  if (!state.sizes || !message.trace || !Array.isArray(message.trace.h) || message.trace.h.length !== state.sizes.T) {
    return false;
  }
  const kind = kindOf(state.model);
  const whole = wholeParts(message, state.sizes.T, kind, message.units || null, state.sizes.H);
  if (!whole) return false;
  state.units = message.units || null;
  state.trace = widenTrace(message.trace, state.units, state.sizes.H, kind);
  state.pendingFrom = null; // every row, under the weights of that moment
  if (message.h0) state.h0 = message.h0;
  if (message.c0) state.c0 = message.c0;
  state.gradients = whole.gradients;
  state.rnn = whole.rnn;
  state.counterpart = whole.rnn ? whole.counterpart : null;
  state.story = whole.gradients ? message.story || null : null;
  logProgress(message);
  return true;
}

function logProgress({ updates, loss, accuracy, forget, seconds }) {
  const log = state.trainingLog;
  const restart = !log || updates === 0 || updates < log.updates[log.updates.length - 1];
  const next = restart ? { updates: [], loss: [], accuracy: [], forget: [], seconds: [] } : log;
  if (!restart && updates === next.updates[next.updates.length - 1]) return; // a pause repeats the last
  state.trainingLog = {
    updates: [...next.updates, updates],
    loss: [...next.loss, loss],
    accuracy: [...next.accuracy, accuracy],
    forget: [...next.forget, forget],
    seconds: [...next.seconds, seconds],
  };
}
