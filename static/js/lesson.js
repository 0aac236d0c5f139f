// The guided lessons on the page: the lesson menu, the lesson bar (position, the current task, a
// prediction's marker and what its reveal shows, the score), and the lesson's progress. Like
// controls.js it changes nothing itself: it calls the actions, and render() mirrors the state.
// progress() runs before each drawing pass: it notices from the state when the current task is
// done (lessons.js) and brings the next task's controls into view.

import { format, strings } from "./i18n/index.js";
import { num } from "./format.js";
import { actualValue, CLOSE, currentTask, LESSONS, predictRange, stepNumbers } from "./lessons.js";
import { kindOf } from "./models.js";

// Digits the lesson's numbers are shown with (the equations panel shows 4).
const DIGITS = 4;

// The numbers a task's words and an equation show, formatted.
function shownNumbers(task, state) {
  const numbers = stepNumbers(task, state);
  const out = {};
  for (const [name, value] of Object.entries(numbers)) {
    out[name] = ["k", "at", "before", "T", "end"].includes(name) ? value : num(value, DIGITS);
  }
  // f raised to the 119th power: 4 decimals of f would not give the product shown.
  if (task.quantity === "belt") out.f1 = num(numbers.f1, 6);
  return out;
}

// The element a task is about, brought into view when the task begins (a knob below the fold,
// the import button under the bench).
function bringIntoView(element) {
  const box = element.getBoundingClientRect();
  if (box.top < 0 || box.bottom > window.innerHeight) element.scrollIntoView({ block: "center" });
}

// Whether the state is one the lesson's tasks can be read off: its own scenario (or, for the
// lesson that opens someone's own model, that model).
function onLessonScenario(lesson, state) {
  const name = state.scenario && state.scenario.name;
  if (kindOf(state.model) !== "lstm") return false; // the lessons are the LSTM's (a GRU version shares a name)
  return name === lesson.scenario || (lesson.id === "own-model" && Boolean(state.model && state.model.custom));
}

// A task's check, false while the state cannot answer it (a shorter sequence, no gradients).
// Writes catalogue markup into an element only when it differs from what it last wrote: the bar
// is rendered on every drawing pass, a slider's drag included.
function setHtml(element, html) {
  if (element.dataset.html === html) return;
  element.innerHTML = html;
  element.dataset.html = html;
}

function isDone(task, state) {
  try {
    return Boolean(task.done(state));
  } catch {
    return false;
  }
}

// Options: actions {startLesson, leaveLesson, restartLesson, setGuess, reveal, nextTask, enterTask}.
export function createLesson(doc, actions) {
  const $ = (id) => doc.getElementById(id);
  const el = {
    menu: $("lesson-menu"), bar: $("lesson"), position: $("lesson-position"), dots: $("lesson-dots"),
    score: $("lesson-score"), leave: $("lesson-leave"), goal: $("lesson-goal"), task: $("lesson-task"),
    predict: $("lesson-predict"), guess: $("lesson-guess"), guessValue: $("lesson-guess-value"),
    marks: $("lesson-marks"), reveal: $("lesson-reveal"), result: $("lesson-result"), resultText: $("lesson-result-text"),
    equation: $("lesson-equation"), nextTask: $("lesson-next-task"), finished: $("lesson-finished"),
    finishedText: $("lesson-finished-text"), next: $("lesson-next"), restart: $("lesson-restart"),
    done: $("lesson-done"), ends: $("lesson-ends"), gradients: $("dive-gradients"), gradientsVeil: $("gradients-veil"),
    intro: doc.querySelector(".intro"), prompt: doc.querySelector(".intro .prompt"),
  };
  let menuFor = ""; // the language the menu was built in
  let spotted = []; // the elements highlighted for the current task
  // A task is checked only while no pointer is held: a drag that passes the mark finishes first
  // (the lab's tab would otherwise change under the learner's hand).
  let held = false;
  doc.addEventListener("pointerdown", () => { held = true; });
  for (const type of ["pointerup", "pointercancel"]) {
    doc.addEventListener(type, () => {
      if (!held) return;
      held = false;
      actions.recheck();
    });
  }
  // Where focus goes once the page has drawn what an action changed (a button just shown).
  const focusSoon = (element) => window.requestAnimationFrame(() => {
    if (element && !element.hidden && !element.disabled) element.focus();
  });

  el.menu.addEventListener("change", () => {
    if (el.menu.value) actions.startLesson(el.menu.value);
    else actions.leaveLesson();
  });
  el.leave.addEventListener("click", () => actions.leaveLesson());
  el.restart.addEventListener("click", () => actions.restartLesson());
  el.next.addEventListener("click", () => actions.nextLesson());
  el.nextTask.addEventListener("click", () => actions.nextTask());
  el.reveal.addEventListener("click", () => {
    actions.reveal();
    focusSoon(el.nextTask);
  });
  el.guess.addEventListener("input", () => actions.setGuess(Number(el.guess.value)));
  // Pressing the marker where it already is counts as placing it there (no input event fires).
  el.guess.addEventListener("pointerup", () => actions.setGuess(Number(el.guess.value)));
  el.guess.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    actions.setGuess(Number(el.guess.value)); // Enter on the marker: this is my prediction
    actions.reveal();
    focusSoon(el.nextTask);
  });

  function renderMenu(state) {
    if (menuFor !== state.lang) {
      const S = strings.lessons;
      el.menu.replaceChildren(new Option(S.explore, ""), ...LESSONS.map((lesson, n) =>
        new Option(format(S.option, { n: n + 1, title: S[lesson.id].title }), lesson.id)));
      menuFor = state.lang;
    }
    el.menu.value = state.lesson ? state.lesson.id : "";
  }

  function renderSpots(ids) {
    const next = ids.map((id) => doc.getElementById(id)).filter((element) => element && !element.disabled);
    for (const spot of spotted) if (!next.includes(spot)) spot.classList.remove("lesson-spot");
    for (const spot of next) spot.classList.add("lesson-spot");
    spotted = next;
  }

  // The marker line: where the guess is, and after the reveal where the real value is.
  function renderPredict(task, state) {
    const { lesson } = state;
    const [lo, hi] = predictRange(task, state);
    const S = strings.lessons;
    el.guess.min = String(lo);
    el.guess.max = String(hi);
    el.guess.step = "0.01";
    // Before it is moved the marker waits in the middle, and there is nothing to reveal yet: a
    // marker that started on the answer (the belt holds, the belt empties) would give it away.
    const guess = lesson.guess === null ? (lo + hi) / 2 : lesson.guess;
    if (Number(el.guess.value) !== guess) el.guess.value = String(guess);
    el.guess.disabled = Boolean(lesson.revealed);
    el.guess.setAttribute("aria-label", format(S.guessLabel, {
      quantity: S.quantities[task.quantity], k: task.unit, at: task.at,
    }));
    el.guessValue.textContent = format(S.guess, { value: lesson.guess === null ? "—" : num(guess, 2) });
    el.reveal.hidden = Boolean(lesson.revealed);
    el.reveal.disabled = lesson.guess === null || actualValue(task, state) === null;
    const [left, right] = el.ends.children;
    left.textContent = num(lo, 0);
    right.textContent = num(hi, 0);
    const marks = [];
    if (lesson.revealed) {
      const at = (value) => `${(100 * (Math.min(hi, Math.max(lo, value)) - lo)) / (hi - lo)}%`;
      const actual = doc.createElement("span");
      actual.className = "lesson-mark lesson-mark-actual";
      actual.style.left = at(lesson.revealed.actual);
      const gap = doc.createElement("span");
      gap.className = "lesson-gap";
      const [a, b] = [lesson.revealed.guess, lesson.revealed.actual].sort((x, y) => x - y);
      gap.style.left = at(a);
      gap.style.width = `calc(${at(b)} - ${at(a)})`;
      marks.push(gap, actual);
    }
    el.marks.replaceChildren(...marks);
  }

  function renderReveal(task, state) {
    const { revealed } = state.lesson;
    el.result.hidden = !revealed;
    el.nextTask.hidden = !revealed;
    if (!revealed) return;
    const S = strings.lessons;
    const gap = Math.abs(revealed.guess - revealed.actual);
    const said = format(S.result, { guess: num(revealed.guess, 2), actual: num(revealed.actual, 2), gap: num(gap, 2) });
    el.resultText.textContent = gap <= CLOSE ? `${said} ${S.close}` : said;
    setHtml(el.equation, format(S.equations[task.quantity], shownNumbers(task, state)));
  }

  function renderDots(lesson, index) {
    el.dots.replaceChildren(...lesson.tasks.map((_, n) => {
      const dot = doc.createElement("li");
      dot.className = n < index ? "done" : n === index ? "now" : "";
      dot.textContent = n < index ? "✓" : String(n + 1);
      return dot;
    }));
  }

  return {
    // Before each drawing pass: the current task done? Then on to the next; a task just reached
    // brings its controls into view.
    progress(state) {
      const current = currentTask(state);
      if (!current || !state.trace || !onLessonScenario(current.lesson, state)) return;
      const { task, index } = current;
      if (task && !held && state.lesson.entered === index && task.kind === "do" && isDone(task, state)) {
        actions.nextTask();
        return;
      }
      if (task && state.lesson.entered !== index) {
        actions.enterTask(task);
        if (task.scope) {
          // The clamp's unit menu keeps the learner's last choice; this task is about every unit.
          const menu = doc.getElementById(`clamp-${task.scope}-unit`);
          menu.value = "";
          menu.dispatchEvent(new Event("change", { bubbles: true }));
        }
        const first = doc.getElementById(task.kind === "predict" ? "lesson-guess" : (task.spot || [])[0]);
        if (first) window.requestAnimationFrame(() => bringIntoView(first));
        // After "Next task" the keyboard goes on at the new task's marker.
        if (task.kind === "predict" && doc.activeElement === el.nextTask) focusSoon(el.guess);
      }
    },

    render(state) {
      renderMenu(state);
      const current = currentTask(state);
      el.bar.hidden = !current;
      el.intro.classList.toggle("in-lesson", Boolean(current));
      for (const part of [el.position, el.dots, el.leave]) part.hidden = !current;
      el.prompt.hidden = Boolean(current);
      if (!current) {
        el.score.hidden = true;
        el.gradients.classList.remove("is-veiled");
        el.gradientsVeil.hidden = true;
        renderSpots([]);
        return;
      }
      const S = strings.lessons;
      const { lesson, task, index } = current;
      const words = S[lesson.id];
      el.bar.dataset.lesson = lesson.id; // for tests: the lesson and the task it is at
      el.bar.dataset.task = String(index);
      const count = lesson.tasks.length;
      el.position.textContent = task ? format(S.taskOf, { n: index + 1, count }) : S.finished;
      renderDots(lesson, index);
      const gaps = state.lesson.gaps;
      el.score.hidden = gaps.length === 0;
      el.score.textContent = format(S.score, { close: gaps.filter((gap) => gap <= CLOSE).length, count: gaps.length });
      setHtml(el.goal, words.goal);
      const lastDone = state.lesson.done;
      el.done.hidden = lastDone === null || !task;
      if (lastDone !== null) el.done.textContent = format(S.done, { n: lastDone + 1 });
      const hideGradients = Boolean(task) && task.kind === "predict" && task.quantity === "belt" &&
        !state.lesson.revealed;
      el.gradients.classList.toggle("is-veiled", hideGradients);
      el.gradientsVeil.hidden = !hideGradients;
      const elsewhere = !onLessonScenario(lesson, state);
      el.finished.hidden = Boolean(task) && !elsewhere;
      el.next.hidden = elsewhere || LESSONS.indexOf(lesson) === LESSONS.length - 1;
      const closing = LESSONS.indexOf(lesson) === LESSONS.length - 1 ? `${S.finished} ${S.lastOne}` : S.finished;
      el.finishedText.textContent = elsewhere ? S.elsewhere : `${words.takeaway} ${closing}`;
      const showTask = Boolean(task) && !elsewhere;
      el.task.hidden = !showTask;
      el.predict.hidden = !showTask || task.kind !== "predict";
      const predictSpot = state.lesson.revealed ? "lesson-next-task" : "lesson-guess";
      renderSpots(showTask ? task.spot || (task.kind === "predict" ? [predictSpot] : []) : []);
      if (!showTask) {
        el.result.hidden = true;
        el.nextTask.hidden = true;
        return;
      }
      const numbers = task.kind === "predict" ? shownNumbers(task, state) : {};
      setHtml(el.task, format(words.tasks[index], numbers));
      if (task.kind === "predict") {
        renderPredict(task, state);
        renderReveal(task, state);
      } else {
        el.result.hidden = true;
        el.nextTask.hidden = true;
      }
    },
  };
}
