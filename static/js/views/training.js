// A training's curves, from its progress messages (state.trainingLog): the held-out loss (log
// axis) and accuracy against the updates done, with the task's target; and "watch f learn to
// hold": each unit's forget gate on the probe, averaged over the steps where the memory must hold,
// against the updates (a GRU's update gate z, its keeping gate). Every number comes from the server;
// nothing here computes one.

import { INK, MUTED, RNN_LINE, STEP_MARK } from "../colors.js";
import { format, plain, strings } from "../i18n/index.js";
import { num } from "../format.js";
import { modelOf } from "../models.js";
import { SMALL_FONT, baseLayout, chartConfig, describe, react } from "./common.js";

const HEIGHT = 300;
const UNIT_COLOURS = ["#1d2433", "#b3470b", "#2f7f79", "#7a5195", "#9c6b30", "#1f5fae", "#a4161a", "#5b6478"];

function axis(title, extra = {}) {
  return { title: { text: title, font: SMALL_FONT }, tickfont: SMALL_FONT, gridcolor: "#e8ebf0", zeroline: false, ...extra };
}

function curveTraces(log, target) {
  const S = strings.training;
  const last = log.updates[log.updates.length - 1] || 1;
  return [
    { type: "scatter", mode: "lines", uid: "loss", name: S.loss, x: log.updates, y: log.loss,
      line: { color: INK, width: 2 }, hovertemplate: `${S.loss}: %{y:.4f}<extra></extra>` },
    { type: "scatter", mode: "lines", uid: "accuracy", name: S.accuracy, x: log.updates, y: log.accuracy,
      yaxis: "y2", line: { color: RNN_LINE, width: 2 }, hovertemplate: `${S.accuracy}: %{y:.1%}<extra></extra>` },
    { type: "scatter", mode: "lines", uid: "target", name: S.target, x: [0, last], y: [target, target], yaxis: "y2",
      line: { color: STEP_MARK, width: 1.5, dash: "dot" }, hoverinfo: "skip" },
  ];
}

// `gate`: the gate that keeps the belt, an LSTM's f or a GRU's z (the progress' `forget`).
function forgetTraces(log, gate) {
  const H = log.forget.length ? log.forget[0].length : 0;
  return Array.from({ length: H }, (_, k) => ({
    type: "scatter", mode: "lines", uid: `f-${k}`, name: format(strings.charts.unit, { k }), x: log.updates,
    y: log.forget.map((row) => row[k]), line: { color: UNIT_COLOURS[k % UNIT_COLOURS.length], width: 1.8 },
    hovertemplate: `${format(strings.charts.unit, { k })}: ${gate} = %{y:.3f}<extra></extra>`,
  }));
}

const legend = { orientation: "h", x: 0, y: 1.02, yanchor: "bottom", font: SMALL_FONT };

// Options: curve, forget (the two chart elements) and their text alternatives.
export function createTrainingCharts({ curve, forget, curveSummary, forgetSummary }) {
  let drawn = null; // the log last drawn (a new log is a new array: drawn again only then)
  return {
    render(state) {
      const log = state.trainingLog;
      if (!log || !state.training || log === drawn) return undefined;
      drawn = log;
      const S = strings.training;
      const target = state.training.task.target;
      const n = log.updates.length - 1;
      describe(curveSummary, plain(format(S.curveSummary, { updates: log.updates[n], loss: num(log.loss[n], 3),
        accuracy: num(100 * log.accuracy[n], 1) })));
      const gate = modelOf(state).keep; // a training's session runs the model it trains
      const gru = gate === "z";
      describe(forgetSummary, plain(format(gru ? S.forgetSummaryGru : S.forgetSummary, { updates: log.updates[n],
        values: (log.forget[n] || []).map((f, k) => `${k}: ${num(f, 2)}`).join(", ") })));
      const x = axis(S.updatesAxis, { rangemode: "tozero" });
      return Promise.all([
        react(curve, curveTraces(log, target), baseLayout({
          height: HEIGHT, margin: { l: 56, r: 56, t: 36, b: 44 }, legend, xaxis: x,
          yaxis: axis(S.loss, { type: "log", dtick: 1, exponentformat: "power" }), // a label a decade
          yaxis2: axis(S.accuracy, { overlaying: "y", side: "right", range: [0, 1.02], tickmode: "linear", tick0: 0,
            dtick: 0.2, tickformat: ".0%", showgrid: false }),
        }), chartConfig()),
        react(forget, forgetTraces(log, gate), baseLayout({
          height: HEIGHT, margin: { l: 56, r: 16, t: 36, b: 44 }, legend, xaxis: x,
          yaxis: axis(gru ? S.forgetAxisGru : S.forgetAxis, { range: [0, 1.02] }),
          font: { ...SMALL_FONT, color: MUTED },
        }), chartConfig()),
      ]);
    },
  };
}
