// English strings of the page's newer parts: the explanation views (equations panel, activation
// inset, five-step walk-through, clamp markers), the connection line, shared links, and files in
// and out. A later catalogue (ko.js) carries the same keys.
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
  connection: {
    open: "Connected",
    connecting: "Connecting…",
    retrying: "Connection lost — retrying in {seconds} s",
    restoring: "Restoring your state…",
    opening: "Opening the link…",
    notSent: "not connected to the server; the change was not sent",
    error: "Error: {message}",
    errorIn: "Error in {field}: {message}",
    tooLargeToRestore: "Reconnected, but your model ({parameters} parameters) is too large to send " +
      "again (a message may hold {limit} MiB): upload its file again, or run it from a script with " +
      "POST /api/trace (see /docs).",
  },
  link: {
    // "{reason}" is one of the reasons below, or the server's word on a field of the link.
    problem: "This link could not be opened ({reason}); showing the default scenario.",
    field: "{field}: {message}",
    base64: "it is not valid base64url",
    inflate: "its compressed data is damaged",
    tooBig: "it unpacks to more than {limit} bytes",
    noInflate: "this browser cannot unpack compressed links",
    utf8: "it is not UTF-8 text",
    json: "it is not valid JSON",
    object: "it does not hold a JSON object",
    version: "it is for another version of the page (v = {v})",
    unknown: "unknown key {keys}",
    both: "it holds both a scenario and weights",
    tooLargeToSend: "it is larger than one message may carry ({limit} MiB)",
    rule: "{key} {rule}",
    rules: {
      count: "must be a whole number ≥ {min}",
      range: "must be a whole number from {min} to {max}",
      number: "must be a finite number",
      speed: "must be a number from {min} to {max}",
      text: "must be a text of at most {max} characters",
      lang: "must be a language code such as \"en\" or \"ko\"",
      target: "must be \"sum\" or a unit number",
      vector: "must be a non-empty list of numbers",
      matrix: "must be a non-empty list of equally long lists of numbers",
      clamps: "must map gates i, f, g, o to lists of numbers or nulls",
      weights: "must be {H, D, f32 or f64} with base64url numbers for 4H·(D+H+2) parameters",
    },
  },
  share: {
    button: "Copy link",
    title: "Copy a link that opens exactly this: scenario or model, inputs, initial state, knobs, " +
      "clamps, step and views",
    copied: "Link copied",
    manual: "Press Ctrl+C (⌘C) to copy the selected link",
    urlLabel: "Link to this state",
    tooLarge: "Too large for a link ({chars} characters; at most {limit}): {parts}. Share a file instead.",
    partWeights: "the model's {parameters} parameters",
    partInputs: "the input sequence ({T}×{D} numbers)",
    exportWeights: "Download the weights (.safetensors)",
    exportTrace: "Download the trace (.csv)",
  },
  files: {
    heading: "Your own model and data",
    ownModel: "Your own model",
    chooseWeights: "Import weights…",
    chooseInputs: "Import inputs…",
    hint: "Drop a file anywhere on the page. Weights: .safetensors or .npz in PyTorch or Keras naming " +
      "(never a pickle). Inputs: .csv (T rows × D numbers, one optional header row) or .npy (T, D), with " +
      "the model's D. Exports hold what the page shows, knobs included; each chart's toolbar saves it " +
      "as PNG or SVG.",
    layer: "Layer",
    layerOption: "{id} (H={H}, D={D}{reverse})",
    reverse: ", backward",
    exportHeading: "Export",
    traceCsv: "trace .csv",
    traceJson: "trace .json",
    weightsSafetensors: "weights .safetensors",
    weightsNpz: "weights .npz",
    reading: "Reading {name}…",
    loaded: "{name}: layer {layer} (H={H}, D={D}).",
    skipped: "Not loadable: {list}.",
    inputsLoaded: "{name}: {T} steps × {D} inputs.",
    wrongType: "{name} is neither weights (.safetensors, .npz) nor inputs (.csv, .npy)",
    wrongD: "{name} has D={fileD} values per step, but this model takes D={modelD}",
    tooLargeToSend: "this layer has {parameters} parameters: more than one message may carry ({limit} MiB, " +
      "about 150,000 parameters). Run it from a script with POST /api/trace (see /docs).",
    inputsTooLarge: "{T}×{D} inputs are more than one message may carry ({limit} MiB)",
    refused: "the server answered {status}",
    unreachable: "the server could not be reached",
    downloaded: "Downloaded {filename}.",
    svg: "Download plot as an SVG",
  },
  clamp: {
    badge: "clamped",
    heat: "clamped {value}",
    cell: "clamped: this value is forced, not computed",
  },
};
