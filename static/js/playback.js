// Moving through time: going to a step, and playing (one step per tick at the chosen speed).
// Each move asks for a drawing pass; a move of one step animates the belt.

import { lastStep, setPlaying, setStep, state, stepDuration } from "./state.js";

// Options: requestDraw({animate, now}) asks for a drawing pass (painter.js).
// Returns {goTo(t, {now}), togglePlay(), pause()}; goTo(Infinity) goes to the last step.
export function createPlayback({ requestDraw }) {
  let timer = 0; // the pending play tick

  // now: draw at once (a key or a click), rather than at the next animation frame (a scrubber's
  // drag, a playback tick).
  function goTo(t, { now = false } = {}) {
    const before = state.t;
    const target = t === Number.POSITIVE_INFINITY ? lastStep() : t;
    if (setStep(target)) requestDraw({ animate: Math.abs(state.t - before) === 1, now });
  }

  function pause() {
    window.clearTimeout(timer);
    setPlaying(false);
    requestDraw();
  }

  function tick() {
    if (!state.playing) return;
    if (state.t >= lastStep()) {
      pause();
      return;
    }
    goTo(state.t + 1);
    if (state.t >= lastStep()) pause();
    else timer = window.setTimeout(tick, stepDuration());
  }

  function togglePlay() {
    if (state.playing) {
      pause();
      return;
    }
    if (!state.trace) return;
    // At the end, play from the start again (showing step 0 for one beat) rather than do nothing.
    const restart = state.t >= lastStep();
    if (restart) goTo(0);
    setPlaying(true);
    requestDraw();
    timer = window.setTimeout(tick, restart ? stepDuration() : 0);
  }

  return { goTo, togglePlay, pause };
}
