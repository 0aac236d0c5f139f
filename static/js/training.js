// The training dive's controls: the task and its settings, start, pause/resume, one update, reset,
// and how far the training is (a progress bar toward the update budget, the held-out loss and
// accuracy against the task's target). Like controls.js it changes nothing itself: it calls the
// actions, and render() mirrors the state. The server checks every setting (docs/protocol.md); a
// refusal names the field in #status, in the page's language.

import { format, strings } from "./i18n/index.js";
import { num } from "./format.js";

const NUMBER_FIELDS = ["steps", "hidden", "learning_rate", "batch", "seed"];
const WHOLE = new Set(["steps", "hidden", "batch", "seed"]);

// The settings as typed: numbers where they read as numbers, else the text (the server refuses it
// naming the field, as it refuses a number out of range).
function readSettings($) {
  const settings = { task: $("train-task").value, model: $("train-model").value,
    forget_bias: Number($("train-forget_bias").value) };
  // A pace the learner can watch (sign memory is learnt in a tenth of a second at full speed).
  const pace = $("train-pace").value;
  if (pace !== "") settings.pace = Number(pace);
  for (const field of NUMBER_FIELDS) {
    const text = $(`train-${field}`).value.trim();
    const value = Number(text);
    settings[field] = text !== "" && Number.isFinite(value) ? value : text;
    if (WHOLE.has(field) && Number.isFinite(value) && !Number.isInteger(value)) settings[field] = text;
  }
  return settings;
}

// The status line: where the training is, in words and numbers.
function statusText(training, log) {
  const S = strings.training;
  if (!training) return S.none;
  const { budget, task } = training;
  const last = log && log.updates.length ? log.updates.length - 1 : -1;
  // While it runs the progress messages are the newer count; `training` answers only the controls.
  const updates = last >= 0 ? Math.max(training.updates, log.updates[last]) : training.updates;
  const seconds = last >= 0 && Number.isFinite(log.seconds[last]) ? Math.max(training.seconds, log.seconds[last])
    : training.seconds;
  const words = [format(S.states[training.state] || training.state, { reason: S.reasons[training.reason] || "" })];
  words.push(format(S.updates, { updates, budget: budget.updates, seconds: num(seconds, 1) }));
  if (last >= 0) {
    const accuracy = log.accuracy[last];
    words.push(format(S.heldOut, { loss: num(log.loss[last], 3), accuracy: num(100 * accuracy, 1),
      target: num(100 * task.target, 0) }));
    if (accuracy >= task.target) words.push(S.reached);
  }
  return words.join(" · ");
}

export function createTraining(doc, actions) {
  const $ = (id) => doc.getElementById(id);
  const el = {
    form: $("train-form"), task: $("train-task"), about: $("train-task-about"), toggle: $("train-toggle"),
    step: $("train-step"), reset: $("train-reset"), progress: $("train-progress"), status: $("train-status"),
    learningRate: $("train-learning_rate"), batch: $("train-batch"), pace: $("train-pace"),
  };

  el.form.addEventListener("submit", (event) => {
    event.preventDefault();
    actions.train(readSettings($));
  });
  // The task's description follows the menu at once (it is the page's own text, not the state's).
  el.task.addEventListener("change", () => { el.about.innerHTML = strings.training.tasks[el.task.value].about; });
  el.toggle.addEventListener("click", () => actions.toggleTraining());
  el.step.addEventListener("click", () => actions.trainStep());
  el.reset.addEventListener("click", () => actions.trainReset());
  // The learning rate, the batch size and the pace may change while a training runs: from the next
  // update on.
  for (const input of [el.learningRate, el.batch, el.pace]) {
    input.addEventListener("change", () => {
      const { learning_rate: rate, batch, pace } = readSettings($);
      const speed = pace === undefined ? { full_speed: true } : { pace };
      if (actions.trainingActive()) actions.trainSet({ learning_rate: rate, batch, ...speed });
    });
  }

  return {
    render(state) {
      const S = strings.training;
      const { training } = state;
      const about = S.tasks[el.task.value].about;
      if (el.about.dataset.shown !== `${state.lang}|${el.task.value}`) {
        el.about.innerHTML = about; // the catalogue's own text
        el.about.dataset.shown = `${state.lang}|${el.task.value}`;
      }
      const live = Boolean(training) && training.state !== "ended";
      const running = live && training.state === "running";
      const spent = live && training.state === "finished";
      el.toggle.disabled = !live || spent;
      el.toggle.textContent = running ? S.pause : S.resume;
      el.toggle.setAttribute("aria-pressed", String(running));
      el.step.disabled = !live || spent;
      el.reset.disabled = !live;
      el.progress.max = live ? training.budget.updates : 1;
      const log = state.trainingLog;
      // (A training's first progress comes before its first `training` message.)
      const latest = log && log.updates.length ? log.updates[log.updates.length - 1] : 0;
      el.progress.value = live ? Math.max(training.updates, latest) : 0;
      el.status.textContent = statusText(live ? training : null, state.trainingLog);
      el.status.dataset.state = live ? training.state : "";
    },
  };
}
