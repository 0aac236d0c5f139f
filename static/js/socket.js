// Owns the WebSocket: connecting, reconnecting with back-off, and the shapes of the messages the
// client sends (docs/protocol.md). It knows nothing about views; it hands parsed messages on.

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 8000;

// Builders for every client message the page sends; `id` is echoed by the server as `ack`.
export const messages = {
  setInput: (id, t, j, value) => ({ type: "set_input", id, t, j, value }),
  generate: (id, component, sequence) => ({ type: "generate", id, component, sequence }),
  // `knobs` holds only the knobs that changed, e.g. {bias_f: 2.5}; the others keep their value.
  setKnobs: (id, knobs) => ({ type: "set_knobs", id, ...knobs }),
  // `initial` holds h0 and/or c0, each a full vector of H numbers.
  setState: (id, initial) => ({ type: "set_state", id, ...initial }),
  // Forces `gate` to `value` for unit `unit` (null: every unit); value null releases it.
  setClamp: (id, gate, unit, value) => ({ type: "set_clamp", id, gate, unit, value }),
  load: (id, scenario) => ({ type: "load", id, scenario }),
  reset: (id) => ({ type: "reset", id }),
  sync: () => ({ type: "sync" }),
};

function socketUrl() {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}/ws`;
}

// Opens the connection and keeps it open. Callbacks:
//   onOpen()                    a new connection (a new server session) is up
//   onMessage(message)          a parsed server message with a known type
//   onClose(retryInMs)          the connection dropped; it retries after retryInMs
export function connect({ onOpen, onMessage, onClose }) {
  let ws = null;
  let retryMs = FIRST_RETRY_MS;

  function open() {
    ws = new WebSocket(socketUrl());
    ws.addEventListener("open", () => {
      retryMs = FIRST_RETRY_MS;
      onOpen();
    });
    ws.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return; // the server only sends JSON; anything else is not ours to draw
      }
      if (message && ["snapshot", "frame", "error"].includes(message.type)) onMessage(message);
    });
    // "close" follows "error" too, so reconnecting lives here only.
    ws.addEventListener("close", () => {
      ws = null;
      const wait = retryMs;
      retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
      onClose(wait);
      window.setTimeout(open, wait);
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
