// The hero view: the LSTM cell at step t, drawn as the classic diagram laid out as a conveyor
// belt. One lane per unit. Along the thick belt only a × (forget gate) and a + (input gate ⊙
// candidate) act; a thinner branch drops through tanh and × o to h_t.
//
// Stepping animates parcels along the lane. The numbers come from the trace; the only arithmetic
// here is geometry: where a parcel is at animation progress p, and how big it is drawn.

import { BELT, BELT_EDGE, DIVERGING, INK, MUTED, SEQUENTIAL, diverging, sequential } from "../colors.js";
import { num, signed } from "../format.js";
import { CONFIG, FONT, SMALL_FONT, baseLayout, shownUnits, signedLimit } from "./common.js";

// x positions of the stations along a lane (data units; the axis spans 0..X_MAX).
const X = {
  label: 0.05,
  beltStart: 0.95,
  cPrev: 1.45,
  forget: 3.05,
  kept: 4.2,
  add: 5.35,
  c: 6.85,
  tanh: 8.25,
  out: 9.65,
  h: 11.0,
  beltEnd: 12.15,
};
const X_MAX = 12.6;
const LANE = 1.55; // vertical distance between lanes (data units)
const BRANCH = -0.66; // the output branch and the input riser, below the belt
const BAND = 0.085; // half thickness of the belt band
const GAUGE_W = 0.9;
const MAX_PARCEL = 34; // px diameter of a parcel with |value| = the scale's limit
const MIN_PARCEL = 3; // a zero still shows where the parcel is
const TICK_GAP = 0.35; // spacing of the belt's surface marks, which move while it runs

// Animation phases (fractions of one step's duration), in the order of the concept source:
// ride to ×, forget, ride to + while i·g rises, merge, ride to c_t, then the output copy.
const PHASE = {
  toForget: [0.0, 0.18],
  drop: [0.18, 0.36],
  toAdd: [0.22, 0.48],
  rise: [0.26, 0.48],
  merge: [0.48, 0.56],
  toC: [0.56, 0.7],
  down: [0.7, 0.78],
  toTanh: [0.78, 0.86],
  toOut: [0.86, 0.93],
  toH: [0.93, 1.0],
};

function laneHeightPx(lanes) {
  if (lanes <= 4) return 140;
  return lanes <= 8 ? 130 : 112;
}

function lerp(a, b, u) {
  return a + (b - a) * u;
}

// Progress through one phase, eased so parcels start and stop gently.
function phase(p, [a, b]) {
  const u = Math.min(1, Math.max(0, (p - a) / (b - a)));
  return u * u * (3 - 2 * u);
}

function parcelSize(value, limit) {
  return Math.max(MIN_PARCEL, (MAX_PARCEL * Math.abs(value)) / limit);
}

// The numbers of one lane at step t, by name.
function laneValues(trace, t, k) {
  const names = ["c_prev", "f", "kept", "forgotten", "i", "g", "added", "c", "tanh_c", "o", "h"];
  return Object.fromEntries(names.map((name) => [name, trace[name][t][k]]));
}

// Where each parcel of one lane is at progress p (1 = at rest: the step fully played).
// Returns [{x, y, value, opacity, what, grow}].
function parcels(v, y, p) {
  const out = [];
  const add = (x, yy, value, opacity, what, grow = null) => out.push({ x, y: yy, value, opacity, what, grow });
  const ghost = 0.32;

  // The main parcel: c_{t-1} rides to ×, continues as `kept`, merges with `added` into c_t.
  const toForget = phase(p, PHASE.toForget);
  const toAdd = phase(p, PHASE.toAdd);
  const merge = phase(p, PHASE.merge);
  const toC = phase(p, PHASE.toC);
  if (p > 0.02) add(X.cPrev, y, v.c_prev, ghost, "c<sub>t−1</sub>");
  if (p < PHASE.drop[0]) {
    add(lerp(X.cPrev, X.forget, toForget), y, v.c_prev, 1, "c<sub>t−1</sub>");
  } else if (p < PHASE.merge[0]) {
    add(lerp(X.forget, X.add, toAdd), y, v.kept, 1, "kept");
  } else {
    // While merging, the parcel grows from kept's size to c_t's (a tween of pixels, not of values).
    const grow = { from: v.kept, u: merge };
    add(lerp(X.add, X.c, toC), y, v.c, 1, "c<sub>t</sub>", merge < 1 ? grow : null);
  }
  if (p >= PHASE.merge[0]) add(X.kept, y, v.kept, ghost, "kept");

  // What the × station takes off drops down a chute and fades, but leaves a faint trace.
  if (p >= PHASE.drop[0]) {
    const drop = phase(p, PHASE.drop);
    add(lerp(X.forget, X.forget + 0.38, drop), lerp(y, y + BRANCH * 0.78, drop), v.forgotten,
      lerp(1, ghost, drop), "forgotten");
  }

  // What the + station puts on rises from below and joins the belt.
  if (p >= PHASE.rise[0] - 0.06 && p < PHASE.merge[1]) {
    const rise = phase(p, PHASE.rise);
    const appear = Math.min(1, (p - (PHASE.rise[0] - 0.06)) / 0.06);
    add(X.add, lerp(y + BRANCH, y, rise), v.added, appear * (1 - merge), "added");
  }
  if (p >= PHASE.merge[1]) add(X.add, y + BRANCH * 0.55, v.added, ghost, "added");

  // A copy of c_t drops through tanh and × o to become h_t.
  if (p >= PHASE.down[0]) {
    const down = phase(p, PHASE.down);
    const toTanh = phase(p, PHASE.toTanh);
    const toOut = phase(p, PHASE.toOut);
    const toH = phase(p, PHASE.toH);
    if (p < PHASE.toTanh[0]) add(X.c, lerp(y, y + BRANCH, down), v.c, 1, "c<sub>t</sub>");
    else if (p < PHASE.toOut[0]) add(lerp(X.c, X.tanh, toTanh), y + BRANCH, v.c, 1, "c<sub>t</sub>");
    else if (p < PHASE.toH[0]) add(lerp(X.tanh, X.out, toOut), y + BRANCH, v.tanh_c, 1, "tanh c<sub>t</sub>");
    else add(lerp(X.out, X.h, toH), y + BRANCH, v.h, 1, "h<sub>t</sub>");
    if (p >= PHASE.toOut[1]) add(lerp(X.tanh, X.out, 0.5), y + BRANCH, v.tanh_c, ghost, "tanh c<sub>t</sub>");
  }
  return out;
}

// Text labels of one lane: every quantity of the step, beside where it happens.
function labels(v, y, k) {
  const rows = [
    [X.label, y, `<b>unit ${k}</b>`, "middle right"],
    [X.cPrev, y + 0.3, `c<sub>t−1</sub> ${num(v.c_prev, 3)}`, "top center"],
    [X.forget, y + 0.42, `f ${num(v.f, 3)}`, "top center"],
    [X.kept, y + 0.3, `kept ${num(v.kept, 3)}`, "top center"],
    [X.forget + 0.5, y + BRANCH * 0.78, `forgotten ${num(v.forgotten, 3)}`, "middle right"],
    [X.add, y + 0.42, `i ${num(v.i, 3)}`, "top center"],
    [X.add, y + BRANCH - 0.06, `g ${num(v.g, 3)}`, "bottom center"],
    [X.add + 0.3, y + BRANCH * 0.5, `added ${signed(v.added, 3)}`, "middle right"],
    [X.c, y + 0.3, `c<sub>t</sub> ${num(v.c, 3)}`, "top center"],
    [X.tanh, y + BRANCH - 0.3, `tanh ${num(v.tanh_c, 3)}`, "bottom center"],
    [X.out, y + BRANCH + 0.42, `o ${num(v.o, 3)}`, "top center"],
    [X.h, y + BRANCH - 0.3, `h<sub>t</sub> ${num(v.h, 3)}`, "bottom center"],
  ];
  return rows;
}

// A 0..1 gauge: an outlined bar filled to the gate's opening, on the sequential scale.
function gauge(xc, yc, value) {
  const x0 = xc - GAUGE_W / 2;
  const h = 0.055;
  return [
    { type: "rect", x0, x1: x0 + GAUGE_W, y0: yc - h, y1: yc + h, line: { color: MUTED, width: 1 },
      fillcolor: "#ffffff", layer: "below" },
    { type: "rect", x0, x1: x0 + GAUGE_W * Math.min(1, Math.max(0, value)), y0: yc - h, y1: yc + h,
      line: { width: 0 }, fillcolor: sequential(value), layer: "below" },
  ];
}

// The static frame of one lane: belt band, rollers' axles, chute, riser, output branch, gauges.
function laneShapes(v, y) {
  const line = (x0, y0, x1, y1, color, width, dash = "solid") => ({
    type: "line", x0, y0, x1, y1, line: { color, width, dash }, layer: "below",
  });
  return [
    { type: "rect", x0: X.beltStart, x1: X.beltEnd, y0: y - BAND, y1: y + BAND, fillcolor: BELT,
      line: { color: BELT_EDGE, width: 1.5 }, layer: "below" },
    line(X.forget, y, X.forget + 0.38, y + BRANCH * 0.78, BELT_EDGE, 1.5, "dot"),
    line(X.add, y + BRANCH, X.add, y, MUTED, 2),
    line(X.c, y, X.c, y + BRANCH, MUTED, 3),
    line(X.c, y + BRANCH, X.h + 0.7, y + BRANCH, MUTED, 3),
    ...gauge(X.forget, y + 0.3, v.f),
    ...gauge(X.add, y + 0.3, v.i),
    ...gauge(X.out, y + BRANCH + 0.3, v.o),
  ];
}

// Headers over the first lane name the stations (the legend of the diagram).
function headers(top) {
  const head = (x, text) => ({ x, y: top, text, showarrow: false, yanchor: "bottom",
    font: { ...FONT, size: 13, color: INK } });
  return [
    head(X.cPrev, "c<sub>t−1</sub> in"),
    head(X.forget, "<b>×</b>  f  (forget)"),
    head(X.add, "<b>+</b>  i·g  (input)"),
    head(X.c, "c<sub>t</sub>"),
    head(X.tanh, "<b>tanh</b>"),
    head(X.out, "<b>×</b>  o  (output)"),
    head(X.h, "h<sub>t</sub> out"),
    head(X.beltEnd, "→ step t+1"),
  ];
}

function stationTrace(lanes) {
  const xs = [];
  const ys = [];
  const text = [];
  const symbols = [];
  for (let k = 0; k < lanes; k += 1) {
    const y = -k * LANE;
    for (const [x, yy, label, symbol] of [
      [X.forget, y, "×", "circle"],
      [X.add, y, "+", "circle"],
      [X.tanh, y + BRANCH, "tanh", "square"],
      [X.out, y + BRANCH, "×", "circle"],
    ]) {
      xs.push(x);
      ys.push(yy);
      text.push(label);
      symbols.push(symbol);
    }
  }
  return {
    type: "scatter", mode: "markers+text", x: xs, y: ys, text, hoverinfo: "skip",
    textfont: { ...FONT, size: 15, color: INK }, textposition: "middle center",
    marker: { size: text.map((s) => (s === "tanh" ? 40 : 30)), symbol: symbols, color: "#ffffff",
      line: { color: INK, width: 2 } },
    cliponaxis: false, showlegend: false,
  };
}

// Arrow heads where the belt and the h branch leave the cell: both are passed on to step t+1.
function exitTrace(lanes) {
  const xs = [];
  const ys = [];
  for (let k = 0; k < lanes; k += 1) {
    xs.push(X.beltEnd + 0.12, X.h + 0.78);
    ys.push(-k * LANE, -k * LANE + BRANCH);
  }
  return { type: "scatter", mode: "markers", x: xs, y: ys, hoverinfo: "skip", showlegend: false,
    cliponaxis: false, marker: { symbol: "triangle-right", size: xs.map((_, n) => (n % 2 ? 11 : 16)),
      color: xs.map((_, n) => (n % 2 ? MUTED : BELT_EDGE)) } };
}

// Marks on the belt surface; shifting them with p makes the belt visibly run during a step.
function tickTrace(lanes, p) {
  const xs = [];
  const ys = [];
  const shift = (p * (X.c - X.cPrev)) % TICK_GAP;
  for (let k = 0; k < lanes; k += 1) {
    const y = -k * LANE;
    for (let x = X.beltStart + 0.08 + shift; x < X.beltEnd - 0.05; x += TICK_GAP) {
      // No marks under the × and + stations: the motion layer lies on top of them.
      if (Math.abs(x - X.forget) < 0.2 || Math.abs(x - X.add) < 0.2) continue;
      xs.push(x, x, null);
      ys.push(y - BAND * 0.85, y + BAND * 0.85, null);
    }
  }
  return { type: "scatter", mode: "lines", x: xs, y: ys, hoverinfo: "skip", showlegend: false,
    line: { color: "rgba(120, 131, 150, 0.7)", width: 2 } };
}

function parcelTrace(list, limit) {
  return {
    type: "scatter", mode: "markers", showlegend: false,
    x: list.map((q) => q.x), y: list.map((q) => q.y),
    hovertext: list.map((q) => `unit ${q.unit} · ${q.what} = ${num(q.value, 4)}`),
    hoverinfo: "text",
    marker: {
      size: list.map((q) =>
        q.grow ? lerp(parcelSize(q.grow.from, limit), parcelSize(q.value, limit), q.grow.u) : parcelSize(q.value, limit)),
      color: list.map((q) => diverging(q.value, limit)),
      opacity: list.map((q) => q.opacity),
      line: { color: "rgba(29, 36, 51, 0.65)", width: 1 },
    },
  };
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

// Layout both layers share, so the motion layer's plot area sits exactly on the base's.
function frameLayout(lanes, extra) {
  const top = 0.72;
  const bottom = -(lanes - 1) * LANE + BRANCH - 0.5;
  return baseLayout({
    height: lanes * laneHeightPx(lanes) + 62,
    margin: { l: 16, r: 16, t: 30, b: 8 }, // the top margin keeps the toolbar off the headers
    showlegend: false,
    xaxis: { range: [-0.05, X_MAX], visible: false, fixedrange: true },
    yaxis: { range: [bottom, top + 0.3], visible: false, fixedrange: true },
    plot_bgcolor: "rgba(0,0,0,0)",
    ...extra,
  });
}

// The moving layer at progress p: belt surface marks and parcels.
function movingTraces(scene, p) {
  const list = [];
  scene.values.forEach((v, k) => {
    for (const q of parcels(v, -k * LANE, p)) list.push({ ...q, unit: k });
  });
  return [tickTrace(scene.lanes, p), parcelTrace(list, scene.limit)];
}

// `el` is the base chart (#belt): the cell's frame, labels and, at rest, the parcels. `motion`
// is a static chart laid exactly over it that carries the parcels while a step plays: redrawing
// the few moving markers each frame is cheap, redrawing every label and shape is not.
export function createBelt(el, motion, keys, note) {
  // What is drawn and the running animation; private to this view instance.
  let scene = null; // {values, lanes, limit, layout, statics}
  let anim = null; // {start, duration, raf}

  function drawBase(withParcels) {
    const moving = withParcels ? movingTraces(scene, 1) : [];
    return Plotly.react(el, [...scene.statics, ...moving], scene.layout, CONFIG);
  }

  function drawMotion(p) {
    return Plotly.react(motion, p < 1 ? movingTraces(scene, p) : [], scene.motionLayout, { staticPlot: true });
  }

  function frame(now) {
    const p = Math.min(1, (now - anim.start) / anim.duration);
    if (p < 1) {
      drawMotion(p);
      anim.raf = requestAnimationFrame(frame);
      return;
    }
    anim = null;
    // Hand the parcels back to the base chart (hover, PNG export) and clear the motion layer.
    drawBase(true);
    drawMotion(1);
  }

  function stop() {
    if (anim) cancelAnimationFrame(anim.raf);
    anim = null;
  }

  function build(state) {
    const { trace, t, sizes } = state;
    const lanes = shownUnits(sizes.H);
    const values = Array.from({ length: lanes }, (_, k) => laneValues(trace, t, k));
    const limit = signedLimit(trace, lanes);
    const shapes = [];
    const texts = [];
    values.forEach((v, k) => {
      shapes.push(...laneShapes(v, -k * LANE));
      texts.push(...labels(v, -k * LANE, k));
    });
    const textTrace = {
      type: "scatter", mode: "text", hoverinfo: "skip", showlegend: false, cliponaxis: false,
      x: texts.map((r) => r[0]), y: texts.map((r) => r[1]), text: texts.map((r) => r[2]),
      textposition: texts.map((r) => r[3]), textfont: { ...FONT, size: 12, color: INK },
    };
    const layout = frameLayout(lanes, {
      uirevision: "belt",
      hovermode: "closest",
      shapes,
      // The step in the chart itself too, so an exported PNG says which step it shows.
      annotations: [...headers(0.72), { x: X.label, y: 0.72, yanchor: "bottom", xanchor: "left",
        showarrow: false, text: `<b>t = ${t}</b> / ${sizes.T - 1}`, font: { ...FONT, size: 13 } }],
    });
    const motionLayout = frameLayout(lanes, { uirevision: "belt", paper_bgcolor: "rgba(0,0,0,0)" });
    return { values, lanes, limit, layout, motionLayout,
      statics: [textTrace, stationTrace(lanes), exitTrace(lanes)] };
  }

  return {
    // Draws step state.t; animates the step's flow when `animate` asks for it.
    render(state, { animate = false, duration = 800 } = {}) {
      scene = build(state);
      const H = state.sizes.H;
      note.hidden = H <= scene.lanes;
      note.textContent = `The belt shows units 0–${scene.lanes - 1} of ${H}; the charts below show all units.`;
      paintKeys(keys, scene.limit);
      if (animate && duration > 0) {
        // A new step interrupts a running animation and starts its own from the left.
        stop();
        anim = { start: performance.now(), duration, raf: 0 };
        anim.raf = requestAnimationFrame(frame);
        return Promise.all([drawBase(false), drawMotion(0)]);
      }
      // Same step, new numbers: a running animation carries on with them; else draw at rest.
      if (anim) return drawBase(false);
      return Promise.all([drawBase(true), drawMotion(1)]);
    },
    stop,
  };
}
