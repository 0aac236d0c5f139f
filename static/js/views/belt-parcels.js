// The parcels' choreography: where each parcel of a lane is at animation progress p (1 = the step
// fully played, at rest), how big and in which colour. The numbers come from the trace; the only
// arithmetic here is geometry and the scale.

import { diverging } from "../colors.js";

const MAX_PARCEL = 18; // px diameter of a parcel with |value| = the scale's limit
const MIN_PARCEL = 4; // a zero still shows where the parcel is

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

// How strongly a value shows, 0..1, on the belt's log scale up to `limit`: a small value on a
// belt that also carries large ones still gets a visible parcel and colour.
export function strength(value, limit) {
  const span = Math.log1p(Math.max(limit, 1e-9));
  return Math.min(1, Math.log1p(Math.abs(value)) / span);
}

export function parcelColour(value, limit) {
  return diverging(Math.sign(value) * strength(value, limit), 1);
}

function parcelSize(value, limit) {
  return MIN_PARCEL + (MAX_PARCEL - MIN_PARCEL) * strength(value, limit);
}

// Where each parcel of one lane is at progress p, on the schedule `ph` (PHASE, or WALK_PHASE for
// the walk-through). `at` holds the lane's stations in px: {start, xF, xK, xA, xC, xT, xO, xTO (between
// tanh and × o), xH, xE, yBelt, yOut, chute}. Returns [{x, y, value, opacity, grow}].
function parcels(v, at, p, ph, branch = true) {
  const out = [];
  const add = (x, y, value, opacity, grow = null) => out.push({ x, y, value, opacity, grow });
  const ghost = 0.3;
  const y = at.yBelt;

  // The main parcel: c_{t-1} rides to ×, continues as `kept`, merges with `added` into c_t.
  const toAdd = phase(p, ph.toAdd);
  const merge = phase(p, ph.merge);
  if (p > 0.02) add(at.start, y, v.c_prev, ghost);
  if (p < ph.drop[0]) {
    add(lerp(at.start, at.xF, phase(p, ph.toForget)), y, v.c_prev, 1);
  } else if (p < ph.merge[0]) {
    // The walk-through parks kept between × and + at the end of the forget move.
    const x = ph.toKept && toAdd === 0 ? lerp(at.xF, at.xK, phase(p, ph.toKept))
      : lerp(ph.toKept ? at.xK : at.xF, at.xA, toAdd);
    add(x, y, v.kept, 1);
  } else {
    const pass = ph.pass ? phase(p, ph.pass) : 0;
    const x = pass > 0 ? lerp(at.xC, at.xE, pass) : lerp(at.xA, at.xC, phase(p, ph.toC));
    add(x, y, v.c, 1, merge < 1 ? { from: v.kept, u: merge } : null);
  }
  if (p >= ph.merge[0]) add(at.xK, y, v.kept, ghost);

  // What the × station takes off drops down the chute and fades, but leaves a faint trace.
  if (p >= ph.drop[0]) {
    const drop = phase(p, ph.drop);
    add(lerp(at.xF, at.chute, drop), lerp(y, at.yOut, drop), v.forgotten, lerp(1, ghost, drop));
  }

  // What the + station puts on rises from below and joins the belt.
  if (p > ph.rise[0] - ph.lead && p < ph.merge[1]) {
    const rise = phase(p, ph.rise);
    const appear = ph.lead > 0 ? Math.min(1, (p - (ph.rise[0] - ph.lead)) / ph.lead) : 1;
    add(at.xA, lerp(at.yOut, y, rise), v.added, appear * (1 - merge));
  }
  if (p >= ph.merge[1]) add(at.xA, (y + at.yOut) / 2, v.added, ghost);

  // A GRU's belt is h itself: without the branch, h_t rides off towards step t+1 on the belt.
  if (!branch) return out;
  // A copy of c_t drops to the branch and runs through tanh and × o to become h_t.
  if (p >= ph.down[0]) {
    if (p < ph.toTanh[0]) add(at.xC, lerp(y, at.yOut, phase(p, ph.down)), v.c, 1);
    else if (p < ph.toOut[0]) add(lerp(at.xC, at.xT, phase(p, ph.toTanh)), at.yOut, v.c, 1);
    else if (p < ph.toH[0]) add(lerp(at.xT, at.xO, phase(p, ph.toOut)), at.yOut, v.tanh_c, 1);
    else {
      const pass = ph.pass ? phase(p, ph.pass) : 0;
      add(lerp(at.xO, at.xH, phase(p, ph.toH)) + pass * 8, at.yOut, v.h, 1);
    }
    if (ph.pass && p > ph.pass[0]) add(at.xC, y, v.c, ghost);
    if (p >= ph.toOut[1]) add(at.xTO, at.yOut, v.tanh_c, ghost);
  }
  return out;
}

// One lane's parcels at progress p as circle shapes of the right size and colour.
export function parcelShapes(v, at, p, ph, limit, { branch = true } = {}) {
  return parcels(v, at, p, ph, branch).map((q) => {
    const size = q.grow ? lerp(parcelSize(q.grow.from, limit), parcelSize(q.value, limit), q.grow.u)
      : parcelSize(q.value, limit);
    return { kind: "circle", x: q.x, y: q.y, r: size / 2, fill: parcelColour(q.value, limit),
      stroke: "rgba(29, 36, 51, 0.65)", width: 1, alpha: q.opacity };
  });
}

// Marks on the belt's surface from x0 to x1 at height y; shifting them with p makes the belt run.
export function tickShapes(x0, x1, y, p, skip) {
  const gap = 14;
  const shift = (p * 90) % gap;
  const marks = [];
  for (let x = x0 + 4 + shift; x < x1 - 4; x += gap) {
    if (skip.some((s) => Math.abs(x - s) < 11)) continue;
    marks.push({ kind: "line", points: [[x, y - 3.5], [x, y + 3.5]], stroke: "rgba(120, 131, 150, 0.7)", width: 2 });
  }
  return marks;
}
