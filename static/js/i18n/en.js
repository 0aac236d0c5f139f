// The page's English text: every string the page shows or announces — the template's (named by
// data-i18n attributes), the views', the error messages' — lives here, and ko.js carries the same
// keys (tests/test_page_a11y.py fails when one has a key the other lacks).
// Values may hold <sub>/<sup>/<b>/<i> markup (they are this project's own text, never user input);
// "{name}" marks a value filled in by format().

export default {
  page: {
    brand: "LSTM Conveyor", // the project's name, the same in every language
    title: "LSTM Conveyor — the cell state as a conveyor belt",
    titleWith: "{scenario} — LSTM Conveyor",
    tagline: "The cell state is a conveyor belt: only a pointwise × and a pointwise + touch it.",
    scenario: "Scenario",
    reset: "Reset",
    resetTitle: "Reload the scenario's default inputs",
    loading: "Loading…",
    help: "Keys (?)",
    helpTitle: "Keyboard shortcuts (?)",
    footer: "Every number is computed by the Python server. Press ? for the keyboard shortcuts.",
  },
  intro: {
    try: "Try this:",
    about: "About this scenario",
  },
  // The guided lessons (static/js/lessons.js): each task's words, in the order of its tasks. A
  // prediction's words get the server's numbers: {k} the unit, {at} the step asked about, {before}
  // the step shown while asking, {c0} {h0} {o0}… a quantity at {before}, {f1} {i1} {g1}… at {at}.
  lessons: {
    menu: "Lesson",
    menuTitle: "Guided lessons: each opens a scenario and gives you a few things to try",
    explore: "— just explore —",
    option: "{n}. {title}",
    position: "Lesson {n} of {count}",
    taskOf: "task {n} of {count}",
    leave: "Just explore",
    leaveTitle: "Leave the lesson; everything stays as it is",
    restart: "Restart the lesson",
    next: "Next lesson",
    nextTask: "Next task",
    reveal: "Reveal",
    revealTitle: "Show the real value (Enter)",
    guess: "Your prediction: {value}",
    guessLabel: "Your prediction of {quantity} of unit {k} at step {at}",
    quantities: { c: "c", h: "h", belt: "the share that reaches step 0" },
    result: "You said {guess}; it is {actual}: off by {gap}.",
    ends: "{lo} … {hi}",
    done: "✓ Task {n} done.",
    veiled: "Predict first: the gradients appear once you reveal.",
    close: "Close!",
    score: "Predictions: {close} of {count} within 0.1",
    finished: "Lesson done.",
    lastOne: "That was the last lesson: explore on your own, or pick one again.",
    elsewhere: "The tasks read the lesson's own scenario: restart the lesson to go on.",
    equations: {
      c: "c<sub>{at}</sub> = f·c<sub>{before}</sub> + i·g = {f1}·{c_prev1} + {i1}·{g1} = {c1}",
      h: "h<sub>{at}</sub> = o·tanh(c<sub>{at}</sub>) = {o1}·tanh({c1}) = {o1}·{tanh_c1} = {h1}",
      belt: "f<sub>1</sub>·f<sub>2</sub>·…·f<sub>{end}</sub> = {f1}<sup>{end}</sup> ≈ {belt}",
    },
    "belt-holds": {
      takeaway: "On the belt only × f and + i·g act: with f ≈ 1 a value rides on for a hundred steps; with f a little below 1 it leaks away.",
      title: "The belt holds",
      goal: "Along the belt only × f and + i·g act. With f ≈ 1 and nothing written, c stays as it is, step after step.",
      tasks: [
        "Step {before}: the pulse has just written c = {c0} onto unit {k}'s belt. At step {at} the forget gate " +
          "is f = {f1} and nothing new comes in (i = {i1}). Where will c land at step {at}?",
        "Step on to step 60 or later (→ or the time slider) and watch unit 0: the parcel has hardly shrunk.",
        "In Knobs, drag the forget-gate bias to −5 or lower: f falls below 1, and by the last step unit 0 has lost " +
          "more than half of what was written.",
      ],
    },
    "forget-erases": {
      takeaway: "f multiplies the belt: 0.57 halves it in a step, 0 empties it, and a gate held at 1 keeps it whatever comes.",
      title: "The forget gate erases",
      goal: "The forget gate multiplies the belt: f = 1 keeps all of it, f = 0.5 half, f = 0 empties it.",
      tasks: [
        "Unit {k} holds c = {c0}. Its forget gate is half shut (f = {f1} at step {at}) and nothing new is written " +
          "(i = {i1}). Where will c land at step {at}?",
        "Unit {k} has held c = {c0} since step 5. At step {at} the release pulse reaches its forget gate. " +
          "Where will c land?",
        "In Clamps, pick unit 0 for f, then tick “force” (at 1): the release cannot erase now, and unit 0 " +
          "still holds its value at step 35.",
        "Unit 1 forgets fast: its f is 0.57, every step. In Knobs, drag the forget-gate bias to +4 or more, " +
          "so that unit 1 still holds half of what was written at step 20.",
      ],
    },
    "input-writes": {
      takeaway: "i decides how much of g lands on the belt: with i shut, the store writes nearly nothing.",
      title: "The input gate writes",
      goal: "The input gate decides how much of the candidate g is written: c = f·c + i·g. In this latch “store” " +
        "opens i and shuts f; “clear” shuts f alone.",
      tasks: [
        "Step {before}: the belt holds c = {c0}. At step {at} “store” fires: i = {i1}, f = {f1}, and the candidate " +
          "is g = {g1}. Where will c land at step {at}?",
        "At step 6, drag the “value” input to −0.8 or lower: another value is written, and the belt holds it " +
          "until the next store, at step 30.",
        "In Knobs, drag the input-gate bias to −10: at a store i is only σ(−2) ≈ 0.12 now, so little is written " +
          "(less than 0.2 on the belt at step 20).",
      ],
    },
    "output-shows": {
      takeaway: "o decides how much of the belt shows as h; c is kept whether it shows or not.",
      title: "The output gate shows",
      goal: "The output gate decides how much of the belt is shown: h = o·tanh(c). Unit 2 holds a value but hides " +
        "it until the release opens its output gate.",
      tasks: [
        "Step {before}: unit {k} holds c = {c0} but shows h = {h0}, because o = {o0}. At step {at} the release " +
          "pulse opens its output gate. Where will h land at step {at}?",
        "At step 15, drag the output-gate bias (Knobs) to +6 or more: unit 2 shows what it holds before the " +
          "release (h beyond ±0.5).",
        "In Clamps, force o to 0 for all units (tick “force”, then drag its value to 0): every h at step 15 is 0, " +
          "while unit 2's belt still holds its c.",
      ],
    },
    "gradients-survive": {
      takeaway: "Back along the belt the gradient is multiplied only by the forget gates: with f ≈ 1 most of it reaches the start.",
      title: "Why gradients survive",
      goal: "The loss reads h at the last step. Going back along the belt the gradient is multiplied only by " +
        "forget gates: no squashing, no matrix. The charts below race it against a plain RNN.",
      tasks: [
        "Unit {k}'s forget gate is f = {f1} at every step. What share of the gradient at step {end} reaches " +
          "step 0 along its belt (the product of its forget gates)?",
        "In Knobs, drag the forget-gate bias to −5 or lower: f ≈ 0.95, and less than 0.01 of the gradient " +
          "reaches step 0 along the belt, as with the RNN.",
        "In Clamps, force f to 1 for all units: the belt passes the whole gradient back (the product is 1).",
      ],
    },
    "own-model": {
      takeaway: "Your own model's belts, gates and gradients are on the page: step through them and look for the units that hold.",
      title: "Bring your own model",
      goal: "Open your own layer: a PyTorch nn.LSTM or a Keras LSTM saved as .safetensors or .npz. No file at " +
        "hand? Export this model's weights below, then import that file.",
      tasks: [
        "Press “Import weights…” and choose your file.",
        "In Knobs, move the forget-gate bias: see how much your model's belts depend on f.",
        "Put the forget-gate bias back to 0, then open “Gates over time”: units whose f stays near 1 all the " +
          "time are your model's long-memory units.",
      ],
    },
  },
  // The training dive (static/js/training.js, views/training.js; docs/protocol.md, Training).
  training: {
    heading: "Train an LSTM or a GRU yourself, and watch its gates learn",
    hint: "The server trains a fresh LSTM (or GRU) with NumPy (backpropagation through time and Adam). While it " +
      "learns, the belt above shows it reading one sequence of the task; pause it, and that model is yours " +
      "to step through, drag and clamp. A forget bias of +1 at the start is Jozefowicz et al.'s (2015) advice: " +
      "try 0 and watch f.",
    task: "Task",
    tasks: {
      "sign-memory": { name: "Sign memory", about: "Remember the sign of the first value through T noisy steps " +
        "(2 classes; target 95 %)." },
      count: { name: "Count pulses", about: "Count the pulses (0–4) that arrive at random steps (5 classes; " +
        "target 95 %)." },
      latch: { name: "Store and clear", about: "Keep the value shown at the “store” step, or 0 if a “clear” " +
        "came after it, while the value channel never stops changing (within 0.2; target 90 %)." },
      copy: { name: "Copy after a delay", about: "Report the value shown at step 0 after T noisy steps " +
        "(within 0.2; target 90 %)." },
    },
    fields: {
      steps: "Steps T (10–200)",
      hidden: "Units H (1–16)",
      learning_rate: "Learning rate",
      batch: "Batch (1–256)",
      seed: "Seed",
      forget_bias: "Forget bias (a GRU's z) at the start",
      pace: "Speed",
      model: "Model",
    },
    models: { lstm: "LSTM", gru: "GRU" },
    paces: { watch: "50 updates a second", slow: "10 updates a second", full: "as fast as it goes" },
    forgetOne: "+1",
    forgetZero: "0",
    start: "Start training",
    pause: "Pause",
    resume: "Resume",
    step: "One update",
    reset: "Reset",
    progressLabel: "Updates done of the budget",
    none: "No training yet: choose a task and press “Start training”.",
    states: {
      running: "Training",
      paused: "Paused",
      finished: "Finished: its {reason} budget is spent",
      ended: "Ended",
    },
    reasons: { updates: "update", seconds: "time" },
    updates: "update {updates} of {budget} ({seconds} s)",
    heldOut: "held-out loss {loss}, accuracy {accuracy} % (target {target} %)",
    reached: "target reached",
    curveHeading: "Loss and accuracy on held-out sequences",
    forgetHeading: "Watch f learn to hold",
    forgetHint: "Each unit's forget gate on the sequence above, averaged over the steps where the memory " +
      "must hold: a unit that learns to keep rises toward 1.",
    forgetHeadingGru: "Watch z learn to hold",
    forgetHintGru: "Each unit's update gate z (the share of h it keeps) on the sequence above, averaged over " +
      "the steps where the memory must hold: a unit that learns to keep rises toward 1.",
    forgetAxisGru: "mean z while holding",
    forgetSummaryGru: "After {updates} updates, each unit's mean update gate while holding: {values}.",
    loss: "loss",
    accuracy: "accuracy",
    target: "target",
    updatesAxis: "updates",
    forgetAxis: "mean f while holding",
    curveSummary: "After {updates} updates: held-out loss {loss}, accuracy {accuracy} %.",
    forgetSummary: "After {updates} updates, each unit's mean forget gate while holding: {values}.",
  },
  model: {
    label: "The model that runs this scenario",
    lstm: "LSTM",
    gru: "GRU",
    lstmTitle: "Run the scenario with an LSTM: a cell state c on the belt, gates i, f, g, o",
    gruTitle: "Run its GRU version: the belt is h itself, one gate z keeps and writes, r shapes the candidate n",
  },
  // The words that differ for a GRU (static/js/kind-words.js).
  gruWords: {
    readoutHint: "Computed by the server. a = W<sub>x</sub>x<sub>t</sub> + W<sub>h</sub>h<sub>t−1</sub> + b (for n the h " +
      "part through r), kept = z⊙h<sub>t−1</sub>, forgotten = (1−z)⊙h<sub>t−1</sub>, added = (1−z)⊙n, h = kept + added.",
    equationsHint: "Every number from the server, to 4 decimals. For one unit, ⊙ is an ordinary product and " +
      "W<sub>iz</sub> x<sub>t</sub> means that unit's row of W<sub>iz</sub> times x<sub>t</sub>. The candidate's " +
      "h-part passes through the reset gate first.",
    why: "Why the belt matters: the GRU against a plain RNN (and the LSTM, where the scenario has one) " +
      "on the same inputs",
    gradientsHint: "How strongly the loss at the last step reaches back to step t: the GRU's dL/dh<sub>t</sub> on " +
      "the belt, the plain RNN's dL/dh<sub>t</sub>, and per unit Π z, what the belt alone would carry. Log scale; " +
      "values under 10<sup>−12</sup> (and 0) sit on a floor.",
    raceHint: "The GRU's belt h<sub>t</sub> against the plain RNN's h<sub>t</sub> = tanh(w·h<sub>t−1</sub> + …), " +
      "which writes what the GRU's candidate writes; where the scenario has one, the LSTM's belt c<sub>t</sub> " +
      "too (long dashes).",
    gatesHint: "Openings z, r from 0 (shut) to 1 (open); candidate n from −1 to 1. Click a cell to jump there.",
    beltHint: "Per unit: x<sub>t</sub>, h<sub>t−1</sub> and a bias feed each gate; then h<sub>t−1</sub> → × z → " +
      "+ (1−z)·n → h<sub>t</sub>: the belt is the output. Click a lane for its equations.",
  },
  deck: {
    heading: "Step through time and set the inputs",
  },
  // The belt's pager when not every unit fits (one unit at a time on a phone).
  lanes: {
    group: "Units on the belt",
    prev: "Previous units",
    next: "Next units",
    one: "unit {k} of {H}",
    some: "units {first}–{last} of {H}",
    chosen: "units {list} ({n} chosen of {H})",
  },
  dives: {
    heading: "Deep dives",
    equations: "Equations",
    gradients: "Gradients & memory race",
    gates: "Gates over time",
    numbers: "Numbers",
    find: "Find units",
    files: "Your model & data",
    train: "Train it yourself",
  },
  // The names of the languages, each in its own language (the same in every catalogue).
  lang: {
    label: "Language",
    en: "English",
    ko: "한국어",
  },
  help: {
    title: "Keyboard shortcuts",
    intro: "The keys work anywhere on the page except while typing in a field; on a slider the arrow " +
      "keys move the slider.",
    keyHeader: "Key",
    actionHeader: "Action",
    close: "Close",
    rows: [
      { keys: "← →", action: "one step back or forward" },
      { keys: "Space", action: "play or pause" },
      { keys: "Home / End", action: "first or last step" },
      { keys: "1–5", action: "play one of the five moves of the step: forget, input, update, output, pass on" },
      { keys: "Esc", action: "leave the walk-through, or close this window" },
      { keys: "?", action: "show this list" },
      { keys: "Tab / Shift+Tab", action: "move between the controls" },
      { keys: "Enter", action: "in a lesson, on the prediction marker: reveal the real value" },
    ],
  },
  transport: {
    group: "Step through time",
    back: "◀",
    backLabel: "Step back (←)",
    forward: "▶",
    forwardLabel: "Step forward (→)",
    play: "▶ Play",
    pause: "❚❚ Pause",
    playLabel: "Play / pause (space)",
    step: "Step",
    stepLabel: "t = {t} / {last}",
    stepValue: "step {t} of {last}",
    speed: "Speed",
  },
  belt: {
    heading: "The cell at step {t}, drawn as a belt",
    // the step is past the rows a rerun in parts has reached (docs/protocol.md)
    headingPending: "The cell at step {t}: numbers from before your change, recomputing…",
    hint: "Per unit: x<sub>t</sub>, h<sub>t−1</sub> and a bias feed each gate; then c<sub>t−1</sub> → × f → " +
      "+ i·g → c<sub>t</sub> → tanh → × o → h<sub>t</sub>. Click a lane for its equations.",
    figure: "The LSTM cell at the current step, drawn as a conveyor belt",
    summary: "Step {t} of {last}, {units} lanes, one per unit. {lanes} The same numbers are in the " +
      "Numbers tab.",
    lane: "Unit {k}: c<sub>t−1</sub> {c_prev}, f {f}, kept {kept}, i {i}, g {g}, added {added}, " +
      "c<sub>t</sub> {c}, o {o}, h<sub>t</sub> {h}.",
    keys: "Colour keys",
    save: "Save the belt as an image",
    keyValue: "value",
    keyScale: "(log scale)",
    keyGate: "gate opening",
    keyFeed: "feed bars",
    parts: { x: "x<sub>t</sub>", h: "h<sub>t−1</sub>", b: "bias" },
    keyFeedScale: "±{z}; | marks the sum z",
    unit: "<b>unit {k}</b>",
    kept: "kept",
    forgotten: "forgotten",
    added: "added",
    feeds: "{x} + {h} + {b} → gate",
    headForget: "× forget",
    headInput: "+ input",
    headOutput: "× output",
    headKeepGru: "× z: keep",
    headWriteGru: "+ (1−z)·n: write",
    laneGru: "Unit {k}: h<sub>t−1</sub> {h_prev}, r {r}, z {z}, kept {kept}, n {n}, added {added}, h<sub>t</sub> {h}.",
    feedTip: "{gate} = {fn}({x} from x<sub>t</sub> {h} from h<sub>t−1</sub> {b} bias) = {fn}({z}) = {value}",
  },
  // One entry per quantity of a step: its column label (markup) and what it is (plain text).
  quantities: {
    x: { label: "x<sub>t</sub>", title: "input at step t" },
    h_prev: { label: "h<sub>t−1</sub>", title: "hidden state arriving from step t−1" },
    c_prev: { label: "c<sub>t−1</sub>", title: "cell state arriving from step t−1" },
    pre_i: { label: "z<sub>i</sub>", title: "pre-activation of the input gate" },
    pre_f: { label: "z<sub>f</sub>", title: "pre-activation of the forget gate" },
    pre_g: { label: "z<sub>g</sub>", title: "pre-activation of the candidate" },
    pre_o: { label: "z<sub>o</sub>", title: "pre-activation of the output gate" },
    pre_i_x: { label: "z<sub>i</sub> from x<sub>t</sub>", title: "W_ii x_t: the input's part of z_i" },
    pre_i_h: { label: "z<sub>i</sub> from h<sub>t−1</sub>", title: "W_hi h_{t−1}: the previous hidden state's part of z_i" },
    pre_i_b: { label: "z<sub>i</sub> bias", title: "b_ii + b_hi, knob included" },
    pre_f_x: { label: "z<sub>f</sub> from x<sub>t</sub>", title: "W_if x_t: the input's part of z_f" },
    pre_f_h: { label: "z<sub>f</sub> from h<sub>t−1</sub>", title: "W_hf h_{t−1}: the previous hidden state's part of z_f" },
    pre_f_b: { label: "z<sub>f</sub> bias", title: "b_if + b_hf, knob included" },
    pre_g_x: { label: "z<sub>g</sub> from x<sub>t</sub>", title: "W_ig x_t: the input's part of z_g" },
    pre_g_h: { label: "z<sub>g</sub> from h<sub>t−1</sub>", title: "W_hg h_{t−1}: the previous hidden state's part of z_g" },
    pre_g_b: { label: "z<sub>g</sub> bias", title: "b_ig + b_hg, knob included" },
    pre_o_x: { label: "z<sub>o</sub> from x<sub>t</sub>", title: "W_io x_t: the input's part of z_o" },
    pre_o_h: { label: "z<sub>o</sub> from h<sub>t−1</sub>", title: "W_ho h_{t−1}: the previous hidden state's part of z_o" },
    pre_o_b: { label: "z<sub>o</sub> bias", title: "b_io + b_ho, knob included" },
    i: { label: "i", title: "input gate σ(z_i): how much of the candidate is written" },
    f: { label: "f", title: "forget gate σ(z_f): share of c_{t−1} that rides on" },
    g: { label: "g", title: "candidate tanh(z_g): what would be written" },
    o: { label: "o", title: "output gate σ(z_o): how much of tanh(c_t) shows in h_t" },
    kept: { label: "kept", title: "f ⊙ c_{t−1}" },
    forgotten: { label: "forgotten", title: "(1 − f) ⊙ c_{t−1}" },
    added: { label: "added", title: "i ⊙ g" },
    c: { label: "c<sub>t</sub>", title: "cell state: kept + added" },
    tanh_c: { label: "tanh c<sub>t</sub>", title: "tanh(c_t)" },
    h: { label: "h<sub>t</sub>", title: "hidden state o ⊙ tanh(c_t)" },
  },
  // A GRU's quantities where they differ from an LSTM's (the numbers dive).
  quantitiesGru: {
    pre_r: { label: "a<sub>r</sub>", title: "pre-activation of the reset gate" },
    pre_r_x: { label: "a<sub>r</sub> from x<sub>t</sub>", title: "W_ir x_t: the input's part of a_r" },
    pre_r_h: { label: "a<sub>r</sub> from h<sub>t−1</sub>", title: "W_hr h_{t−1}: the previous hidden state's part of a_r" },
    pre_r_b: { label: "a<sub>r</sub> bias", title: "b_ir + b_hr, knob included" },
    pre_z: { label: "a<sub>z</sub>", title: "pre-activation of the update gate" },
    pre_z_x: { label: "a<sub>z</sub> from x<sub>t</sub>", title: "W_iz x_t: the input's part of a_z" },
    pre_z_h: { label: "a<sub>z</sub> from h<sub>t−1</sub>", title: "W_hz h_{t−1}: the previous hidden state's part of a_z" },
    pre_z_b: { label: "a<sub>z</sub> bias", title: "b_iz + b_hz, knob included" },
    pre_n: { label: "a<sub>n</sub>", title: "pre-activation of the candidate" },
    pre_n_x: { label: "a<sub>n</sub> from x<sub>t</sub>", title: "W_in x_t: the input's part of a_n" },
    pre_n_h: { label: "a<sub>n</sub> from h<sub>t−1</sub>", title: "r ⊙ (W_hn h_{t−1}): the previous hidden state's part, through the reset gate" },
    pre_n_b: { label: "a<sub>n</sub> bias", title: "b_in + r ⊙ b_hn, knob included" },
    r: { label: "r", title: "reset gate σ(a_r): how much of h_{t−1} the candidate sees" },
    z: { label: "z", title: "update gate σ(a_z): share of h_{t−1} that rides on; 1 − z is written" },
    n: { label: "n", title: "candidate tanh(a_n): what would be written" },
    h_prev: { label: "h<sub>t−1</sub>", title: "the belt arriving from step t−1: a GRU's hidden state" },
    kept: { label: "kept", title: "z ⊙ h_{t−1}" },
    forgotten: { label: "forgotten", title: "(1 − z) ⊙ h_{t−1}" },
    added: { label: "added", title: "(1 − z) ⊙ n" },
    h: { label: "h<sub>t</sub>", title: "hidden state, the belt: kept + added" },
  },
  table: {
    preactivationsGru: "pre-activations a = from x<sub>t</sub> + from h<sub>t−1</sub> + bias",
    caption: "Every quantity at step t = {t}, per unit (server numbers, 4 decimals)",
    arrives: "arriving from step t−1",
    preactivations: "pre-activations z = from x<sub>t</sub> + from h<sub>t−1</sub> + bias",
    gates: "gates",
    belt: "on the belt",
    output: "the output",
  },
  // What the polite live region says after a step (values as the tables show them).
  announce: {
    step: "Step {t} of {last}.",
    unit: "Unit {k}: c {c}, h {h}.",
    unitGru: "Unit {k}: h {h}.",
    more: "{n} more units in the table.",
  },
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
    // A GRU's five moves (the same keys 1–5): its belt is h itself.
    gruSteps: [
      {
        name: "Reset",
        caption: "<b>1 Reset</b> — the reset gate r looks at h<sub>t−1</sub> and x<sub>t</sub> and decides how much " +
          "of h<sub>t−1</sub> the candidate n = tanh(W<sub>in</sub>x<sub>t</sub> + b<sub>in</sub> + r ⊙ " +
          "(W<sub>hn</sub>h<sub>t−1</sub> + b<sub>hn</sub>)) may see.",
      },
      {
        name: "Keep",
        caption: "<b>2 Keep</b> — at the × station the update gate z scales h<sub>t−1</sub>: <i>kept</i> = " +
          "z·h<sub>t−1</sub> rides on, the rest (<i>forgotten</i>) falls off. One gate does the LSTM's forgetting…",
      },
      {
        name: "Write",
        caption: "<b>3 Write</b> — …and its writing: the + station puts on <i>added</i> = (1 − z)·n, what z did " +
          "not keep, filled with the candidate.",
      },
      {
        name: "New h",
        caption: "<b>4 New h</b> — h<sub>t</sub> = kept + added. No output gate and no tanh after it: the belt " +
          "is the output, nothing hides it.",
      },
      {
        name: "Pass on",
        caption: "<b>5 Pass on</b> — h<sub>t</sub> goes on to step t+1 as h<sub>t−1</sub>: the one state a GRU carries.",
      },
    ],
  },
  equations: {
    unit: "Unit",
    unitOption: "unit {k}",
    caption: "Equations of unit {k} at step t = {t}",
    figure: "The cell's equations with this step's numbers",
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
    figure: "The gates' pre-activations on the sigmoid and tanh curves",
    summary: "Unit {k} at step {t}: {points}",
    point: "{name} at z = {z}, value {value}",
    sigma: "σ(z): gates i, f, o",
    tanh: "tanh(z): g, and c<sub>t</sub>",
    sigmaGru: "σ(z): gates r, z",
    tanhGru: "tanh(z): the candidate n",
    z: "pre-activation z",
    saturated: "saturated",
    clamped: "clamped",
    cLabel: "c<sub>t</sub>",
    hover: "{name}: z = {z}, value = {value}",
    hoverClamped: "{name}: z = {z} computed, clamped to {value}",
    hint: "Each gate's pre-activation z on its curve. Far out on the flat ends (shaded) the gate is " +
      "saturated: near 0 or 1, and a change of z barely moves it.",
  },
  lab: {
    heading: "Knobs and clamps",
    knobs: "Knobs",
    clamps: "Clamps",
    state: "Start state",
    why: "Why the belt matters: the LSTM against a plain RNN (and the GRU, where the scenario has one) " +
      "on the same inputs",
    chartsShow: "Charts show",
    allUnits: "all units (‖·‖ over units)",
    unitOption: "unit {k}",
  },
  knobs: {
    heading: "Knobs",
    hint: "Each moves every step at once; the belt and the belt over time follow as you drag.",
    bias_f: "forget-gate bias: open/close the belt",
    bias_i: "input-gate bias: how much to write",
    bias_g: "candidate bias: what is written",
    bias_o: "output-gate bias: show c in h",
    bias_z: "update-gate bias z: keep h (or write n)",
    bias_r: "reset-gate bias r: let h into n",
    bias_n: "candidate bias n: what is written",
    weight_scale: "weight scale (W<sub>ih</sub>, W<sub>hh</sub>)",
    rnn_scale: "RNN recurrent weight w",
    rnnValue: "w = {value}",
    target: "loss L, read at the last step T",
    targetSum: "sum of h_T (all units)",
    targetUnit: "h_T of unit {k}",
    initial: "Initial state, before step 0",
    h0: "h₀",
    c0: "c₀ (on the belt)",
    stateUnit: "unit {k}",
    stateLabel: "{name} of unit {k}",
    stateNote: "Sliders for units 0–{last} of {H}.",
  },
  clamp: {
    legend: "Clamp a gate: force it to one value at every step, to see what it contributes (no gradient " +
      "passes through a clamped gate)",
    gates: { i: "input", f: "forget", g: "candidate", o: "output", z: "update", r: "reset", n: "candidate" },
    free: "free",
    force: "force",
    allUnits: "all units",
    unitOption: "unit {k}",
    allUnitsValue: "all units {value}",
    unitValue: "unit {k} {value}",
    unitsLabel: "units whose {gate} is forced",
    valueLabel: "value {gate} is forced to",
    badge: "clamped",
    heat: "clamped {value}",
    cell: "clamped: this value is forced, not computed",
  },
  // What every chart over time shares.
  charts: {
    step: "step t",
    unit: "unit {k}",
    summaryUnits: "{what} for units 0–{last} over {T} steps; at step {t}: {values}.",
    value: "unit {k} {value}",
  },
  gradients: {
    heading: "Gradients back through time",
    hint: "How strongly the loss at the last step reaches back to step t: the LSTM's dL/dc<sub>t</sub> on the " +
      "belt, the plain RNN's dL/dh<sub>t</sub>, and per unit Π f, what the belt alone would carry. Log scale; " +
      "values under 10<sup>−12</sup> (and 0) sit on a floor.",
    figure: "Size of the gradient at every step, LSTM and plain RNN, log scale",
    summary: "At step {t}: {values}.",
    value: "{name} {value}",
    lstm: "LSTM",
    rnn: "RNN",
    gru: "GRU",
    beltOnly: "belt only",
    unitLine: "unit {k}",
    floor: "floor {floor}: smaller values and 0 are drawn here",
    yAll: "‖gradient‖ over units (log)",
    yUnit: "|gradient| of unit {k} (log)",
    ofUnit: "{what}, unit {k}",
    beltPerUnit: "{what} per unit",
    beltLargest: "largest {what} of any unit",
    story: "What the gradients say",
  },
  race: {
    heading: "Memory race",
    hint: "The LSTM's belt c<sub>t</sub> against the plain RNN's h<sub>t</sub> = tanh(w·h<sub>t−1</sub> + …), " +
      "which writes what the LSTM's candidate writes; where the scenario has one, the GRU's belt h<sub>t</sub> " +
      "too (long dashes).",
    figure: "LSTM cell state and plain RNN state over time per unit",
    summary: "At step {t}: {values}.",
    value: "unit {k}: LSTM c {c}, RNN h {h}",
    lstmC: "LSTM c<sub>t</sub> (belt)",
    gruH: "GRU h<sub>t</sub> (belt)",
    hoverGruH: "GRU h, unit {k}",
    valueGru: "unit {k}: GRU h {c}, RNN h {h}",
    valueThree: "unit {k}: LSTM c {c}, GRU h {g}, RNN h {h}",
    rnnH: "RNN h<sub>t</sub>",
    lstmH: "LSTM h<sub>t</sub>",
    hoverLstmC: "LSTM c, unit {k}",
    hoverRnnH: "RNN h, unit {k}",
    hoverLstmH: "LSTM h, unit {k}",
    note: "Showing units {list} of {H}; pick a unit above to see any other.",
    noteOne: "Showing unit {list} of {H}; pick a unit above to see any other.",
    story: "What the race says",
  },
  // What the gradient chart and the race say, read off their numbers (app/gradient_story.py):
  // the same texts as app/locales/en.json's "story"; {name:num} is a number as
  // format.js's captionNumber writes it.
  story: {
    kept_none: "From step {last} back to step {first} the LSTM's gradient goes from {lstm_last:num} to 0, and the RNN's from {rnn_last:num} to 0: neither reaches step {first} at all (both fall below the smallest number float64 holds), so neither travels further.",
    kept_none_gru: "From step {last} back to step {first} the GRU's gradient goes from {gru_last:num} to 0, and the RNN's from {rnn_last:num} to 0: neither reaches step {first} at all (both fall below the smallest number float64 holds), so neither travels further.",
    kept_lstm: "From step {last} back to step {first} the LSTM's gradient goes from {lstm_last:num} " +
      "to {lstm_first:num}, a share of {lstm:num} kept; the RNN's from {rnn_last:num} to " +
      "{rnn_first:num}, a share of {rnn:num}. The LSTM's gradient travels further.",
    kept_rnn: "From step {last} back to step {first} the LSTM's gradient goes from {lstm_last:num} " +
      "to {lstm_first:num}, a share of {lstm:num} kept; the RNN's from {rnn_last:num} to " +
      "{rnn_first:num}, a share of {rnn:num}. Here the RNN's gradient travels further.",
    not_read: "The loss at step {last} does not read this unit: its gradient starts from 0 there, so " +
      "there is no share to compare.",
    start_lower: "The lines start at different heights: at step {last} the loss reaches the LSTM's " +
      "belt only through o · (1 − tanh² c), the RNN's h directly. Compare the shares kept, not where " +
      "the lines lie.",
    lstm_grows: "The LSTM's gradient grows on its way back to step {first}: it arrives by other " +
      "paths too (through h and the gates), not only along the belt.",
    reads_through: "At step {last} the loss reaches unit {unit}'s belt through o = {o:num} times " +
      "tanh's slope {slope:num}: its line starts low.",
    f_clamped: "Unit {unit}'s forget gate is clamped to {value:num}: the belt multiplies its " +
      "gradient by exactly that at every step (Π f = {belt:num}).",
    forget_closed: "At step {step} unit {unit}'s forget gate closed (f = {f:num}): the belt was " +
      "emptied there, and the gradient with it.",
    forget_leaky: "Unit {unit}'s forget gate stays near {f:num}: each step keeps only that share on " +
      "the belt, so Π f from step {start} to {end} is {belt:num}.",
    belt_holds: "Along unit {unit}'s belt, Π f from step {start} to {end} is {belt:num}: that share of what " +
      "it carried arrives.",
    rnn_factor: "The RNN multiplies unit {unit}'s gradient by w · (1 − h²) at every step: " +
      "{factor:num} on average (w = {w:num}).",
    rnn_holds_sign: "w = {w:num} saturates the RNN's tanh for unit {unit}: |h| is {h:num} at step " +
      "{last}, where tanh is flat (slope under 0.1 on {steps} of {of} steps). It holds a sign, not a " +
      "value.",
    rnn_saturated: "The input drives the RNN's unit {unit} into tanh's flat ends: |h| is {h:num} at " +
      "step {last}, and tanh's slope is under 0.1 on {steps} of {of} steps (w = {w:num}).",
    race: "Unit {unit}, from step {first} to step {last}: the LSTM's belt c goes from {c_first:num} " +
      "to {c_last:num}, the RNN's h from {h_first:num} to {h_last:num}.",
    kept_gru: "From step {last} back to step {first} the GRU's gradient goes from {gru_last:num} to " +
      "{gru_first:num}, a share of {gru:num} kept; the RNN's from {rnn_last:num} to " +
      "{rnn_first:num}, a share of {rnn:num}. The GRU's gradient travels further.",
    kept_rnn_gru: "From step {last} back to step {first} the GRU's gradient goes from {gru_last:num} to " +
      "{gru_first:num}, a share of {gru:num} kept; the RNN's from {rnn_last:num} to " +
      "{rnn_first:num}, a share of {rnn:num}. Here the RNN's gradient travels further.",
    gru_grows: "The GRU's gradient grows on its way back to step {first}: it arrives by other paths too " +
      "(through the gates and the candidate), not only along the belt.",
    z_clamped: "Unit {unit}'s update gate is clamped to {value:num}: the belt multiplies its gradient by " +
      "exactly that at every step (Π z = {belt:num}).",
    update_closed: "At step {step} unit {unit}'s update gate shut (z = {z:num}): the candidate was written " +
      "over what the belt carried, and the gradient along the belt stops there.",
    update_leaky: "Unit {unit}'s update gate stays near {z:num}: each step keeps only that share of h on " +
      "the belt, so Π z from step {start} to {end} is {belt:num}.",
    gru_belt_holds: "Along unit {unit}'s belt, Π z from step {start} to {end} is {belt:num}: that share of " +
      "what it carried arrives.",
    race_gru: "Unit {unit}, from step {first} to step {last}: the GRU's belt h goes from {h_first:num} " +
      "to {h_last:num}, the RNN's h from {rnn_first:num} to {rnn_last:num}.",
    other_kept_gru: "On the same inputs the GRU's gradient on its belt h (long dashes) goes from " +
      "{other_last:num} to {other_first:num}, a share of {other:num} kept.",
    other_kept_lstm: "On the same inputs the LSTM's gradient on its belt c (long dashes) goes from " +
      "{other_last:num} to {other_first:num}, a share of {other:num} kept.",
    other_race_gru: "Unit {unit}: the GRU's belt h, on the same inputs, goes from {first_value:num} to " +
      "{last_value:num}.",
    other_race_lstm: "Unit {unit}: the LSTM's belt c, on the same inputs, goes from {first_value:num} to " +
      "{last_value:num}.",
  },
  timeline: {
    heading: "The belt over time",
    hint: "Click a step to go there; hover to read it.",
    save: "Save the belt over time as an image",
    tip: "step {s} · unit {k}: c<sub>t</sub> {c} = kept {kept} + added {added}",
    tipInputs: "step {s}: {values}",
    recomputing: "recomputing…",
    figure: "Cell state over time per unit",
    what: "c<sub>t</sub>",
    kept: "kept (f⊙c<sub>t−1</sub>)",
    added: "added (i⊙g)",
    whatGru: "h<sub>t</sub>",
    keptGru: "kept (z⊙h<sub>t−1</sub>)",
    addedGru: "added ((1−z)⊙n)",
    tipGru: "step {s} · unit {k}: h<sub>t</sub> {c} = kept {kept} + added {added}",
    addedPositive: "added (i⊙g) > 0",
    addedNegative: "added < 0",
    hover: "unit {k} · step %{x}<br>{what} %{y:.4f}",
  },
  gates: {
    heading: "Gates over time",
    hint: "Openings f, i, o from 0 (shut) to 1 (open); candidate g from −1 to 1. Click a cell to jump there.",
    figure: "Gate values over time per unit",
    summary: "At step {t}: {values}.",
    value: "{gate} {list}",
    f: "f · forget",
    i: "i · input",
    o: "o · output",
    g: "g · candidate",
    opening: "opening (f, i, o)",
    openingGru: "opening (z, r)",
    z: "z · update",
    r: "r · reset",
    n: "n · candidate",
    hover: "step %{x} · unit %{customdata[0]}",
    rowsAll: "Rows: every unit ({H}).",
    rowsFirst: "Rows: units {list} of {H} (choose others with Find units).",
    rowsChosen: "Rows: the {n} units chosen ({list}) of {H}.",
  },
  inputs: {
    heading: "Inputs x<sub>t</sub> at this step",
    slidersNote: "Sliders for inputs 0–{last} of {D}; use the generator for the rest.",
  },
  // A model that reads text (static/js/views/text-strip.js, static/js/text-input.js).
  // A stack of layers (static/js/layer-pick.js).
  stack: {
    label: "Layer",
    forward: "layer {layer} (H {H}, reads {D} values)",
    reverse: "layer {layer}, reverse direction (H {H}, reads {D} values, last step first)",
  },
  text: {
    heading: "The text, each token on its c<sub>t</sub> of unit {k} (blue {lo} … orange {hi})",
    headingGru: "The text, each token on its h<sub>t</sub> of unit {k} (blue {lo} … orange {hi})",
    hint: "Click a token to go to its step; click a lane of the belt to colour the text by that unit.",
    tokenTip: "t = {t} · {token} · {q} of unit {k}: {value}",
    next: "Likeliest next tokens after {token} (t = {t}):",
    boxLabel: "Text the model reads",
    boxHint: "Type or paste: it is read when you pause typing, or at once with Ctrl+Enter.",
    boxNote: "{T} tokens, one a step. The sliders below move step t's embedding row x<sub>t</sub> ({token}).",
    boxMoved: "{moved} of {T} steps no longer read a token (a slider moved their x<sub>t</sub>); typing reads the text afresh.",
    stepToken: "t = {t} · {token}",
  },
  // The unit finder (static/js/finder.js).
  finder: {
    heading: "Find units",
    hint: "A model of many units shows a handful on the belt. Rank every unit, then put the best on the belt and in the heatmap.",
    ranking: "Rank units by",
    span: "a span of steps: on inside it, off elsewhere",
    memory: "long memory: how often the forget gate holds (> 0.9)",
    pattern: "a pattern in the text (regular expression)",
    start: "from step",
    stop: "to before step",
    patternLabel: "pattern",
    quantity: "value",
    run: "Rank units",
    show: "Show the ticked units on the belt",
    clear: "Show every unit in order",
    needSpan: "give the span's first step and the step after its last",
    spanNote: "The span: steps {start}–{last}.",
    selectText: "Select some text in the strip under the belt over time, or type the steps.",
    typeSpan: "Type the span's steps.",
    unit: "unit {k}",
    score: "score {value}",
    scoreR: "r = {value}",
    found: {
      span: "The {n} of {H} units most on (value {q} ≥ 0.3) in steps {start}–{last} and off elsewhere; score = share of the span's steps on − share of the other steps on.",
      memory: "The {n} of {H} units whose gate {gate} is above 0.9 at the most steps; score = that share of steps.",
      pattern: "The {n} of {H} units whose {q} follows the pattern <code>{pattern}</code> most closely (it matches {matched} of {steps} steps); r = Pearson correlation with it.",
    },
  },
  // Names of the presets' inputs (the server sends them in English); a name not here is shown as sent.
  inputNames: {
    signal: "signal",
    release: "release",
    pulse: "pulse",
    value: "value",
    store: "store",
    clear: "clear",
    fire: "fire",
    marker: "marker",
    write: "write",
  },
  generator: {
    heading: "Rewrite a whole input sequence",
    shape: "Shape",
    input: "Input",
    allInputs: "all inputs",
    kinds: { pulse: "pulse", sine: "sine", noise: "noise", constant: "constant" },
    params: {
      at: "at", width: "width", amplitude: "amplitude", period: "period", phase: "phase", seed: "seed",
      value: "value",
    },
    apply: "Apply to sequence",
    notNumber: "{param} is not a number",
    notWhole: "{param} must be a whole number",
  },
  readout: {
    heading: "Numbers at this step",
    hint: "Computed by the server. z = W<sub>x</sub>x<sub>t</sub> + W<sub>h</sub>h<sub>t−1</sub> + b, kept = " +
      "f⊙c<sub>t−1</sub>, forgotten = (1−f)⊙c<sub>t−1</sub>, added = i⊙g, c = kept + added, h = o⊙tanh(c).",
    inputs: "Inputs x<sub>t</sub>",
    inputsOf: "(0–{last} of {D}; the exports hold them all)",
    unitColumn: "unit {k}",
    note: "Showing units {list} of {H}; the exports hold them all.",
  },
  connection: {
    stopped: {
      tooBig: "Disconnected: a message was too big for the server ({reason}). Reload the page to start again.",
      refused: "Disconnected: the server refused this page ({reason}). Reload the page to try again.",
      gaveUp: "The server cannot be reached; stopped trying. Reload the page to try again.",
    },
    open: "Connected",
    connecting: "Connecting…",
    retrying: "Connection lost — retrying in {seconds} s",
    restoring: "Restoring your state…",
    opening: "Opening the link…",
    notSent: "not connected to the server; the change was not sent",
    noCharts: "the charts could not be loaded (plotly.js did not arrive); the numbers on the page are " +
      "the server's all the same. Reload the page to try again.",
    error: "Error: {message}",
    errorIn: "Error in {field}: {message}",
    tooLargeToRestore: "Reconnected, but your model ({parameters} parameters) is too large to send " +
      "again (a message may hold {limit} MiB): upload its file again, or run it from a script with " +
      "POST /api/trace (see /docs).",
  },
  // The server's problems by `code` (docs/protocol.md; the socket's errors and the REST refusals of
  // files), the same texts as app/locales/en.json's "problems": ours, then pydantic's error types,
  // whose `params` are pydantic's context, then the file refusals. "{message}" is the server's
  // English text, for the types whose context does not travel; {name:or} joins a list of
  // alternatives with "join.or"; {note} is the "notes" entry the parameter `note` names, or nothing.
  problems: {
    not_json: "message is not valid JSON",
    binary_frame: "binary frames are not supported; send JSON text",
    too_many_pending: "{count} messages refused: too many were waiting",
    internal_error: "internal error while applying the update; nothing was changed",
    not_finite: "the update would give a non-finite result (in {quantity}); nothing was changed",
    training_busy: "the server is running {limit} trainings already; try again in a little while",
    no_training: "{message} needs a training, and there is none; start one with a train message",
    budget_spent: "this training has used its budget ({updates} updates, {seconds} s); reset it or start " +
      "a new one",
    unknown_scenario: "unknown scenario {name}; known: {known}",
    step_out_of_range: "{field}={value} is out of range: the sequence has {steps} steps",
    input_out_of_range: "{field}={value} is out of range: the model has {inputs} inputs",
    unit_out_of_range: "{field}={value} is out of range: the model has H={hidden}",
    wrong_length: "{field} has {length} values, but the model has H={hidden}",
    wrong_width: "{field} must be a non-empty list of rows of {inputs} values",
    too_many_steps: "{field} has {steps} steps; at most {limit} are allowed",
    bad_weights: "{detail}",
    out_of_bounds: "must lie within ±{limit}",
    sigmoid_range: "gate {gate} is a sigmoid: its value must lie in [0, 1]",
    no_rows: "{field} must have at least one row",
    row_length: "{field} has {length} values, expected {expected}",
    weight_ih_rows: "weight_ih has {rows} rows; an LSTM needs 4H rows (gates i, f, g, o)",
    hidden_range: "H={hidden} must be in 1..{limit}",
    inputs_range: "D={inputs} must be in 1..{limit}",
    weight_hh_rows: "weight_hh has {count} rows, but weight_ih's {rows} rows mean H={hidden}, so weight_hh " +
      "must be ({rows}, {hidden})",
    bias_length: "{field} has {length} values; H={hidden} means {expected}",
    state_length: "{field} has {length} values, but H={hidden}",
    rnn_has_no_c0: "c0 is for an LSTM; a plain RNN has no cell state",
    gru_weight_ih_rows: "weight_ih has {rows} rows; a GRU needs 3H rows (gates r, z, n)",
    gru_has_no_c0: "c0 is for an LSTM; a GRU has no cell state (its hidden state h is its belt)",
    reset_after_is_for_gru: "reset_after is for a GRU only",
    gru_hh_shape: "{name} has shape {shape}; a GRU's is (3H, H), gate rows r, z, n{note}",
    keras_gru_recurrent_shape: "{name} has shape {shape}; a Keras GRU's is (H, 3H), gate columns z, r, " +
      "h{note}",
    no_gru_layer: "no GRU layer found among the file's {count} tensors ({tensors}): expected PyTorch " +
      "names weight_ih_l0, weight_hh_l0 (and bias_ih_l0, bias_hh_l0) or Keras names kernel, recurrent_kernel (and bias), after any prefix",
    no_gru_version: "scenario {name} has no GRU version; these have one: {known}",
    not_a_gate_of_model: "{gate} is not a gate of this {model}; its gates are {gates}",
    not_a_knob_of_model: "{field} is not a knob of this {model}; its gate bias knobs are {knobs}",
    reset_after_needs_weights: "reset_after goes with GRU weights; a scenario's GRU comes with its own",
    gru_one_bias_missing: "{name} is missing, but {present} is there; an nn.GRU has both biases or " +
      "neither (bias=False)",
    keras_gru_bias_shape: "{name} has shape {shape}; a Keras GRU's bias is (2, {columns}) with " +
      "reset_after=True (the default) or ({columns},) with reset_after=False",
    trace_too_large: "T·H = {cells} exceeds {limit}",
    target_out_of_range: "gradients.target={value} is out of range: H={hidden}",
    int_type: "must be a whole number",
    float_type: "must be a number",
    finite_number: "must be a finite number",
    bool_type: "must be true or false",
    string_type: "must be a text",
    list_type: "must be a list",
    dict_type: "must be an object",
    model_type: "must be an object",
    model_attributes_type: "must be an object",
    missing: "is required",
    extra_forbidden: "is not a field of this message",
    greater_than_equal: "must be ≥ {ge}",
    greater_than: "must be > {gt}",
    less_than_equal: "must be ≤ {le}",
    less_than: "must be < {lt}",
    literal_error: "must be {expected:or}",
    union_tag_invalid: "{tag} is not one of {expected_tags:or}",
    union_tag_not_found: "{discriminator} is missing",
    string_too_long: "must be at most {max_length} characters long",
    string_too_short: "must be at least {min_length} characters long",
    too_long: "must have at most {max_length} items",
    too_short: "must have at least {min_length} items",
    value_error: "{message}",
    json_invalid: "message is not valid JSON",
    upload_too_large: "the upload is over the {limit} bytes accepted ({setting})",
    request_too_large: "the request body is over the {limit} bytes accepted ({setting})",
    file_too_large: "the file has {size} bytes; at most {limit} ({setting})",
    empty_file: "the file is empty",
    not_tensor_file: "neither a .safetensors file nor an .npz archive",
    pickle_file: "neither a .safetensors file nor an .npz archive: PyTorch pickles are never loaded (they " +
      "can run code); save with safetensors.torch.save_file(model.state_dict(), …) or np.savez",
    keras_file: "neither a .safetensors file nor an .npz archive: Keras files are not read; save " +
      "layer.get_weights() with np.savez",
    unknown_layer: "the file has no layer '{layer}'; it has: {layers}",
    no_tensors: "the file holds no tensors: expected PyTorch names weight_ih_l0, weight_hh_l0 (and " +
      "bias_ih_l0, bias_hh_l0) or Keras names kernel, recurrent_kernel (and bias), after any prefix",
    no_lstm_layer: "no LSTM layer found among the file's {count} tensors ({tensors}): expected PyTorch " +
      "names weight_ih_l0, weight_hh_l0 (and bias_ih_l0, bias_hh_l0) or Keras names kernel, " +
      "recurrent_kernel (and bias), after any prefix",
    lstm_projection: "{name} is a projection (nn.LSTM with proj_size > 0); only LSTMs without one are run " +
      "here",
    lstm_ih_shape: "{name} has shape {shape}; an LSTM's is (4H, D), gate rows i, f, g, o{note}",
    one_bias_missing: "{name} is missing, but {present} is there; an nn.LSTM has both biases or neither " +
      "(bias=False)",
    shape_mismatch: "{name} has shape {shape}, but {reference} {reference_shape} means H={hidden}, so " +
      "{name} must be {expected}{note}",
    keras_recurrent_shape: "{name} has shape {shape}; a Keras LSTM's is (H, 4H), gate columns i, f, c, " +
      "o{note}",
    tensor_missing: "{name} is missing; layer {layer} has only {present}",
    layer_too_large: "layer {layer} has {size}={value}; at most {limit} ({setting})",
    tensor_dtype: "{name} has dtype {dtype}{note}; accepted are {accepted}",
    not_finite_value: "{name} holds {value} at {index}; every value must be finite",
    value_out_of_bounds: "{name} holds {value} at {index}, beyond ±{limit} (the limit, {setting})",
    npy_magic: "{name} is not an .npy array (it does not start with the .npy magic string)",
    npy_version: "{name} is .npy format {version}; 1.0 and 2.0 are read",
    npy_header: "{name} has a damaged or truncated .npy header",
    npy_objects: "{name} holds pickled Python objects (dtype object); files are read without pickle, so " +
      "save plain numeric arrays",
    npy_truncated: "{name} is truncated: shape {shape} of {dtype} needs {needed} bytes, but {available} " +
      "follow the header",
    npy_too_long: "{name} is longer than its header says: shape {shape} of {dtype} needs {needed} bytes, " +
      "but {available} follow the header",
    npz_unreadable: "not a readable .npz: it is not a zip archive, or it is truncated (no zip directory at " +
      "its end)",
    too_many_entries: "the archive holds {count} entries; at most {limit} are read ({setting})",
    npz_duplicate: "the archive holds {name} twice",
    npz_too_large: "the archive's entries declare {size} bytes unpacked; at most {limit} are read " +
      "({setting})",
    npz_pickle: "the archive holds {name}: this looks like a torch.save checkpoint, a pickle, which is " +
      "never loaded (it can run code); save with safetensors.torch.save_file or np.savez",
    npz_not_npy: "the archive holds {name}, which is not an .npy array; an .npz holds only those",
    npz_encrypted: "{name} is encrypted",
    safetensors_metadata: "the .safetensors __metadata__ is not an object of strings",
    vocab_dtype: "{name} holds {dtype}, not text: a vocabulary is an array of strings (np.array(tokens))",
    embedding_missing: "a vocabulary came with the file, but it has no embedding for layer {layer}: a " +
      "2-D tensor named like embedding.weight, with {inputs} columns",
    vocab_missing: "{name} is an embedding, but no vocabulary came with it: add a vocabulary file, the " +
      "metadata key vocab (a JSON list) or an .npz string array named vocab",
    vocab_size: "the vocabulary has {tokens} tokens but {name} has {rows} rows: one token per row",
    vocab_not_utf8: "the vocabulary file is not UTF-8 text",
    vocab_json: "the vocabulary is not valid JSON: give a JSON list of strings, or one token a line",
    vocab_not_list: "the vocabulary must be a list of strings",
    vocab_empty: "the vocabulary is empty",
    vocab_too_large: "the vocabulary has {tokens} tokens; at most {limit} are read ({setting})",
    vocab_token: "token {position} of the vocabulary is empty or longer than {limit} characters",
    vocab_duplicate: "the vocabulary has {token} twice, at {first} and at {position}",
    no_text_model: "{field}: this model reads numbers, not text (it has no embedding and vocabulary)",
    unknown_token: "{field}: {token} at position {position} is not in the vocabulary, and the vocabulary " +
      "has no unknown token",
    text_empty: "{field}: the text has no tokens",
    text_too_long: "{field}: the text has {value} characters; at most {limit} are read ({setting})",
    text_too_many_steps: "{field}: the text makes {value} steps; a sequence has at most {limit} ({setting})",
    text_needs_lstm_weights: "{field}: a vocabulary and an embedding come with LSTM weights only",
    text_or_ids: "{field}: give either text or ids, not both and not neither",
    token_id_out_of_range: "{field}: token id {value} is out of range: the vocabulary has {tokens} tokens",
    text_not_utf8: "the text file is not UTF-8 text",
    file_text_too_long: "the text file has {size} characters; at most {limit} are read ({setting})",
    x_or_text: "give either x or text, not both and not neither",
    text_is_for_lstm: "text runs through an LSTM only; leave model out or set it to lstm",
    vocab_not_unique: "{field}: every token must be different",
    embedding_rows: "{field} has {rows} rows but the vocabulary has {tokens} tokens: one row per token",
    decoder_half: "{field}: a decoder needs both decoder_weight and decoder_bias",
    decoder_rows: "{field}: the decoder must have one row (and one bias) per token, {tokens} in all",
    needed_for_ranking: "{field} is needed for the {ranking} ranking",
    span_empty: "{field}: a span needs a step: start={start} must be below stop={stop}",
    gru_has_no_c: "{field}: a GRU has no cell state c (its hidden state h is its belt); rank h",
    pattern_too_long: "{field}: the pattern has {value} characters; at most {limit} are allowed",
    pattern_invalid: "{field}: not a regular expression: {reason}",
    pattern_too_slow: "{field}: matching the pattern took longer than {seconds} s (a pattern that backtracks, such as (a+)+$, can take hours); try a simpler one",
    pattern_failed: "{field}: matching the pattern failed",
    pattern_matches_nothing: "{field}: the pattern matches none of the text's {steps} steps",
    pattern_matches_everything: "{field}: the pattern matches every one of the text's {steps} steps: a feature that never changes correlates with nothing",
    pattern_text_too_long: "{field}: the text is {value} characters; a pattern is matched on at most {limit} ({setting})",
    layer_needs_stack: "{field} is for a stack (several layers, `stack`); a single layer has nothing to choose",
    stack_or_weights: "{field}: give either a stack of LSTM layers or one layer's weights, not both (a stack is of LSTM layers)",
    bad_stack: "{field}: the layers do not stack: {detail}",
    layer_out_of_range: "{field}={value} is out of range: the stack has {layers} layers",
    layer_has_no_reverse: "{field}: layer {layer} runs forward only; it has no reverse direction",
    not_a_stack: "{field}: this model is a single layer; only a stack of layers has others to show",
    npz_compression: "{name} uses zip compression method {method}; np.savez and np.savez_compressed write " +
      "stored or deflated entries",
    zip_bomb: "{name} would inflate from {packed} to {unpacked} bytes ({ratio}×), more than the {limit}× " +
      "allowed ({setting}): a zip bomb?",
    npz_unpack: "{name} cannot be unpacked: {reason}",
    npz_size_mismatch: "{name} declares {declared} bytes unpacked, but its .npy header (shape {shape}, " +
      "{dtype}) means {size}",
    npz_entry_size: "{name} unpacks to a size other than the {declared} bytes declared",
    too_many_tensors: "the file holds {count} tensors; at most {limit} are read ({setting})",
    safetensors_short: "too short for .safetensors: {size} bytes, and the header length alone takes 8",
    safetensors_header_size: "not a complete .safetensors file: its first 8 bytes announce a {size}-byte " +
      "header, but only {available} bytes follow",
    safetensors_header_json: "the .safetensors header is not valid UTF-8 JSON",
    safetensors_header_object: "the .safetensors header is not a JSON object",
    safetensors_entry: "the header entry for {name} needs dtype, shape and data_offsets",
    safetensors_dtype: "{name} has dtype '{dtype}', which is not a safetensors dtype",
    safetensors_shape: "{name} has shape {shape}; a shape is a list of non-negative integers",
    safetensors_offsets: "{name} has data_offsets {offsets}; they are [begin, end], in bytes",
    safetensors_span: "{name}: shape {shape} of {dtype} needs {needed} bytes, but its data_offsets " +
      "[{begin}, {end}] span {span}",
    safetensors_overlap: "{name}'s data_offsets [{begin}, {end}] overlaps the tensor before it: they must " +
      "tile the data",
    safetensors_gap: "{name}'s data_offsets [{begin}, {end}] leaves a gap before it: they must tile the data",
    safetensors_truncated: "truncated: the header declares {declared} bytes of tensor data, but only " +
      "{available} follow",
    safetensors_trailing: "{extra} bytes follow the last tensor's data, which the header does not declare",
    npy_input_dtype: "{name} has dtype {dtype}; inputs must be floats or integers",
    npy_input_shape: "{name} has shape {shape}; inputs are (T, D), or (T,) for D=1",
    not_inputs_file: "neither an .npy array nor UTF-8 CSV text",
    csv_ragged: "line {line} has {count} values, but line {first_line} has {first_count}",
    csv_no_numbers: "the CSV has no rows of numbers",
    csv_empty_cell: "line {line}, column {column} is empty",
    csv_not_number: "line {line}, column {column}: '{cell}' is not a number{note}",
    csv_not_finite: "line {line}, column {column}: {value} is not a finite number",
    csv_out_of_bounds: "line {line}, column {column}: {value} lies beyond ±{limit} ({setting})",
    empty_sequence: "the input sequence is empty: T={steps}, D={inputs}",
    file_too_many_steps: "more than {limit} time steps ({setting})",
    file_too_many_inputs: "{inputs} inputs per step; at most {limit} ({setting})",
    csv_too_large: "the CSV would hold {cells} numbers (T·H = {rows} rows × {columns} columns); at most " +
      "{limit} ({setting})",
    trace_not_finite: "{quantity} contains a non-finite number",
    open_alone: "{field}: a link to a kept model (`open`) names nothing else as its model: no preset, weights, vocabulary or stack beside it",
    text_or_x: "{field}: give the text a model reads or its inputs x, not both",
    open_malformed: "{field} is not a key /api/open gives (32 letters, digits, - or _)",
    open_unknown: "no model is kept under this key: it was never opened, or the server has let it go (LSTM_CONVEYOR_OPEN_MAX_BYTES)",
    open_expired: "this model was opened too long ago and is no longer kept (LSTM_CONVEYOR_OPEN_MAX_AGE_SECONDS); open it again with /api/open",
    open_too_large: "the model and its inputs take {size} bytes, over the {limit} bytes kept ({setting})",
    open_no_file: "send the weights as the form's file field (a .safetensors or .npz file)",
    open_bad_model: "model {value} is not one of {known:or}",
    open_one_input: "give exactly one of inputs (a file), x or text (given: {given})",
    unknown_quantity: "{field}: the answer has no {name}; it has {known}",
    reply_too_large: "the answer would take {size} bytes, over the {limit} bytes one message may hold ({setting}); show fewer units or steps",
  },
  // Remarks a problem's `note` parameter names, put where its text has {note} (with their own
  // spacing: the English ones start with a space).
  notes: {
    gru_shape: " (3H × H is a GRU's shape, not an LSTM's)",
    rnn_shape: " (H × H is a plain RNN's shape, not an LSTM's)",
    lstm_shape: " (4H × H is an LSTM's shape, not a GRU's)",
    pickled: " (pickled Python objects, which are never loaded)",
    complex: " (complex numbers)",
    integers: " (integers)",
    booleans: " (booleans)",
    text: " (text)",
    commas: " (cells are separated by commas)",
  },
  // How a list of alternatives ({name:or} in a problem) is joined: 'a', 'b' or 'c'.
  join: {
    or: "{rest} or {last}",
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
      key: "must be a key /api/open gives (32 letters, digits, - or _)",
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
      flag: "must be true or false",
      oneOf: "must be one of {names}",
    },
  },
  share: {
    button: "Copy link",
    title: "Copy a link that opens exactly this: scenario or model, inputs, initial state, knobs, " +
      "clamps, step and views",
    copied: "Link copied",
    manual: "Press Ctrl+C (⌘C) to copy the selected link",
    urlLabel: "Link to this state",
    inputsCut: "Too large for a link: the input sequence ({T}×{D} numbers) is more than one message carries, so the page holds only its first columns. Share a file instead.",
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
      "(never a pickle); with an embedding, choose or drop its vocabulary (.json list, or .txt of one token " +
      "a line) together with them. Inputs: .csv (T rows × D numbers, one optional header row) or .npy " +
      "(T, D), with the model's D; for a model that reads text, a .txt of text. Exports hold what the page " +
      "shows, knobs included; each chart's toolbar saves it as PNG or SVG.",
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
    loadedStack: "{name}: a stack of {layers} layers, each reading the one below; pick the layer beside the title.",
    skipped: "Not loadable: {list}.",
    inputsLoaded: "{name}: {T} steps × {D} inputs.",
    wrongType: "{name} is neither weights (.safetensors, .npz) nor inputs (.csv, .npy, .txt)",
    vocabAlone: "{name} looks like a vocabulary: choose or drop it together with its weights file",
    textNeedsTextModel: "{name} is text, but this model reads numbers: import a model with an embedding and " +
      "a vocabulary first",
    textLoaded: "{name}: {characters} characters of text, read as the model's tokens.",
    wrongD: "{name} has D={fileD} values per step, but this model takes D={modelD}",
    tooLargeToSend: "this layer has {parameters} parameters: more than one message may carry ({limit} MiB, " +
      "about 150,000 parameters). Run it from a script with POST /api/trace (see /docs).",
    inputsTooLarge: "{T}×{D} inputs are more than one message may carry ({limit} MiB)",
    refused: "the server answered {status}",
    unreachable: "the server could not be reached",
    downloaded: "Downloaded {filename}.",
    svg: "Download plot as an SVG",
    png: "Download plot as a PNG",
  },
  // Plotly's own words (its toolbar and notices), as a Plotly locale dictionary: keys are Plotly's
  // English strings, and must stay exactly as Plotly spells them.
  plotly: {
    "Autoscale": "Autoscale",
    "Compare data on hover": "Compare data on hover",
    "Double-click on legend to isolate one trace": "Double-click on legend to isolate one trace",
    "Double-click to zoom back out": "Double-click to zoom back out",
    "Download plot": "Download plot",
    "Download plot as a PNG": "Download plot as a PNG",
    "Image download succeeded": "Image download succeeded",
    "Pan": "Pan",
    "Preparing image - this may take a few seconds": "Preparing image - this may take a few seconds",
    "Reset axes": "Reset axes",
    "Show closest data on hover": "Show closest data on hover",
    "Sorry, there was a problem downloading your image!": "Sorry, there was a problem downloading your image!",
    "Toggle Spike Lines": "Toggle Spike Lines",
    "Toggle show closest data on hover": "Toggle show closest data on hover",
    "Zoom": "Zoom",
    "Zoom in": "Zoom in",
    "Zoom out": "Zoom out",
  },
};
