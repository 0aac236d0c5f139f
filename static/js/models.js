// The two kinds of model the page draws (docs/protocol.md, "A GRU session"). An LSTM's belt is its
// cell state c: the forget gate f keeps (×), the input gate i writes the candidate g (+), and the
// output gate o shows tanh(c) as h. A GRU has no cell state: its belt is h itself, one gate z both
// keeps (z ⊙ h_{t−1}) and writes ((1 − z) ⊙ n), the reset gate r shapes the candidate n, and nothing
// hides the belt. Plain data, imported by the state and the views alike.

const parts = (gates) => gates.flatMap((q) => ["x", "h", "b"].map((part) => `pre_${q}_${part}`));

export const KINDS = {
  lstm: {
    gates: ["i", "f", "g", "o"],
    sigmoid: ["i", "f", "o"],
    belt: "c", // the quantity that rides the belt, and the one it starts the step from
    beltIn: "c_prev",
    keep: "f", // the gate of the × station
    candidate: "g",
    units: [
      "h_prev", "c_prev", "pre_i", "pre_f", "pre_g", "pre_o", ...parts(["i", "f", "g", "o"]), "i", "f", "g", "o",
      "kept", "forgotten", "added", "c", "tanh_c", "h",
    ],
    whole: { gradients: ["dL_dc", "dL_dh", "dL_dx", "belt"], rnn: ["h", "dL_dh", "dL_dx"] },
  },
  gru: {
    gates: ["r", "z", "n"],
    sigmoid: ["r", "z"],
    belt: "h",
    beltIn: "h_prev",
    keep: "z",
    candidate: "n",
    units: [
      "h_prev", "pre_r", "pre_z", "pre_n", ...parts(["r", "z", "n"]), "r", "z", "n",
      "kept", "forgotten", "added", "h",
    ],
    whole: { gradients: ["dL_dh", "dL_dx", "belt"], rnn: ["h", "dL_dh", "dL_dx"] },
  },
};

// "lstm" or "gru" for a snapshot's `model` (an LSTM's has no `kind`).
export function kindOf(model) {
  return model && model.kind === "gru" ? "gru" : "lstm";
}

// The kind's description for a state ({model}).
export function modelOf(s) {
  return KINDS[kindOf(s.model)];
}
