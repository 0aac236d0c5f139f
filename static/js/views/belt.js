// The hero view: the LSTM cell at step t, drawn as the classic diagram laid out as a conveyor
// belt, one lane per unit (a page of lanes when they do not all fit, one lane on a phone). Along
// the belt only a × (forget gate) and a + (input gate · candidate) act; a branch drops through tanh
// and × o to h_t; on the left of each lane, x_t, h_{t−1} and the bias feed the gates.
//
// Drawn by the page on a canvas (views/belt-scene.js says what, views/sketch.js draws it), with
// the numbers as HTML labels over it. Stepping animates the parcels along the lane.

import { format, plain, strings } from "../i18n/index.js";
import { num, signed } from "../format.js";
import { lanesThatFit, WALK_STEPS } from "../state.js";
import { HEADER, LANE_GAP, beltLayout } from "./belt-layout.js";
import { PHASE, WALK_PHASE, WALK_SPAN, lerp } from "./belt-parcels.js";
import { modelOf } from "../models.js";
import { GATES, GRU_GATES, Z_MAX, beltScene, labelSamples, laneValues, parcelColour } from "./belt-scene.js";
import { createCanvasView } from "./canvas-view.js";
import { BELT_QUANTITIES, MAX_LANES, clampOf, describe } from "./common.js";
import { textWidth } from "./sketch.js";

const S = strings.belt;
// A move of the walk-through plays a little slower than a whole step does.
const WALK_SLOWDOWN = 1.25;

// The largest |value| the shown lanes carry on the belt over the whole trace (at least 1): the top
// of the parcels' log scale, the same at every step.
const GRU_BELT_QUANTITIES = ["h_prev", "kept", "forgotten", "added", "h"];
function beltLimit(trace, units, gru) {
  let limit = 1;
  for (const name of gru ? GRU_BELT_QUANTITIES : BELT_QUANTITIES) {
    for (const row of trace[name]) {
      for (const k of units) limit = Math.max(limit, Math.abs(row[k]));
    }
  }
  return limit;
}

// The legend under the belt: the parcels' colour and size scale (log, up to the limit), the gate
// openings, and the feed bars' three parts.
function legend(keys, limit) {
  const stops = [-1, -0.5, 0, 0.5, 1].map((u) => `${parcelColour(Math.sign(u) * Math.expm1(Math.abs(u) * Math.log1p(limit)), limit)} ${(u + 1) * 50}%`);
  keys.innerHTML = [
    `<span class="key-label">${S.keyValue}</span><span class="key-end">−${num(limit, 2)}</span>` +
      `<span class="key-bar key-diverging"></span><span class="key-end">+${num(limit, 2)}</span>` +
      `<span class="key-note">${format(S.keyScale, { limit: num(limit, 2) })}</span>`,
    `<span class="key-label">${S.keyGate}</span><span class="key-end">0</span><span class="key-bar key-sequential"></span><span class="key-end">1</span>`,
    `<span class="key-label">${S.keyFeed}</span><span class="key-note">${format(S.keyFeedScale, { z: Z_MAX })}</span>`,
  ].map((group) => `<span class="key-group">${group}</span>`).join("");
  keys.style.setProperty("--diverging", `linear-gradient(to right, ${stops.join(", ")})`);
}

// The chart's text alternative: the step and every lane's numbers, as the labels show them.
function summaryText(lanes, t, last, gru) {
  const text = lanes.map(({ k, v }) => (gru ? format(S.laneGru, {
    k, h_prev: num(v.h_prev, 3), r: num(v.r, 3), z: num(v.z, 3), kept: num(v.kept, 3), n: num(v.n, 3),
    added: signed(v.added, 3), h: num(v.h, 3),
  }) : format(S.lane, {
    k, c_prev: num(v.c_prev, 3), f: num(v.f, 3), kept: num(v.kept, 3), i: num(v.i, 3), g: num(v.g, 3),
    added: signed(v.added, 3), c: num(v.c, 3), o: num(v.o, 3), h: num(v.h, 3),
  })));
  return plain(format(S.summary, { t, last, units: lanes.length, lanes: text.join(" ") }));
}

// Options: el (#belt), keys (the legend), summary (the text alternative), picker ({group, prev, next, shown}: the lane pager), toolbar (export buttons' place),
// budget() (px for the belt and the belt over time together, or 0 when the page scrolls),
// onFocus(unit) (a lane clicked or paged to), onResize() (its width changed), perLaneBelow (px the
// belt over time takes per lane), fixedBelow (px it takes besides).
export function createBelt({
  el, keys, summary, picker, toolbar, budget, onFocus, onResize, perLaneBelow, fixedBelow,
}) {
  const measureContext = document.createElement("canvas").getContext("2d");
  const measure = (markup, size) => textWidth(measureContext, markup, size);
  const view = createCanvasView(el, { toolbar, name: "belt", onResize });
  let scene = null; // {lanes, layout, limit, walk, phases, rest, from}
  let anim = null; // {start, duration, from, walk, raf}
  let layoutMemo = null; // {key, layout}
  let page = { first: 0, count: 1, units: [0], height: 0 };
  let legendKey = "";

  const range = (first, count) => Array.from({ length: count }, (_, n) => first + n);
  // The gate room's rows, in the order it draws them: an LSTM's f, i, g, o or a GRU's r, z, n.
  const gatesOf = (gru) => (gru ? GRU_GATES : GATES);

  // How many lanes' units the page may ask the server for: all of them while every unit fits a
  // message; else those that fit, less one for the unit in focus, asked for beside chosen units.
  function laneCount(state) {
    const fit = lanesThatFit(state);
    return fit >= state.sizes.H ? state.sizes.H : Math.max(1, fit - (state.chosen ? 1 : 0));
  }

  // The page of lanes holding the focus unit: `count` units from a multiple of count.
  const pageOf = (focus, count, H) => Math.min(Math.floor(focus / count) * count, Math.max(0, H - count));
  // The units the lanes show: the page of `count` holding the focus, of every unit in order, or of
  // the units chosen (the unit finder's) when there are some.
  function pageUnits(state, focus, count) {
    const { chosen } = state;
    if (!chosen) return range(pageOf(focus, count, state.sizes.H), count);
    const at = Math.max(0, chosen.indexOf(focus));
    const from = Math.min(Math.floor(at / count) * count, Math.max(0, chosen.length - count));
    return chosen.slice(from, from + count);
  }

  // The layout for this width, trace, focus unit and language: lanes as many as the height budget
  // allows (at most MAX_LANES, and no more than one message carries the columns of: at T=10,000
  // one or two), label slots as wide as those lanes' widest numbers. A new trace
  // changes it only if it changes a label's widest number (a slider move rarely does): only then
  // is the text measured again.
  let probeMemo = null; // {key, count}
  function layoutFor(state, focus) {
    const { sizes, trace } = state;
    const H = sizes.H;
    const room = budget();
    const width = view.width();
    const most = Math.min(state.chosen ? state.chosen.length : H, MAX_LANES, laneCount(state));
    const gru = modelOf(state).belt === "h";
    const aroundSample = labelSamples(trace, pageUnits(state, focus, most), gru);
    const probeKey = `${width}|${room}|${H}|${focus}|${gru}|${document.documentElement.lang}|${state.chosen}|` +
      `${JSON.stringify(aroundSample)}`;
    if (!probeMemo || probeMemo.key !== probeKey) {
      const probe = beltLayout({ width, H: most, measure, sample: aroundSample, lanes: most, gates: gatesOf(gru).length });
      let count = probe.wide ? most : 1;
      if (probe.wide && room > 0) {
        const fit = Math.floor((room - fixedBelow - HEADER + LANE_GAP) / (probe.laneH + LANE_GAP + perLaneBelow));
        count = Math.max(1, Math.min(most, fit));
      }
      probeMemo = { key: probeKey, count };
    }
    const { count } = probeMemo;
    const units = pageUnits(state, focus, count);
    const sample = labelSamples(trace, units, gru);
    const key = `${probeKey}|${units}|${JSON.stringify(sample)}`;
    if (layoutMemo && layoutMemo.key === key) return layoutMemo.layout;
    const layout = beltLayout({ width, H: units.length, measure, sample, lanes: units.length, gates: gatesOf(gru).length });
    layout.units = units;
    layoutMemo = { key, layout };
    return layout;
  }

  function shapesAt(p) {
    const { lanes, layout, limit, walk, phases, focus, gru } = scene;
    return beltScene({ lanes, layout, p, phases, limit, walk, focus, gru });
  }

  function frame(now) {
    const u = Math.min(1, (now - anim.start) / anim.duration);
    view.repaint(shapesAt(lerp(anim.from, scene.rest, u)).shapes);
    if (u < 1) anim.raf = requestAnimationFrame(frame);
    else anim = null;
  }

  function stop() {
    if (anim) cancelAnimationFrame(anim.raf);
    anim = null;
  }

  // The pager says honestly which units the lanes show, of how many (and of how many chosen).
  function renderPicker(state) {
    const H = state.sizes.H;
    const { chosen } = state;
    const pool = chosen || range(0, H);
    picker.group.hidden = !chosen && page.count >= H;
    if (picker.group.hidden) return;
    const at = pool.indexOf(page.units[0]);
    if (chosen) {
      picker.shown.textContent = format(strings.lanes.chosen, { list: page.units.join(", "), n: chosen.length, H });
    } else {
      const last = page.first + page.count - 1;
      picker.shown.textContent = page.count === 1 ? format(strings.lanes.one, { k: page.first, H })
        : format(strings.lanes.some, { first: page.first, last, H });
    }
    picker.prev.disabled = at <= 0;
    picker.next.disabled = at + page.count >= pool.length;
  }

  function step(delta) {
    if (!scene) return;
    const pool = scene.chosen || range(0, scene.H);
    const at = pool.indexOf(page.units[0]) + delta * page.count;
    onFocus(pool[Math.max(0, Math.min(pool.length - 1, at))]);
  }
  picker.prev.addEventListener("click", () => step(-1));
  picker.next.addEventListener("click", () => step(1));

  // A click on a lane makes its unit the one the equations show.
  el.addEventListener("click", (event) => {
    if (!scene || !scene.layout.wide) return;
    const y = event.clientY - el.getBoundingClientRect().top;
    const { layout } = scene;
    for (let n = 0; n < scene.lanes.length; n += 1) {
      const top = layout.lane(n).y;
      if (y >= top - LANE_GAP / 2 && y < top + layout.laneH + LANE_GAP / 2) onFocus(scene.lanes[n].k);
    }
  });

  // Hovering a gate's feed bar reads its three parts: from x_t, from h_{t−1}, the bias, and where
  // they add up to (the same numbers as the equations, 3 decimals as on the belt).
  const tip = document.createElement("div");
  tip.className = "view-tip";
  tip.hidden = true;
  el.append(tip);
  function gateAt(x, y) {
    const { layout, lanes } = scene;
    const { room } = layout;
    for (let n = 0; n < lanes.length; n += 1) {
      const box = layout.lane(n).room;
      const row = Math.floor((y - box.y) / room.row);
      const gates = gatesOf(scene.gru); // the gate room's rows, the model's own
      if (x >= box.x && x < box.x + room.width && row >= 0 && row < gates.length) return { lane: lanes[n], q: gates[row] };
    }
    return null;
  }
  el.addEventListener("mousemove", (event) => {
    const rect = el.getBoundingClientRect();
    const at = scene && gateAt(event.clientX - rect.left, event.clientY - rect.top);
    if (!at) {
      tip.hidden = true;
      return;
    }
    const { v } = at.lane;
    const { q } = at;
    tip.innerHTML = format(S.feedTip, {
      gate: q, x: num(v[`pre_${q}_x`], 3), h: signed(v[`pre_${q}_h`], 3), b: signed(v[`pre_${q}_b`], 3),
      z: num(v[`pre_${q}`], 3), value: num(v[q], 3), fn: q === "g" || q === "n" ? "tanh" : "σ", // the candidates
    });
    tip.hidden = false;
    tip.style.left = `${event.clientX - rect.left + 14}px`;
    tip.style.top = `${event.clientY - rect.top + 10}px`;
  });
  el.addEventListener("mouseleave", () => { tip.hidden = true; });

  return {
    // Draws step state.t; animates the step's flow (or, walking, the current move) when asked.
    render(state, { animate = false, duration = 800 } = {}) {
      const { trace, t, sizes, knobs, walk } = state;
      const focus = Math.min(state.eqUnit, sizes.H - 1);
      const layout = layoutFor(state, focus);
      const { units } = layout;
      // first and count describe a run of units in order (no units chosen); units says which.
      page = { first: units[0], count: units.length, units, height: layout.height };
      const gru = modelOf(state).belt === "h";
      const lanes = units.map((k, n) => {
        const clamped = Object.fromEntries(gatesOf(gru).map((q) => [q, clampOf(knobs, q, k) !== null]));
        return { k, n, v: laneValues(trace, t, k, gru), clamped };
      });
      const limit = beltLimit(trace, units, gru);
      const phases = walk ? WALK_PHASE : PHASE;
      const span = walk ? WALK_SPAN[walk - 1] : [0, 1];
      scene = { lanes, layout, limit, walk, phases, focus, gru, H: sizes.H, chosen: state.chosen, from: span[0], rest: span[1] };
      const drawn = shapesAt(scene.rest);
      view.draw(drawn.shapes, drawn.labels, drawn.height);
      el.dataset.walk = walk ? WALK_STEPS[walk - 1] : "";
      el.dataset.layout = `${layout.wide ? "wide" : "narrow"} ${layout.belt.lines}`;
      el.dataset.lanes = state.chosen ? units.join(",") : `${units[0]}-${units[units.length - 1]}`;
      renderPicker(state);
      describe(summary, summaryText(lanes, t, sizes.T - 1, gru));
      const key = `${limit}|${document.documentElement.lang}`;
      if (key !== legendKey) {
        legend(keys, limit);
        legendKey = key;
      }
      if (animate && duration > 0) {
        stop(); // a new step (or move) interrupts a running animation and starts its own
        const length = walk ? duration * WALK_SLOWDOWN : duration;
        anim = { start: performance.now(), duration: length, from: scene.from, walk, raf: 0 };
        view.repaint(shapesAt(scene.from).shapes);
        anim.raf = requestAnimationFrame(frame);
      } else if (anim && anim.walk !== walk) {
        stop(); // entering or leaving the walk-through ends an animation of other phases
      } else if (anim) {
        view.repaint(shapesAt(lerp(anim.from, scene.rest, Math.min(1, (performance.now() - anim.start) / anim.duration))).shapes);
      }
    },
    stop,
    // The lanes on show: {units, first, count, height} (the belt over time shows the same units).
    page: () => page,
    exportAs: (format) => view.exportAs(format),
  };
}
