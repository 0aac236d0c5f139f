// Where the belt's pieces sit, in CSS pixels, worked out from the width the belt has and the
// widths of its labels, so that no two labels can meet at any step: each label's slot is as wide
// as the widest number the trace puts there.
//
// A lane (one unit) has three parts side by side when the belt is wide enough, or stacked when
// it is not (a phone):
//   the unit's name and the h_{t−1} it brings,
//   the gate room: x_t, h_{t−1} and the bias feed each gate f, i, g, o (one row each; a GRU's
//   three, r, z, n: its lanes are a row shorter, with no empty row where an LSTM has o),
//   the belt: c_{t−1} → × f → kept → + i·g → c_t, and a branch down through tanh and × o to h_t;
//   the numbers sit in a row above the belt and a row under the branch.
// When even the stacked belt is too narrow for labels on one line, each label puts its number
// under its name.

export const LANE_GAP = 6; // between lanes
export const LABEL_SIZE = 12; // px, the labels' font size
const SMALL_LABEL = 11; // on the narrowest phones
export const HEADER = 18; // the stations' names above the first lane
const GAP = 8; // between a label and its neighbour
const R = 9; // a station's radius
const TANH_HALF = 17; // half the tanh box's width
const LINE = 15; // one line of label text
const GATE_ROW = 18; // one gate's row in the gate room
const LETTER = 14; // the gate's letter in the gate room
const MIN_BAR = 60; // the narrowest feed bar that still reads
const MAX_BAR = 150;
const MAX_STRETCH = 1.5; // spare width spreads the belt's stations up to this factor

// The widest label of each slot, in px, for labels on one line (lines 1) or with the number under
// the name (lines 2). `sample` holds each slot's widest text (views/belt-scene.js builds them from
// the trace): [name, number] for a named number, plain markup otherwise; `measure(markup)` is its width.
function widths(measure, sample, lines) {
  const width = (value) => {
    if (!Array.isArray(value)) return measure(value);
    const [name, number] = value;
    return lines === 1 ? measure(`${name} ${number}`) : Math.max(measure(name), measure(number));
  };
  return Object.fromEntries(Object.entries(sample).map(([slot, value]) => [slot, Math.ceil(width(value))]));
}

// The belt's stations along x and its rows down y, relative to the belt part's top-left corner;
// null when `room` px are too few. `w` holds the slots' widths; `lines` is 1 (name and number on
// one line) or 2 (number under name); `tight` packs the output branch closer (the narrowest phones).
function beltPart(w, lines, room, tight = false) {
  const A = lines * LINE; // the height of a row of labels
  const gap = tight ? 5 : GAP;
  const xF = Math.max(w.cPrev + gap + R, w.headF / 2);
  // Under the branch, left to right: forgotten (at the chute's foot), added (beside the riser),
  // tanh c_t and h_t; above the belt: c_{t−1}, kept, c_t.
  const xA = xF + Math.max(2 * R + 2 * gap + w.kept, (w.headF + w.headA) / 2 + gap, w.forgotten + gap + 2);
  const xC = xA + R + gap + w.c / 2;
  const xT = Math.max(xC + 14 + TANH_HALF, xA + 6 + w.added + gap + w.tanh / 2);
  // Room between tanh and × o for the parcel tanh(c_t) to rest in.
  const xO = Math.max(xT + TANH_HALF + (tight ? 12 : 22) + R, xA + (w.headA + w.headO) / 2 + gap);
  const xH = Math.max(xO + R + (tight ? 10 : 16), xT + w.tanh / 2 + gap + w.h / 2);
  const need = Math.max(xH + w.h / 2, xC + 30) + 4;
  if (need > room) return null;
  const s = Number.isFinite(room) ? Math.min(MAX_STRETCH, room / need) : 1;
  const yBelt = A + 11;
  const yOut = yBelt + 21; // the output branch, the foot of the forget chute and of the riser
  const yD = yOut + 10; // top of the row under the branch
  return {
    lines, width: need * s, height: yD + A + 2,
    xF: xF * s, xA: xA * s, xC: xC * s, xT: xT * s, xO: xO * s, xH: xH * s,
    xE: Math.max(xC * s + 30, xH * s), yBelt, yOut, yD, A,
  };
}

// The gate room for `bar` px of feed bar and `gates` rows: each row is the gate's letter, the
// bar, its value.
function gateRoom(w, bar, gates) {
  const valueX = LETTER + 6 + bar + 8;
  return { barX: LETTER + 6, barW: bar, valueX, width: valueX + w.gate, height: gates * GATE_ROW, row: GATE_ROW };
}

// The layout for a belt `width` px wide showing up to `lanes` of the H units (a narrow belt shows
// one), with label widths from `measure` and `sample`, and a gate room of `gates` rows (an LSTM's 4,
// a GRU's 3). Returns
// {wide, lanes, laneH, width, height, size (the labels' font size), unitW, room: {...}, belt: {...},
// lane(k) → {x, y, room: {x, y}, belt: {x, y}}}. `measure(markup, size)` is a label's width in px.
export function beltLayout({ width, H, measure, sample, lanes: wanted = 12, gates = 4 }) {
  const unitW = Math.ceil(Math.max(measure(sample.unit), measure(sample.hPrev.join(" ")))) + GAP;
  // Wide: the three parts side by side; the feed bar takes what the belt leaves, within limits.
  for (const lines of [1, 2]) {
    const w = widths(measure, sample, lines);
    // The gate room is at least as wide as its header.
    const minBar = Math.max(MIN_BAR, w.feeds - gateRoom(w, 0, gates).width);
    const minRoom = gateRoom(w, minBar, gates).width;
    const belt = beltPart(w, lines, width - unitW - minRoom - 2 * GAP);
    if (!belt) continue;
    const spare = width - unitW - 2 * GAP - belt.width;
    const bar = Math.min(Math.max(MAX_BAR, minBar), minBar + Math.max(0, spare - minRoom));
    const room = gateRoom(w, bar, gates);
    const laneH = Math.max(belt.height, room.height + 4);
    const lanes = Math.max(1, Math.min(H, wanted));
    const roomX = unitW + GAP;
    const beltX = roomX + room.width + GAP;
    return {
      wide: true, lanes, laneH, width, w, unitW, room, belt, size: LABEL_SIZE,
      height: HEADER + lanes * laneH + (lanes - 1) * LANE_GAP,
      lane: (k) => {
        const y = HEADER + k * (laneH + LANE_GAP);
        return { x: 0, y, room: { x: roomX, y: y + (laneH - room.height) / 2 }, belt: { x: beltX, y } };
      },
    };
  }
  // Narrow: one lane, its parts stacked: the unit's line, the gate room, the stations' names, the
  // belt: labels on one line if they fit, else each number under its name, else a size smaller.
  const tries = [[1, LABEL_SIZE, false], [2, LABEL_SIZE, false], [2, SMALL_LABEL, false], [2, SMALL_LABEL, true]];
  const fits = ([lines, size, tight]) => beltPart(widths((m) => measure(m, size), sample, lines), lines, width, tight);
  const [lines, size, tight] = tries.find(fits) || tries[tries.length - 1];
  const w = widths((m) => measure(m, size), sample, lines);
  const belt = beltPart(w, lines, width, tight) || beltPart(w, lines, Infinity, tight);
  const room = gateRoom(w, Math.max(MIN_BAR, Math.min(MAX_BAR * 1.4, width - gateRoom(w, 0, gates).width)), gates);
  const roomY = LINE + 8;
  const beltY = roomY + room.height + 26;
  return {
    wide: false, lanes: 1, laneH: beltY + belt.height, width, w, unitW, room, belt, size,
    height: beltY + belt.height,
    lane: () => ({ x: 0, y: 0, room: { x: 0, y: roomY }, belt: { x: 0, y: beltY } }),
  };
}
