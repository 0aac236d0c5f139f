// The two colour scales of the whole page. Every view takes its colours from here so a value
// has the same colour in the belt, the timeline, the heatmaps and the readout.
//
// DIVERGING (signed values): blue for negative, near-white at 0, orange for positive. Blue and
// orange stay distinct for the common forms of colour blindness (unlike red/green).
// SEQUENTIAL (gate openings 0..1): near-white for shut, deep purple for wide open, so "more ink"
// reads as "more flows" and it never looks like a sign.

export const DIVERGING = [
  [0.0, "#1f4e8c"],
  [0.25, "#6f9fd1"],
  [0.5, "#f4f4f2"],
  [0.75, "#f2a15f"],
  [1.0, "#b3470b"],
];

export const SEQUENTIAL = [
  [0.0, "#f7f6fb"],
  [0.25, "#cfcae4"],
  [0.5, "#9e94c8"],
  [0.75, "#6b55a6"],
  [1.0, "#3b1a78"],
];

// Both scales were checked under simulated protanopia, deuteranopia and tritanopia (Machado et
// al. 2009, full severity): the two sides of DIVERGING stay ΔE*ab ≥ 72 apart, and both scales
// keep their lightness order (CIELAB L*: DIVERGING 33 → 96 → 44, SEQUENTIAL 97 → 20), so they read
// the same in greyscale too.

// Neutral ink for the belt's frame, text and lines, so colour is reserved for values. Text colours
// keep WCAG AA contrast (≥ 4.5:1) on white and on the page's light panels: INK 15.5:1, MUTED 5.9:1,
// DIM_TEXT 5.1:1, STEP_MARK 5.5:1.
export const INK = "#1d2433";
export const MUTED = "#5b6478";
// Text the walk-through sets back (labels of the other moves): lighter than INK, still readable.
export const DIM_TEXT = "#666e7e";
export const BELT = "#d5dae2";
export const BELT_EDGE = "#8e98a8";

// Lines that compare the two models (gradient view, memory race). The LSTM's belt is drawn in
// ink as c_t is in the timeline; the plain RNN in teal, always dashed so the pair stays apart
// without colour; "belt only: Π f" in the gate-opening purple, since it is a product of openings.
export const LSTM_LINE = INK;
export const RNN_LINE = "#2f7f79";
// The other gated model raced on the same inputs (an LSTM session's GRU, a GRU session's LSTM):
// a dark ochre (5.9:1 on white), long-dashed, so three lines stay apart without colour too.
export const OTHER_LINE = "#8a5a00";
export const BELT_ONLY_LINE = SEQUENTIAL[3][1];
export const STEP_MARK = "#b3470b"; // the current step, as in the timeline and the inputs chart

function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

// Interpolates a Plotly-style colourscale at position u in [0, 1]; returns an rgb() string with
// integer channels (plotly.js 4 no longer rescales fractional rgb()).
function sample(scale, u) {
  const p = Math.min(1, Math.max(0, Number.isFinite(u) ? u : 0.5));
  for (let k = 1; k < scale.length; k += 1) {
    const [p1, c1] = scale[k];
    if (p <= p1) {
      const [p0, c0] = scale[k - 1];
      const w = p1 === p0 ? 0 : (p - p0) / (p1 - p0);
      const a = hexToRgb(c0);
      const b = hexToRgb(c1);
      const mix = a.map((v, i) => Math.round(v + (b[i] - v) * w));
      return `rgb(${mix[0]}, ${mix[1]}, ${mix[2]})`;
    }
  }
  return scale[scale.length - 1][1];
}

// Colour of a signed value on a scale symmetric around 0 (|value| = limit is the darkest).
export function diverging(value, limit) {
  const span = limit > 0 ? limit : 1;
  return sample(DIVERGING, 0.5 + value / (2 * span));
}

// Colour of a gate opening in [0, 1].
export function sequential(value) {
  return sample(SEQUENTIAL, value);
}

// Whether dark text stays readable on top of a scale colour (for table chips and heat cells).
export function needsLightText(rgb) {
  const m = /rgb\((\d+), (\d+), (\d+)\)/.exec(rgb);
  if (!m) return false;
  const [r, g, b] = m.slice(1).map(Number);
  return 0.299 * r + 0.587 * g + 0.114 * b < 140;
}
