// Settings every chart shares, so the views look like one page.

import { INK, MUTED } from "../colors.js";

// The belt and the readout draw at most this many units; beyond it lanes get too thin to read.
export const MAX_LANES = 12;

export const FONT = { family: "Inter, 'Segoe UI', system-ui, -apple-system, sans-serif", size: 12, color: INK };
export const SMALL_FONT = { ...FONT, size: 11, color: MUTED };

// Keep Plotly's toolbar (PNG export is wanted) but drop the logo link and the cloud buttons.
export const CONFIG = {
  displaylogo: false,
  responsive: true,
  modeBarButtonsToRemove: ["select2d", "lasso2d"],
  toImageButtonOptions: { format: "png", scale: 2 },
};

export function baseLayout(extra) {
  return {
    font: FONT,
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "#ffffff",
    hoverlabel: { font: { ...FONT, size: 12 } },
    ...extra,
  };
}

// Belt quantities whose magnitude sets the diverging scale's range.
export const BELT_QUANTITIES = ["c_prev", "kept", "forgotten", "added", "c"];

// The symmetric range of the diverging scale: 1 (the range of g, tanh c and h), widened when the
// belt carries more. One limit for the whole trace, so a colour and a parcel size mean the same
// magnitude at every step and in every view.
export function signedLimit(trace, units, names = BELT_QUANTITIES) {
  let limit = 1;
  for (const name of names) {
    for (const values of trace[name]) {
      for (let k = 0; k < units; k += 1) limit = Math.max(limit, Math.abs(values[k]));
    }
  }
  return limit;
}

// Units shown in a lane view: 0..min(H, MAX_LANES)-1.
export function shownUnits(H) {
  return Math.min(H, MAX_LANES);
}
