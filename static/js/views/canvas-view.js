// What the page's own canvas views (the belt, the belt over time) share: a canvas with an HTML
// layer of labels over it, the view's width kept by a ResizeObserver (reading it mid-frame would
// force a layout), and PNG / SVG buttons that save the very shapes and labels on screen.

import { strings } from "../i18n/index.js";
import { fitCanvas, labelShapes, paint, placeLabels, svgDocument } from "./sketch.js";

function download(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// `el` holds the view; `toolbar` (optional) gets its export buttons; `name` names the files;
// `onResize()` is called when the view's width changes.
export function createCanvasView(el, { toolbar = null, name, onResize = () => {} }) {
  const stage = document.createElement("div");
  stage.className = "canvas-stage";
  const canvas = document.createElement("canvas");
  canvas.setAttribute("aria-hidden", "true");
  const layer = document.createElement("div");
  layer.className = "view-labels";
  layer.setAttribute("aria-hidden", "true"); // the figure's description says the same
  stage.append(canvas, layer);
  el.replaceChildren(stage);
  const memo = {};
  let width = el.clientWidth;
  let last = null; // {shapes, labels, width, height}: what is on screen, for the exports

  new ResizeObserver(([entry]) => {
    const next = Math.floor(entry.contentRect.width);
    if (next !== width) {
      width = next;
      onResize();
    }
  }).observe(el);

  function exportAs(format) {
    if (!last) return;
    const shapes = [...last.shapes, ...labelShapes(last.labels)];
    if (format === "svg") {
      download(new Blob([svgDocument(shapes, last.width, last.height)], { type: "image/svg+xml" }), `${name}.svg`);
      return;
    }
    const image = document.createElement("canvas");
    const context = fitCanvas(image, last.width, last.height, 2);
    context.fillStyle = "#ffffff";
    context.fillRect(0, 0, last.width, last.height);
    paint(context, shapes);
    image.toBlob((blob) => blob && download(blob, `${name}.png`), "image/png");
  }

  const buttons = [];
  function titleButtons() {
    for (const button of buttons) {
      const title = button.dataset.export === "png" ? strings.files.png : strings.files.svg;
      if (button.title !== title) {
        button.title = title;
        button.setAttribute("aria-label", title);
      }
    }
  }
  if (toolbar) {
    for (const format of ["png", "svg"]) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "export-button";
      button.dataset.export = format;
      button.textContent = format.toUpperCase();
      button.addEventListener("click", () => exportAs(format));
      toolbar.append(button);
      buttons.push(button);
    }
  }

  // A base layer, kept once per `key` on a canvas of its own, under shapes that change more often
  // (the belt over time's step marker): a step repaints a bitmap and a few shapes. A new base is
  // painted straight onto the view (on a software canvas, copying a freshly painted bitmap costs
  // as much as painting it again); its own canvas is painted when a second draw reuses it.
  const base = { canvas: document.createElement("canvas"), key: null, shapes: [], painted: false };

  return {
    canvas,
    layer,
    width: () => width,
    // Draws `baseShapes` (painted again only when `key` changes) with `shapes` over them.
    drawOver(key, baseShapes, shapes, labels, height) {
      const ratio = window.devicePixelRatio || 1;
      const fresh = `${key}|${width}|${height}|${ratio}`;
      const context = fitCanvas(canvas, width, height);
      if (base.key !== fresh) {
        base.shapes = baseShapes();
        base.key = fresh;
        base.painted = false;
        paint(context, base.shapes);
      } else {
        if (!base.painted) paint(fitCanvas(base.canvas, width, height, ratio), base.shapes);
        base.painted = true;
        context.drawImage(base.canvas, 0, 0, width, height);
      }
      paint(context, shapes);
      placeLabels(layer, labels, memo);
      stage.style.height = `${height}px`;
      last = { shapes: [...base.shapes, ...shapes], labels, width, height };
      titleButtons();
    },
    // Draws the shapes on a canvas `height` px tall and lays the labels over it.
    draw(shapes, labels, height) {
      const context = fitCanvas(canvas, width, height);
      paint(context, shapes);
      placeLabels(layer, labels, memo);
      stage.style.height = `${height}px`;
      last = { shapes, labels, width, height };
      titleButtons();
    },
    // Only the canvas (an animation frame: the labels stay as they are).
    repaint(shapes) {
      const context = fitCanvas(canvas, width, last ? last.height : 0);
      paint(context, shapes);
      if (last) last = { ...last, shapes };
    },
    exportAs,
  };
}
