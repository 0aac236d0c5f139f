// The guided lessons: what each one opens (a scenario, a step, a deep dive) and its tasks. A task
// is done when the session's state shows it (`done(state)`: a predicate over the numbers the
// server sent, never a number of its own), or, for a prediction, when the learner has revealed
// the real value. The words live in the catalogues (strings.lessons.<id>), the task i's in
// tasks[i]; a task names the controls that matter (`spot`: element ids, highlighted while it is the
// current one) and the lab tab or deep dive they are in; `scope`: a gate whose clamp the task
// applies to every unit (its unit menu is set to "all units" as the task begins).
//
// A prediction task asks where `quantity` of `unit` lands at step `at`: the page goes to step at−1
// (nothing of step `at` is on screen), the learner drags a marker and reveals; then the real value,
// the gap and the equation with the server's numbers appear.

// How close a prediction must be to count in the lesson's score.
export const CLOSE = 0.1;

const last = (s) => s.sizes.T - 1;
const trace = (s, q, t, k) => s.trace[q][t][k];
// Whether the belt of unit k at the last step kept less than `share` of what it held at step t.
const leaked = (s, k, t, share) => Math.abs(trace(s, "c", last(s), k)) < share * Math.abs(trace(s, "c", t, k));
// The value `gate` is clamped to for unit k, or null when it is free there.
const clamped = (s, gate, k) => {
  const row = s.knobs.clamps && s.knobs.clamps[gate];
  return row && row[k] !== undefined ? row[k] : null;
};
// A knob moved as far as the task's words say (its slider moves in steps of 0.1).
const atMost = (s, knob, value) => s.knobs[knob] <= value + 0.05;
const atLeast = (s, knob, value) => s.knobs[knob] >= value - 0.05;
const custom = (s) => Boolean(s.model && s.model.custom);

export const LESSONS = [
  {
    id: "belt-holds",
    scenario: "long-memory",
    step: 2,
    tasks: [
      { kind: "predict", quantity: "c", unit: 0, at: 3 },
      { kind: "do", unit: 0, spot: ["step-forward", "scrubber"], done: (s) => s.t >= 60 },
      {
        kind: "do", unit: 0, spot: ["knob-bias_f"], lab: "knobs",
        done: (s) => atMost(s, "bias_f", -5) && leaked(s, 0, 2, 0.5),
      },
    ],
  },
  {
    id: "forget-erases",
    scenario: "hold-and-release",
    step: 5,
    tasks: [
      { kind: "predict", quantity: "c", unit: 1, at: 6 },
      { kind: "predict", quantity: "c", unit: 0, at: 28 },
      {
        kind: "do", unit: 0, step: 35, spot: ["clamp-f-unit", "clamp-f-on"], lab: "clamps",
        // unit 0 alone: f held on every unit would also keep unit 1, the next task's
        done: (s) => clamped(s, "f", 0) >= 0.99 && clamped(s, "f", 1) === null &&
          Math.abs(trace(s, "c", 35, 0)) > 0.9 * Math.abs(trace(s, "c", 27, 0)),
      },
      {
        kind: "do", unit: 1, step: 20, spot: ["knob-bias_f"], lab: "knobs",
        done: (s) => atLeast(s, "bias_f", 4) && clamped(s, "f", 1) === null &&
          Math.abs(trace(s, "c", 20, 1)) > 0.5 * Math.abs(trace(s, "c", 5, 1)),
      },
    ],
  },
  {
    id: "input-writes",
    scenario: "latch",
    step: 5,
    tasks: [
      { kind: "predict", quantity: "c", unit: 0, at: 6 },
      { kind: "do", step: 6, spot: ["input-0"], done: (s) => s.trace.x[6][0] < -0.5 },
      {
        kind: "do", step: 20, spot: ["knob-bias_i"], lab: "knobs",
        done: (s) => atMost(s, "bias_i", -10) && Math.abs(trace(s, "c", 20, 0)) < 0.2,
      },
    ],
  },
  {
    id: "output-shows",
    scenario: "hold-and-release",
    step: 15,
    tasks: [
      { kind: "predict", quantity: "h", unit: 2, at: 28 },
      {
        kind: "do", unit: 2, step: 15, spot: ["knob-bias_o"], lab: "knobs",
        done: (s) => atLeast(s, "bias_o", 6) && Math.abs(trace(s, "h", 15, 2)) > 0.5,
      },
      {
        kind: "do", unit: 2, step: 15, spot: ["clamp-o-on", "clamp-o-value"], lab: "clamps", scope: "o",
        done: (s) => s.trace.h[15].every((h) => Math.abs(h) < 0.01) && Math.abs(trace(s, "c", 15, 2)) > 0.5,
      },
    ],
  },
  {
    id: "gradients-survive",
    scenario: "gradient-lab",
    step: 0,
    dive: "gradients",
    tasks: [
      { kind: "predict", quantity: "belt", unit: 0, at: 0 },
      {
        kind: "do", spot: ["knob-bias_f"], lab: "knobs", dive: "gradients",
        done: (s) => atMost(s, "bias_f", -5) && Boolean(s.gradients) && s.gradients.belt[0][0] < 0.01,
      },
      {
        kind: "do", spot: ["clamp-f-on"], lab: "clamps", dive: "gradients", scope: "f",
        done: (s) => Boolean(s.gradients) && s.gradients.belt[0].every((b) => b > 0.999),
      },
    ],
  },
  {
    id: "own-model",
    scenario: "random-init",
    step: 5,
    dive: "files",
    tasks: [
      { kind: "do", spot: ["choose-weights"], dive: "files", done: custom },
      { kind: "do", spot: ["knob-bias_f"], lab: "knobs", done: (s) => custom(s) && s.knobs.bias_f !== 0 },
      {
        kind: "do", spot: ["knob-bias_f", "dive-tab-gates"], lab: "knobs",
        done: (s) => custom(s) && s.knobs.bias_f === 0 && s.dive === "gates",
      },
    ],
  },
];

export const LESSON_IDS = LESSONS.map((lesson) => lesson.id);

export function lessonById(id) {
  return LESSONS.find((lesson) => lesson.id === id) || null;
}

// The lesson being followed and its current task ({lesson, task, index}), or null.
export function currentTask(s) {
  const lesson = s.lesson && lessonById(s.lesson.id);
  if (!lesson) return null;
  const index = s.lesson.task;
  return { lesson, index, task: index < lesson.tasks.length ? lesson.tasks[index] : null };
}

// The span the prediction marker covers: a gate or h in its range; c and the belt-only term
// (a product of gates) from what the trace holds.
export function predictRange(task, s) {
  if (task.quantity === "belt") return [0, 1];
  if (task.quantity === "h") return [-1, 1];
  const values = s.trace.c.map((row) => Math.abs(row[task.unit])).filter(Number.isFinite);
  const largest = Math.max(1, ...values);
  return [-Math.ceil(largest), Math.ceil(largest)];
}

// The real value a prediction is about, from the server's numbers (null while they are not held:
// the belt-only term comes with the gradients, which only travel while their dive is open).
export function actualValue(task, s) {
  if (task.quantity === "belt") return s.gradients ? s.gradients.belt[task.at][task.unit] : null;
  const value = trace(s, task.quantity, task.at, task.unit);
  return Number.isFinite(value) ? value : null;
}

// The numbers of the step before (…0) and of the step asked about (…1) a question and its answer
// show, for unit k: {c0, h0, f1, i1, g1, o1, c1, h1, cprev1, ...}.
export function stepNumbers(task, s) {
  const k = task.unit;
  const out = { k, at: task.at, before: Math.max(0, task.at - 1), T: s.sizes.T, end: last(s) };
  if (task.quantity === "belt") {
    if (s.gradients) out.belt = s.gradients.belt[task.at][k];
    out.f1 = trace(s, "f", Math.min(task.at + 1, last(s)), k);
    return out;
  }
  for (const q of ["c", "h", "f", "i", "g", "o", "c_prev", "tanh_c"]) {
    out[`${q}0`] = trace(s, q, out.before, k);
    out[`${q}1`] = trace(s, q, task.at, k);
  }
  return out;
}

// A lesson's link: the fields (link.js) of the state it opens with. Knobs, clamps and inputs take
// their defaults: a lesson always starts from its scenario as shipped.
export function lessonLinkFields(id) {
  const lesson = lessonById(id);
  if (!lesson) return null;
  return { scenario: lesson.scenario, t: lesson.step, dive: lesson.dive || "equations", lesson: id };
}
