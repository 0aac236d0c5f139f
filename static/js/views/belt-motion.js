// The belt's motion layer: while a step plays, the running belt's surface marks and the parcels
// are painted on a canvas laid exactly over the chart, every animation frame. A canvas repaint of
// a hundred circles takes well under a millisecond; a Plotly redraw of the same markers took
// 10–30 ms per frame, too slow for smooth playback. At rest the base chart holds the parcels
// (hover and image export), and this layer is cleared.
//
// Coordinates are the chart's data units; `frame` is {margin, x: [lo, hi], y: [lo, hi]} (the
// chart's margins in px and its axis ranges), so the canvas maps them exactly as Plotly does.

export const TICK_COLOR = "rgba(120, 131, 150, 0.7)";
export const PARCEL_EDGE = "rgba(29, 36, 51, 0.65)";

export function createMotionLayer(container) {
  const canvas = document.createElement("canvas");
  container.replaceChildren(canvas);
  const context = canvas.getContext("2d");
  // The layer's size, kept by a ResizeObserver: reading clientWidth while a step's drawing has
  // just changed the page would force a layout of the whole page in the middle of the frame.
  let box = { width: container.clientWidth, height: container.clientHeight };
  new ResizeObserver(([entry]) => {
    box = { width: entry.contentRect.width, height: entry.contentRect.height };
  }).observe(container);

  // Sizes the canvas to its box (in device pixels, so it stays sharp) and returns the map from
  // data units to CSS pixels.
  function fit(frame) {
    const { width, height } = box;
    const ratio = window.devicePixelRatio || 1;
    if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      canvas.style.width = `${width}px`;
      canvas.style.height = `${height}px`;
    }
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, width, height);
    const { l, r, t, b } = frame.margin;
    const [x0, x1] = frame.x;
    const [y0, y1] = frame.y;
    return {
      px: (x) => l + ((x - x0) / (x1 - x0)) * (width - l - r),
      py: (y) => t + ((y1 - y) / (y1 - y0)) * (height - t - b),
    };
  }

  return {
    // ticks: [[x, y0, y1], …] (vertical marks); parcels: [{x, y, size (px diameter), color, opacity}].
    draw(ticks, parcels, frame) {
      const { px, py } = fit(frame);
      context.strokeStyle = TICK_COLOR;
      context.lineWidth = 2;
      context.beginPath();
      for (const [x, ya, yb] of ticks) {
        context.moveTo(px(x), py(ya));
        context.lineTo(px(x), py(yb));
      }
      context.stroke();
      context.lineWidth = 1;
      context.strokeStyle = PARCEL_EDGE;
      for (const q of parcels) {
        context.globalAlpha = q.opacity;
        context.fillStyle = q.color;
        context.beginPath();
        context.arc(px(q.x), py(q.y), q.size / 2, 0, 2 * Math.PI);
        context.fill();
        context.stroke();
      }
      context.globalAlpha = 1;
    },
    clear() {
      context.clearRect(0, 0, canvas.width, canvas.height);
    },
  };
}
