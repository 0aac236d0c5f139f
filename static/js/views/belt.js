// The hero view: the LSTM cell at step t, drawn as the classic diagram laid out as a conveyor
// belt. One lane per unit. Along the thick belt only a × (forget gate) and a + (input gate ⊙
// candidate) act; a thinner branch drops through tanh and × o to h_t.
//
// Stepping animates parcels along the lane. This module builds a step's scene and runs the
// animation; belt-geometry.js places things, belt-cell.js draws the cell, belt-parcels.js moves
// the parcels, belt-motion.js paints them while they move, belt-labels.js writes the numbers.

import { DIVERGING, SEQUENTIAL } from "../colors.js";
import { num, signed } from "../format.js";
import { format, plain, strings } from "../i18n/index.js";
import { WALK_STEPS } from "../state.js";
import {
  exitTrace, gaugeTrace, headers, laneGauges, laneShapes, stationTrace, walkRange,
} from "./belt-cell.js";
import { BRANCH, LANE, X, frameLayout, frameOf } from "./belt-geometry.js";
import { createBeltLabels, labelTrace, laneLabels } from "./belt-labels.js";
import { createMotionLayer } from "./belt-motion.js";
import { PHASE, WALK_PHASE, WALK_SPAN, lerp, movingTraces, parcelList, tickMarks } from "./belt-parcels.js";
import { CONFIG, FONT, chartConfig, clampOf, describe, react, shownUnits, signedLimit } from "./common.js";

const S = strings.belt;
// A move of the walk-through plays a little slower than a whole step does.
const WALK_SLOWDOWN = 1.25;
// After an animation ends, the parcels wait this long on the motion layer before the base chart
// takes them back: long enough for the next step of a playback to arrive first.
const SETTLE_MS = 120;

// The numbers of one lane at step t, by name.
function laneValues(trace, t, k) {
  const names = ["c_prev", "f", "kept", "forgotten", "i", "g", "added", "c", "tanh_c", "o", "h"];
  return Object.fromEntries(names.map((name) => [name, trace[name][t][k]]));
}

// The colour keys under the chart (HTML, not a Plotly colour bar: a colour bar would redraw on
// every animation frame and shift the plot area, which the motion layer must match exactly).
function paintKeys(keys, limit) {
  const gradient = (scale) => `linear-gradient(to right, ${scale.map(([at, c]) => `${c} ${at * 100}%`).join(", ")})`;
  keys.style.setProperty("--diverging", gradient(DIVERGING));
  keys.style.setProperty("--sequential", gradient(SEQUENTIAL));
  keys.querySelector("[data-key='lo']").textContent = num(-limit, limit === 1 ? 0 : 2);
  keys.querySelector("[data-key='hi']").textContent = `+${num(limit, limit === 1 ? 0 : 2)}`;
}

// The chart's text alternative: the step and every lane's numbers, as the labels show them.
function summaryText(scene, t, last) {
  const lanes = scene.values.map((v, k) => format(S.lane, {
    k, c_prev: num(v.c_prev, 3), f: num(v.f, 3), kept: num(v.kept, 3), i: num(v.i, 3), g: num(v.g, 3),
    added: signed(v.added, 3), c: num(v.c, 3), o: num(v.o, 3), h: num(v.h, 3),
  }));
  return plain(format(S.summary, { t, last, units: scene.lanes, lanes: lanes.join(" ") }));
}

// The belt is four layers, bottom to top: `backdropEl`, a static chart of everything that does
// not change with the step's numbers (belt bands, branches, stations, gauge outlines, clamp and
// walk-through marks, the stations' headers), redrawn only when those change; `el` (#belt), the
// chart that does (gauge fills, and at rest the parcels, with their hover and the toolbar);
// `motion`, a canvas carrying the parcels while a step plays; and `labelLayer`, the numbers as
// HTML. Redrawing a few traces per step is cheap; redrawing every shape and label was not.
// `summary` holds the chart's text alternative.
export function createBelt({ el, backdropEl, motion, labelLayer, keys, note, summary }) {
  // What is drawn and the running animation; private to this view instance.
  let scene = null; // {values, lanes, limit, layout, cell, statics, texts, frame}
  let anim = null; // {start, duration, raf}
  let cell = null; // {key, layout, traces, drawn}: the static backdrop, built once per key
  const labels = createBeltLabels(labelLayer);
  const motionLayer = createMotionLayer(motion);

  // The figure as a picture: every layer in one chart, the labels as a text trace, parcels at rest.
  function figure() {
    const backdrop = scene.cell.layout;
    const traces = [...scene.cell.traces, ...scene.statics, ...movingTraces(scene, scene.rest),
      labelTrace(scene.texts, scene.walk)];
    const annotations = [...backdrop.annotations, ...scene.layout.annotations];
    return { data: traces, layout: { ...scene.layout, shapes: backdrop.shapes, annotations } };
  }

  // The toolbar's PNG and SVG buttons save figure(): on the page the belt is several layers.
  const save = (format) => () =>
    Plotly.downloadImage(figure(), { format, filename: "belt", ...(format === "png" ? { scale: 2 } : {}) });
  const pngTitle = () => strings.plotly["Download plot as a PNG"] || "Download plot as a PNG";
  const toolbar = {
    modeBarButtonsToRemove: [...CONFIG.modeBarButtonsToRemove, "toImage", "toSVG"],
    modeBarButtonsToAdd: [
      // The icons are read when the chart is drawn: plotly.js runs after the page's first pass.
      { name: "beltPNG", get title() { return pngTitle(); }, get icon() { return Plotly.Icons.camera; },
        click: save("png") },
      { name: "beltSVG", get title() { return strings.files.svg; }, get icon() { return Plotly.Icons.disk; },
        click: save("svg") },
    ],
  };
  // The same config object while the language stays: a new one makes Plotly rebuild the toolbar.
  let configured = null; // {lang, config}
  function config() {
    const lang = document.documentElement.lang;
    if (!configured || configured.lang !== lang) configured = { lang, config: chartConfig(toolbar) };
    return configured.config;
  }

  // The backdrop depends only on the lanes, the clamps, the walk-through's move and the language:
  // it is built and drawn again only when one of them changes, not every step.
  function backdropFor(lanes, clampedByLane, walk) {
    const key = JSON.stringify([lanes, clampedByLane, walk, document.documentElement.lang]);
    if (!cell || cell.key !== key) {
      const shapes = clampedByLane.flatMap((clamped, k) => laneShapes(-k * LANE, k, clamped, walk));
      cell = { key, layout: frameLayout(lanes, { shapes, annotations: headers(0.72) }),
        traces: [stationTrace(lanes, walk), exitTrace(lanes)], drawn: false };
    }
    return cell;
  }

  function drawBackdrop() {
    if (scene.cell.drawn) return null;
    scene.cell.drawn = true;
    return react(backdropEl, scene.cell.traces, scene.cell.layout, { staticPlot: true, responsive: true });
  }

  function drawBase(withParcels) {
    const moving = withParcels ? movingTraces(scene, scene.rest) : [];
    labels.render(scene.texts, scene.walk, scene.frame);
    return Promise.all([drawBackdrop(), react(el, [...scene.statics, ...moving], scene.layout, config())]);
  }

  // The motion layer at progress p; null clears it (the base chart then holds the parcels).
  function drawMotion(p) {
    if (p === null) motionLayer.clear();
    else motionLayer.draw(tickMarks(scene.lanes, p), parcelList(scene, p), scene.frame);
  }

  let settle = 0; // the pending hand-back of the parcels to the base chart

  function frame(now) {
    const u = Math.min(1, (now - anim.start) / anim.duration);
    drawMotion(lerp(anim.from, scene.rest, u));
    if (u < 1) {
      anim.raf = requestAnimationFrame(frame);
      return;
    }
    anim = null;
    // Hand the parcels back to the base chart (hover, PNG export) and clear the motion layer, once
    // no next step follows at once: while playing, the next step redraws the base anyway, and
    // redrawing it twice per step (every label) is what made playback stutter.
    settle = window.setTimeout(() => {
      settle = 0;
      drawBase(true);
      drawMotion(null);
    }, SETTLE_MS);
  }

  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  // On a narrow screen the belt scrolls sideways: when the walk-through moves on, bring the new
  // move's box into view (a scroll the user makes within one move is left alone).
  let shownWalk = null;
  function showWalkMove(walk) {
    const scroller = el.closest(".belt-scroll");
    const moved = walk !== shownWalk;
    shownWalk = walk;
    if (!walk || !moved || !scroller || scroller.scrollWidth <= scroller.clientWidth) return;
    const { margin, x } = scene.frame;
    const width = el.clientWidth - margin.l - margin.r;
    // Where the chart's plot area starts in the scrolled content.
    const offset = el.getBoundingClientRect().left - scroller.getBoundingClientRect().left;
    const start = offset + scroller.scrollLeft + margin.l;
    const [left, right] = walkRange(walk).map((at) => start + ((at - x[0]) / (x[1] - x[0])) * width);
    const pad = 12;
    const view = [scroller.scrollLeft, scroller.scrollLeft + scroller.clientWidth];
    let to = null;
    if (left - pad < view[0]) to = left - pad;
    else if (right + pad > view[1]) to = Math.min(left - pad, right + pad - scroller.clientWidth);
    if (to === null) return;
    scroller.scrollTo({ left: Math.max(0, to), behavior: reducedMotion.matches ? "auto" : "smooth" });
  }

  function stop() {
    if (anim) cancelAnimationFrame(anim.raf);
    anim = null;
    window.clearTimeout(settle);
    settle = 0;
  }

  function build(state) {
    const { trace, t, sizes, knobs, walk } = state;
    const lanes = shownUnits(sizes.H);
    const values = Array.from({ length: lanes }, (_, k) => laneValues(trace, t, k));
    const limit = signedLimit(trace, lanes);
    const clampedByLane = values.map((_, k) =>
      Object.fromEntries(["i", "f", "g", "o"].map((q) => [q, clampOf(knobs, q, k) !== null])));
    const texts = values.flatMap((v, k) => laneLabels(v, -k * LANE, k, clampedByLane[k], { X, BRANCH }));
    const fills = values.flatMap((v, k) => laneGauges(v, -k * LANE, walk));
    // The chart on top of the backdrop changes every step, and redraws no shape.
    const layout = frameLayout(lanes, {
      uirevision: "belt",
      hovermode: "closest",
      // The step in the chart itself too, so an exported PNG says which step it shows.
      // It sits a row above the stations' headers, so a narrow chart (or a longer word in another
      // language) never runs it into "c_{t−1} in".
      annotations: [{ x: X.label, y: 0.98, yanchor: "bottom", xanchor: "left",
        showarrow: false, text: format(S.stepTitle, { t, last: sizes.T - 1 }), font: { ...FONT, size: 13 } }],
    });
    // Walking, the parcels rest where the current move leaves them; else where the step ends.
    const phases = walk ? WALK_PHASE : PHASE;
    const span = walk ? WALK_SPAN[walk - 1] : [0, 1];
    return { values, lanes, limit, layout, walk, phases, from: span[0], rest: span[1], texts,
      frame: frameOf(lanes), cell: backdropFor(lanes, clampedByLane, walk), statics: [gaugeTrace(fills)] };
  }

  return {
    // Draws step state.t; animates the step's flow (or, walking, the current move) when asked.
    render(state, { animate = false, duration = 800 } = {}) {
      scene = build(state);
      const H = state.sizes.H;
      note.hidden = H <= scene.lanes;
      note.textContent = format(S.note, { last: scene.lanes - 1, H });
      describe(summary, summaryText(scene, state.t, state.sizes.T - 1));
      paintKeys(keys, scene.limit);
      el.dataset.walk = scene.walk ? WALK_STEPS[scene.walk - 1] : "";
      showWalkMove(scene.walk);
      if (animate && duration > 0) {
        // A new step (or move) interrupts a running animation and starts its own.
        stop();
        const length = scene.walk ? duration * WALK_SLOWDOWN : duration;
        anim = { start: performance.now(), duration: length, from: scene.from, walk: scene.walk, raf: 0 };
        anim.raf = requestAnimationFrame(frame);
        drawMotion(scene.from);
        return drawBase(false);
      }
      // Entering or leaving the walk-through ends a running animation; it would play other phases.
      if (anim && anim.walk !== scene.walk) stop();
      // Same step, new numbers: a running animation carries on with them; else draw at rest.
      if (anim) return drawBase(false);
      window.clearTimeout(settle); // this draw hands the parcels back itself
      settle = 0;
      drawMotion(null);
      return drawBase(true);
    },
    stop,
    // Keeps the belt's space at the height its chart will take, drawn or not: before plotly.js has
    // run (after the page's first pass) the page below would otherwise jump when the belt appears.
    reserve(state) {
      const height = `${frameLayout(shownUnits(state.sizes.H)).height}px`;
      if (el.style.height !== height) el.style.height = height;
    },
  };
}
