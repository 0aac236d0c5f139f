// English strings of the explanation views: the equations panel, the activation inset, the
// five-step walk-through and the clamp markers. A later catalogue (ko.js) carries the same keys.
// Values may hold <sub>/<b>/<i> markup (they are this project's own text, never user input);
// "{name}" marks a value filled in by format().

export default {
  walk: {
    group: "Five moves",
    off: "walk through",
    position: "{n} / {count} {name}",
    start: "Walk through the five moves of this step (keys 1–5)",
    prev: "Previous move",
    next: "Next move",
    exit: "Leave the walk-through (Esc)",
    // One per move, in the concept source's order: forget, input, update, output, pass on.
    steps: [
      {
        name: "Forget",
        caption: "<b>1 Forget</b> — the × station scales c<sub>t−1</sub> by the forget gate f: " +
          "<i>kept</i> = f·c<sub>t−1</sub> rides on, the rest drops off the belt.",
      },
      {
        name: "Input",
        caption: "<b>2 Input</b> — looking at h<sub>t−1</sub> and x<sub>t</sub>, the input gate i " +
          "chooses how much of the candidate g to write: <i>added</i> = i·g.",
      },
      {
        name: "Update",
        caption: "<b>3 Update</b> — the + station: c<sub>t</sub> = kept + added. " +
          "No weight matrix and no squashing touch the belt.",
      },
      {
        name: "Output",
        caption: "<b>4 Output</b> — a copy of c<sub>t</sub> goes through tanh and the output gate: " +
          "h<sub>t</sub> = o·tanh(c<sub>t</sub>). The belt itself stays unsquashed.",
      },
      {
        name: "Pass on",
        caption: "<b>5 Pass on</b> — c<sub>t</sub> and h<sub>t</sub> go to step t+1, " +
          "where they arrive as c<sub>t−1</sub> and h<sub>t−1</sub>.",
      },
    ],
  },
  equations: {
    unit: "Unit",
    unitOption: "unit {k}",
    caption: "Equations of unit {k} at step t = {t}",
    kept: "kept",
    added: "added",
    next: "to step t+1",
    clampedTo: "clamped to {value}",
    clampedTitle: "This gate is clamped: the computed value is not used.",
    notUsed: "not used",
    hint: "Every number from the server, to 4 decimals. For one unit, ⊙ is an ordinary product and " +
      "W<sub>if</sub> x<sub>t</sub> means that unit's row of W<sub>if</sub> times x<sub>t</sub>.",
  },
  activations: {
    sigma: "σ(z): gates i, f, o",
    tanh: "tanh(z): g, and c<sub>t</sub>",
    z: "pre-activation z",
    saturated: "saturated",
    clamped: "clamped",
    cLabel: "c<sub>t</sub>",
    hover: "{name}: z = {z}, value = {value}",
    hoverClamped: "{name}: z = {z} computed, clamped to {value}",
    hint: "Each gate's pre-activation z on its curve. Far out on the flat ends (shaded) the gate is " +
      "saturated: near 0 or 1, and a change of z barely moves it.",
  },
  files: {
    svg: "Download plot as an SVG",
  },
  clamp: {
    badge: "clamped",
    heat: "clamped {value}",
    cell: "clamped: this value is forced, not computed",
  },
};
