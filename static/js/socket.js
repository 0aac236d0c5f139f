// Owns the WebSocket: connecting, reconnecting with back-off, and the shapes of the messages the
// client sends (docs/protocol.md). It knows nothing about views; it hands parsed messages on.

// Reconnecting: 0.5 s, doubling up to 10 s, each wait spread by ±25 % so that many pages
// dropped by one server restart do not all come back in the same instant.
const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 10000;
const JITTER = 0.25;

// The server closes a connection whose message is larger than its limit (LSTM_CONVEYOR_MAX_MESSAGE_BYTES),
// and the page refuses to send such a message instead. Every snapshot tells the limit (`limits`,
// state.js maxMessageBytes()); this is the server's default, used only before the first snapshot.
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

const SERVER_TYPES = ["snapshot", "frame", "error", "file"];

// Builders for every client message the page sends; `id` is echoed by the server as `ack`.
export const messages = {
  setInput: (id, t, j, value) => ({ type: "set_input", id, t, j, value }),
  setSequence: (id, x) => ({ type: "set_sequence", id, x }),
  generate: (id, component, sequence) => ({ type: "generate", id, component, sequence }),
  // `knobs` holds only the knobs that changed, e.g. {bias_f: 2.5}; the others keep their value.
  setKnobs: (id, knobs) => ({ type: "set_knobs", id, ...knobs }),
  // `initial` holds h0 and/or c0, each a full vector of H numbers.
  setState: (id, initial) => ({ type: "set_state", id, ...initial }),
  // Forces `gate` to `value` for unit `unit` (null: every unit); value null releases it.
  setClamp: (id, gate, unit, value) => ({ type: "set_clamp", id, gate, unit, value }),
  load: (id, scenario) => ({ type: "load", id, scenario }),
  // `fields`: any of scenario | weights (+ title), x, h0, c0, knobs, clamps (docs/protocol.md).
  restore: (id, fields) => ({ type: "restore", id, ...fields }),
  // `format`: "trace.csv", "trace.json", "weights.npz" or "weights.safetensors".
  exportFile: (id, format) => ({ type: "export", id, format }),
  reset: (id) => ({ type: "reset", id }),
  sync: () => ({ type: "sync" }),
};

// The size of a message as it would be sent (UTF-8 bytes of its JSON).
export function messageBytes(message) {
  return new TextEncoder().encode(JSON.stringify(message)).length;
}

function socketUrl() {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}/ws`;
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
export function connect({ onOpen, onMessage, onClose, onRetry = () => {} }) {
  let ws = null;
  let attempt = 0; // failed attempts since the last open connection

  function open() {
    ws = new WebSocket(socketUrl());
    ws.addEventListener("open", () => {
      attempt = 0;
      onOpen();
    });
    ws.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return; // the server only sends JSON; anything else is not ours to draw
      }
      if (message && SERVER_TYPES.includes(message.type)) onMessage(message);
    });
    // "close" follows "error" too, so reconnecting lives here only.
    ws.addEventListener("close", () => {
      ws = null;
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
