// Where the belt's pieces sit: the stations along a lane, the lanes' spacing, and the plot area
// every layer of the belt shares (the backdrop and per-step charts, the motion canvas, the HTML
// labels), all in the charts' data units.

import { baseLayout } from "./common.js";

// x positions of the stations along a lane (data units; the axis spans 0..X_MAX).
export const X = {
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
export const X_MAX = 12.6;
export const LANE = 1.55; // vertical distance between lanes (data units)
export const BRANCH = -0.66; // the output branch and the input riser, below the belt
export const BAND = 0.085; // half thickness of the belt band
export const GAUGE_W = 0.9;

export function laneHeightPx(lanes) {
  if (lanes <= 4) return 140;
  return lanes <= 8 ? 130 : 112;
}

// The plot area every layer shares (the base chart, the motion layer, the labels): margins in px
// and the axis ranges in data units.
export function frameOf(lanes) {
  const top = 0.72;
  return {
    margin: { l: 16, r: 16, t: 30, b: 8 }, // the top margin keeps the toolbar off the headers
    x: [-0.05, X_MAX],
    y: [-(lanes - 1) * LANE + BRANCH - 0.5, top + 0.3],
  };
}

// The base chart's layout; the motion layer and the labels map frameOf() the same way.
export function frameLayout(lanes, extra) {
  const frame = frameOf(lanes);
  return baseLayout({
    height: lanes * laneHeightPx(lanes) + 62,
    margin: frame.margin,
    showlegend: false,
    xaxis: { range: frame.x, visible: false, fixedrange: true },
    yaxis: { range: frame.y, visible: false, fixedrange: true },
    plot_bgcolor: "rgba(0,0,0,0)",
    ...extra,
  });
}
