// The parcels' choreography: where each parcel of a lane is at animation progress p, how big and
// in which colour it is drawn, and the marks that make the belt visibly run. The numbers come from
// the trace; the only arithmetic here is geometry.

import { diverging } from "../colors.js";
import { num } from "../format.js";
import { format, strings } from "../i18n/index.js";
import { BAND, BRANCH, LANE, X } from "./belt-geometry.js";
import { PARCEL_EDGE, TICK_COLOR } from "./belt-motion.js";

const S = strings.belt;

const MAX_PARCEL = 34; // px diameter of a parcel with |value| = the scale's limit
const MIN_PARCEL = 3; // a zero still shows where the parcel is
const TICK_GAP = 0.35; // spacing of the belt's surface marks, which move while it runs

// Animation phases (fractions of one step's duration), in the order of the concept source:
// ride to ×, forget, ride to + while i·g rises, merge, ride to c_t, then the output copy.
export const PHASE = {
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
  lead: 0.06, // the added parcel appears this much before it starts to rise
};

// The walk-through plays one move at a time, so its phases do not overlap: each move's parcels
// finish before the next move's start. WALK_SPAN[n − 1] is the stretch of p that move n plays.
export const WALK_PHASE = {
  toForget: [0.0, 0.08],
  drop: [0.08, 0.2],
  toKept: [0.12, 0.2], // after the drop, kept rides clear of the × station
  toAdd: [0.2, 0.32],
  rise: [0.2, 0.32],
  merge: [0.34, 0.42],
  toC: [0.42, 0.5],
  down: [0.5, 0.6],
  toTanh: [0.6, 0.7],
  toOut: [0.7, 0.8],
  toH: [0.8, 0.9],
  pass: [0.9, 1.0], // c_t and h_t ride off towards step t+1
  lead: 0,
};
export const WALK_SPAN = [[0, 0.2], [0.2, 0.34], [0.34, 0.5], [0.5, 0.9], [0.9, 1.0]];

export function lerp(a, b, u) {
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

// Where each parcel of one lane is at progress p (1 = at rest: the step fully played), on the
// schedule `ph` (PHASE, or WALK_PHASE for the walk-through). Returns [{x, y, value, opacity, what, grow}],
// `what` naming the parcel's quantity (a key of the catalogue's quantities).
function parcels(v, y, p, ph) {
  const out = [];
  const add = (x, yy, value, opacity, what, grow = null) => out.push({ x, y: yy, value, opacity, what, grow });
  const ghost = 0.32;

  // The main parcel: c_{t-1} rides to ×, continues as `kept`, merges with `added` into c_t.
  const toForget = phase(p, ph.toForget);
  const toAdd = phase(p, ph.toAdd);
  const merge = phase(p, ph.merge);
  const toC = phase(p, ph.toC);
  if (p > 0.02) add(X.cPrev, y, v.c_prev, ghost, "c_prev");
  if (p < ph.drop[0]) {
    add(lerp(X.cPrev, X.forget, toForget), y, v.c_prev, 1, "c_prev");
  } else if (p < ph.merge[0]) {
    // The walk-through parks kept between × and + at the end of the forget move.
    const x = ph.toKept && toAdd === 0 ? lerp(X.forget, X.kept, phase(p, ph.toKept))
      : lerp(ph.toKept ? X.kept : X.forget, X.add, toAdd);
    add(x, y, v.kept, 1, "kept");
  } else {
    // While merging, the parcel grows from kept's size to c_t's (a tween of pixels, not of values).
    const grow = { from: v.kept, u: merge };
    const pass = ph.pass ? phase(p, ph.pass) : 0;
    const x = pass > 0 ? lerp(X.c, X.beltEnd, pass) : lerp(X.add, X.c, toC);
    add(x, y, v.c, 1, "c", merge < 1 ? grow : null);
  }
  if (p >= ph.merge[0]) add(X.kept, y, v.kept, ghost, "kept");

  // What the × station takes off drops down a chute and fades, but leaves a faint trace.
  if (p >= ph.drop[0]) {
    const drop = phase(p, ph.drop);
    add(lerp(X.forget, X.forget + 0.38, drop), lerp(y, y + BRANCH * 0.78, drop), v.forgotten,
      lerp(1, ghost, drop), "forgotten");
  }

  // What the + station puts on rises from below and joins the belt.
  if (p > ph.rise[0] - ph.lead && p < ph.merge[1]) {
    const rise = phase(p, ph.rise);
    const appear = ph.lead > 0 ? Math.min(1, (p - (ph.rise[0] - ph.lead)) / ph.lead) : 1;
    add(X.add, lerp(y + BRANCH, y, rise), v.added, appear * (1 - merge), "added");
  }
  if (p >= ph.merge[1]) add(X.add, y + BRANCH * 0.55, v.added, ghost, "added");

  // A copy of c_t drops through tanh and × o to become h_t.
  if (p >= ph.down[0]) {
    const down = phase(p, ph.down);
    const toTanh = phase(p, ph.toTanh);
    const toOut = phase(p, ph.toOut);
    const toH = phase(p, ph.toH);
    if (p < ph.toTanh[0]) add(X.c, lerp(y, y + BRANCH, down), v.c, 1, "c");
    else if (p < ph.toOut[0]) add(lerp(X.c, X.tanh, toTanh), y + BRANCH, v.c, 1, "c");
    else if (p < ph.toH[0]) add(lerp(X.tanh, X.out, toOut), y + BRANCH, v.tanh_c, 1, "tanh_c");
    else {
      const pass = ph.pass ? phase(p, ph.pass) : 0;
      add(lerp(X.out, X.h, toH) + pass * 0.7, y + BRANCH, v.h, 1, "h");
    }
    if (ph.pass && p > ph.pass[0]) add(X.c, y, v.c, ghost, "c");
    if (p >= ph.toOut[1]) add(lerp(X.tanh, X.out, 0.5), y + BRANCH, v.tanh_c, ghost, "tanh_c");
  }
  return out;
}

// Marks on the belt surface, [x, y0, y1] each; shifting them with p makes the belt visibly run.
export function tickMarks(lanes, p) {
  const marks = [];
  const shift = (p * (X.c - X.cPrev)) % TICK_GAP;
  for (let k = 0; k < lanes; k += 1) {
    const y = -k * LANE;
    for (let x = X.beltStart + 0.08 + shift; x < X.beltEnd - 0.05; x += TICK_GAP) {
      // No marks under the × and + stations: the motion layer lies on top of them.
      if (Math.abs(x - X.forget) < 0.2 || Math.abs(x - X.add) < 0.2) continue;
      marks.push([x, y - BAND * 0.85, y + BAND * 0.85]);
    }
  }
  return marks;
}

function tickTrace(marks) {
  return { type: "scatter", mode: "lines", x: marks.flatMap(([x]) => [x, x, null]),
    y: marks.flatMap(([, y0, y1]) => [y0, y1, null]), hoverinfo: "skip", showlegend: false,
    line: { color: TICK_COLOR, width: 2 } };
}

// Every lane's parcels at progress p, each with its drawn size (px) and colour.
export function parcelList(scene, p) {
  const list = [];
  const { limit } = scene;
  scene.values.forEach((v, k) => {
    for (const q of parcels(v, -k * LANE, p, scene.phases)) {
      const size = q.grow ? lerp(parcelSize(q.grow.from, limit), parcelSize(q.value, limit), q.grow.u)
        : parcelSize(q.value, limit);
      list.push({ ...q, unit: k, size, color: diverging(q.value, limit) });
    }
  });
  return list;
}

function parcelTrace(list) {
  return {
    type: "scatter", mode: "markers", showlegend: false,
    x: list.map((q) => q.x), y: list.map((q) => q.y),
    hovertext: list.map((q) => format(S.parcel,
      { k: q.unit, what: strings.quantities[q.what].label, value: num(q.value, 4) })),
    hoverinfo: "text",
    marker: {
      size: list.map((q) => q.size),
      color: list.map((q) => q.color),
      opacity: list.map((q) => q.opacity),
      line: { color: PARCEL_EDGE, width: 1 },
    },
  };
}

// The parcels at rest on the base chart (hover, export): belt surface marks and parcels at p.
export function movingTraces(scene, p) {
  return [tickTrace(tickMarks(scene.lanes, p)), parcelTrace(parcelList(scene, p))];
}

