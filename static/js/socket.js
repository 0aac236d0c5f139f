// Owns the WebSocket: connecting, reconnecting with back-off, and the shapes of the messages the
// client sends (docs/protocol.md). It knows nothing about views; it hands parsed messages on.
//
// Snapshots and frames arrive as binary columns (`/ws?encoding=binary`, docs/protocol.md "Binary
// encoding"): a large trace is megabytes of JSON whose parsing cost the browser more than the
// server spent computing it; raw float32/float64 bytes need no parsing at all.

// Reconnecting: 0.5 s, doubling up to 10 s, each wait spread by ±25 % so that many pages
// dropped by one server restart do not all come back in the same instant.
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10000;
const JITTER = 0.25;
// After this many failed attempts in a row (about a minute and a half of waiting) the page stops
// and says so: retrying forever only hides that the server is gone. A connection counts as a
// success once it has brought a message: one that opens and closes at once is a failure too.
export const MAX_FAILURES = 12;
// Close codes that a reconnect would only meet again: the page stops at once and says why.
// 1009: a message too big for the other side (the same one would be sent again); 1008: refused by
// policy (another origin, a bad query).
const FINAL_CLOSE_CODES = { 1009: "tooBig", 1008: "refused" };

// The server closes a connection whose message is larger than its limit (LSTM_CONVEYOR_MAX_MESSAGE_BYTES),
// and the page refuses to send such a message instead. Every snapshot tells the limit (`limits`,
// state.js maxMessageBytes()); this is the server's default, used only before the first snapshot.
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

const SERVER_TYPES = ["snapshot", "frame", "error", "file", "training", "progress", "units"];

// Builders for every client message the page sends; `id` is echoed by the server as `ack`.
export const messages = {
  setInput: (id, t, j, value) => ({ type: "set_input", id, t, j, value }),
  setSequence: (id, x) => ({ type: "set_sequence", id, x }),
  // A model that reads text: the text's tokens become the sequence.
  setText: (id, text) => ({ type: "set_text", id, text }),
  // Ranks every unit (docs/protocol.md, find_units): {ranking, start, stop, quantity, pattern, top}.
  findUnits: (id, fields) => ({ type: "find_units", id, ...fields }),
  // A stack's session shows another direction of another layer.
  setLayer: (id, layer, reverse) => ({ type: "set_layer", id, layer, reverse }),
  generate: (id, component, sequence) => ({ type: "generate", id, component, sequence }),
  // `knobs` holds only the knobs that changed, e.g. {bias_f: 2.5}; the others keep their value.
  setKnobs: (id, knobs) => ({ type: "set_knobs", id, ...knobs }),
  // `initial` holds h0 and/or c0, each a full vector of H numbers.
  setState: (id, initial) => ({ type: "set_state", id, ...initial }),
  // Forces `gate` to `value` for unit `unit` (null: every unit); value null releases it.
  setClamp: (id, gate, unit, value) => ({ type: "set_clamp", id, gate, unit, value }),
  // `model`: "gru" for the scenario's GRU version (docs/protocol.md, A GRU session); else the LSTM.
  load: (id, scenario, model = "lstm") => ({ type: "load", id, scenario, ...(model === "gru" ? { model } : {}) }),
  // `fields`: any of scenario | weights (+ title), x, h0, c0, knobs, clamps (docs/protocol.md).
  restore: (id, fields) => ({ type: "restore", id, ...fields }),
  // The model POST /api/open keeps on the server under `key` (the page's `?open=` address): the
  // session reads it there, so its weights never travel through the socket.
  open: (id, key) => ({ type: "open", id, open: key }),
  // `format`: "trace.csv", "trace.json", "weights.npz" or "weights.safetensors".
  exportFile: (id, format) => ({ type: "export", id, format }),
  reset: (id) => ({ type: "reset", id }),
  sync: () => ({ type: "sync" }),
  // The views the page shows (the server computes and sends what they need).
  // `units`: the units whose columns to send (null: every unit).
  views: (id, shown, units) => ({ type: "views", id, shown, units }),
  // Training on the server (docs/protocol.md, Training): settings {task, steps, hidden, ...}.
  train: (id, settings) => ({ type: "train", id, ...settings }),
  trainPause: (id) => ({ type: "train_pause", id }),
  trainResume: (id) => ({ type: "train_resume", id }),
  trainStep: (id) => ({ type: "train_step", id }),
  trainReset: (id) => ({ type: "train_reset", id }),
  trainSet: (id, fields) => ({ type: "train_set", id, ...fields }),
};

// The size of a message as it would be sent (UTF-8 bytes of its JSON).
export function messageBytes(message) {
  return new TextEncoder().encode(JSON.stringify(message)).length;
}

function socketUrl() {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}/ws?encoding=binary`;
}

// The typed array for each dtype code of the binary encoding (little-endian, as every browser's
// typed arrays are on the machines browsers run on).
const TYPED_ARRAYS = { f4: Float32Array, f8: Float64Array };
const ALIGN = 8;

// A binary message (an ArrayBuffer) back into the message the JSON text would have given: a
// uint32 header length, the JSON header with each array as {"$array": [offset, dtype, shape]},
// then the arrays from the first multiple of 8 on. Same shape, same numbers (a float32 arrives as
// the double it is exactly, not as its shortest decimal); only the parsing is gone.
export function decodeBinary(buffer) {
  const length = new DataView(buffer).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, length)));
  const start = Math.ceil((4 + length) / ALIGN) * ALIGN;
  return restoreArrays(header, buffer, start);
}

function restoreArrays(value, buffer, start) {
  if (Array.isArray(value)) return value.map((item) => restoreArrays(item, buffer, start));
  if (value === null || typeof value !== "object") return value;
  const descriptor = value.$array;
  if (descriptor && Object.keys(value).length === 1) {
    const [offset, dtype, shape] = descriptor;
    const Typed = TYPED_ARRAYS[dtype];
    if (!Typed) throw new TypeError(`unknown dtype ${dtype}`);
    const count = shape.reduce((a, b) => a * b, 1);
    return nestedArrays(new Typed(buffer, start + offset, count), shape);
  }
  const out = {};
  for (const [key, item] of Object.entries(value)) out[key] = restoreArrays(item, buffer, start);
  return out;
}

// Plain Arrays of numbers, row by row, as JSON.parse would make them. Not typed views: the page
// slices, concats, maps rows to strings, checks Array.isArray and JSON.stringify-s vectors into
// links and messages, all of which a Float32Array row does differently (or not at all). Copied by
// a plain loop: Array.from or spreading a typed array is 10–30× slower in V8 (as slow as JSON.parse).
function nestedArrays(flat, shape, offset = 0) {
  if (shape.length === 0) return flat[offset];
  const length = shape[0];
  const out = new Array(length);
  if (shape.length === 1) {
    for (let k = 0; k < length; k += 1) out[k] = flat[offset + k];
    return out;
  }
  const inner = shape.slice(1);
  const size = inner.reduce((a, b) => a * b, 1);
  for (let k = 0; k < length; k += 1) out[k] = nestedArrays(flat, inner, offset + k * size);
  return out;
}

// A server message of either kind: binary (an ArrayBuffer) or JSON text. Throws on garbage.
function decodeMessage(data) {
  return data instanceof ArrayBuffer ? decodeBinary(data) : JSON.parse(data);
}

// The wait before reconnect attempt n (0-based): exponential, capped, jittered.
export function retryDelay(attempt) {
  const base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** attempt);
  return Math.round(base * (1 - JITTER + 2 * JITTER * Math.random()));
}

// Opens the connection and keeps it open. Callbacks:
//   onOpen()                    a new connection (a new server session) is up
//   onMessage(message)          a parsed server message with a known type
//   onClose(retryInMs)          the connection dropped (or could not be made); it retries after retryInMs
//   onRetry()                   a reconnect attempt starts
//   onStop(why, reason)         it gave up: why "tooBig", "refused" or "gaveUp"; reason, the server's words
export function connect({ onOpen, onMessage, onClose, onRetry = () => {}, onStop = () => {} }) {
  let ws = null;
  let attempt = 0; // failed attempts since the last connection that brought a message

  function open() {
    ws = new WebSocket(socketUrl());
    ws.binaryType = "arraybuffer"; // decodeBinary views it in place (a Blob would need a read first)
    ws.addEventListener("open", () => onOpen());
    ws.addEventListener("message", (event) => {
      attempt = 0;
      let message;
      try {
        message = decodeMessage(event.data);
      } catch {
        return; // the server only sends JSON text or binary columns; anything else is not ours to draw
      }
      if (message && SERVER_TYPES.includes(message.type)) onMessage(message);
    });
    // "close" follows "error" too, so reconnecting lives here only.
    ws.addEventListener("close", (event) => {
      ws = null;
      const final = FINAL_CLOSE_CODES[event.code];
      if (final || attempt + 1 >= MAX_FAILURES) {
        onStop(final || "gaveUp", event.reason || "");
        return;
      }
      const wait = retryDelay(attempt);
      attempt += 1;
      onClose(wait);
      window.setTimeout(() => {
        onRetry();
        open();
      }, wait);
    });
  }

  open();
  return {
    // Sends one message; false when there is no open connection to send it on.
    send(message) {
      if (!ws || ws.readyState !== WebSocket.OPEN) return false;
      ws.send(JSON.stringify(message));
      return true;
    },
  };
}
