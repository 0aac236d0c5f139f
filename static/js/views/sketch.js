// The canvas views' drawing: a view's render() returns plain shapes, and this module puts them on
// a canvas (every move), into an SVG document or onto a PNG (the view's exports). One list of
// shapes, three targets, so what is exported is what is on screen.
//
// Shapes, in CSS pixels:
//   {kind: "rect", x, y, w, h, fill, stroke, width, dash, alpha}
//   {kind: "line", points: [[x, y], …], stroke, width, dash, alpha}
//   {kind: "poly", points, fill, stroke, width, alpha}            (closed)
//   (a long line or poly may give `xy`: [x0, y0, x1, y1, …] instead of `points`, no array per point)
//   {kind: "circle", x, y, r, fill, stroke, width, alpha}
//   {kind: "text", x, y, text, size, color, align, baseline, weight}  (text: markup, see runs())
// Labels — the numbers, which tests and screen readers read — are not shapes: a view lays them
// over the canvas as HTML (placeLabels) and they join the shapes only in an export (labelShapes).

import { FONT } from "./common.js";

export const LABEL_SIZE = 12;

// A label's text as runs of plain text: {text, sub, bold}. Catalogue strings carry <sub> and <b>.
export function runs(markup) {
  const out = [];
  const pattern = /<(\/?)(\w+)[^>]*>/g; // <sub>, <b>; any other tag (a coloured <span>) is dropped
  let sub = false;
  let bold = false;
  let at = 0;
  for (const match of markup.matchAll(pattern)) {
    if (match.index > at) out.push({ text: markup.slice(at, match.index), sub, bold });
    const open = match[1] === "";
    if (match[2] === "sub") sub = open;
    if (match[2] === "b") bold = open;
    at = match.index + match[0].length;
  }
  if (at < markup.length) out.push({ text: markup.slice(at), sub, bold });
  return out.map((run) => ({ ...run, text: decode(run.text) }));
}

function decode(text) {
  // every entity tokens.js escapeHtml writes, &amp; last (so "&amp;#34;" stays "&#34;")
  return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&#34;/g, '"').replace(/&amp;/g, "&");
}

function font(size, bold) {
  return `${bold ? "600 " : ""}${size}px ${FONT.family}`;
}

// The width of a label's text in px, as a canvas draws it (subscripts smaller).
export function textWidth(context, markup, size = LABEL_SIZE) {
  let width = 0;
  for (const run of runs(markup)) {
    context.font = font(run.sub ? size * 0.72 : size, run.bold);
    width += context.measureText(run.text).width;
  }
  return width;
}

// A 2D context on `canvas` sized to width × height CSS px (device pixels underneath, so it stays
// sharp), cleared, with CSS px as its units.
export function fitCanvas(canvas, width, height, ratio = window.devicePixelRatio || 1) {
  const w = Math.max(1, Math.round(width * ratio));
  const h = Math.max(1, Math.round(height * ratio));
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const context = canvas.getContext("2d");
  context.setTransform(ratio, 0, 0, ratio, 0, 0);
  context.clearRect(0, 0, width, height);
  return context;
}

function stroke(context, shape) {
  if (!shape.stroke) return;
  context.strokeStyle = shape.stroke;
  context.lineWidth = shape.width || 1;
  context.setLineDash(shape.dash || []);
  context.stroke();
  context.setLineDash([]);
}

function drawText(context, shape) {
  const size = shape.size || LABEL_SIZE;
  const pieces = runs(shape.text);
  const total = pieces.reduce((sum, run) => {
    context.font = font(run.sub ? size * 0.72 : size, run.bold || shape.weight === "bold");
    return sum + context.measureText(run.text).width;
  }, 0);
  let x = shape.x - (shape.align === "center" ? total / 2 : shape.align === "right" ? total : 0);
  context.fillStyle = shape.color || FONT.color;
  context.textBaseline = shape.baseline || "alphabetic";
  context.textAlign = "left";
  for (const run of pieces) {
    context.font = font(run.sub ? size * 0.72 : size, run.bold || shape.weight === "bold");
    context.fillText(run.text, x, shape.y + (run.sub ? size * 0.25 : 0));
    x += context.measureText(run.text).width;
  }
}

function trace(context, shape, close) {
  context.beginPath();
  const { xy } = shape;
  if (xy) {
    context.moveTo(xy[0], xy[1]);
    for (let k = 2; k < xy.length; k += 2) context.lineTo(xy[k], xy[k + 1]);
  } else {
    shape.points.forEach(([x, y], k) => (k ? context.lineTo(x, y) : context.moveTo(x, y)));
  }
  if (close) context.closePath();
}

// Draws the shapes in order.
export function paint(context, shapes) {
  for (const shape of shapes) {
    context.globalAlpha = shape.alpha ?? 1;
    if (shape.kind === "rect") {
      if (shape.fill) {
        context.fillStyle = shape.fill;
        context.fillRect(shape.x, shape.y, shape.w, shape.h);
      }
      if (shape.stroke) {
        context.beginPath();
        context.rect(shape.x, shape.y, shape.w, shape.h);
        stroke(context, shape);
      }
    } else if (shape.kind === "line") {
      trace(context, shape, false);
      stroke(context, shape);
    } else if (shape.kind === "poly") {
      trace(context, shape, true);
      if (shape.fill) {
        context.fillStyle = shape.fill;
        context.fill();
      }
      stroke(context, shape);
    } else if (shape.kind === "circle") {
      context.beginPath();
      context.arc(shape.x, shape.y, shape.r, 0, 2 * Math.PI);
      if (shape.fill) {
        context.fillStyle = shape.fill;
        context.fill();
      }
      stroke(context, shape);
    } else if (shape.kind === "text") {
      drawText(context, shape);
    }
  }
  context.globalAlpha = 1;
}

// --- SVG ----------------------------------------------------------------------------------------

const escape = (text) => String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const n = (value) => Number(value.toFixed(2));

// `name`: what the shape draws (a class in the SVG, so one can pick, say, every c_t line).
function paintAttrs(shape, filled) {
  const attrs = shape.name ? [`class="${escape(shape.name)}"`] : [];
  attrs.push(`fill="${filled && shape.fill ? shape.fill : "none"}"`);
  if (shape.stroke) attrs.push(`stroke="${shape.stroke}" stroke-width="${shape.width || 1}"`);
  if (shape.dash) attrs.push(`stroke-dasharray="${shape.dash.join(" ")}"`);
  if ((shape.alpha ?? 1) !== 1) attrs.push(`opacity="${n(shape.alpha)}"`);
  return attrs.join(" ");
}

const ANCHOR = { left: "start", center: "middle", right: "end" };
const BASELINE = { top: "hanging", middle: "central", bottom: "text-after-edge", alphabetic: "auto" };

function svgShape(shape) {
  const points = ({ points: list, xy }) => (xy
    ? Array.from({ length: xy.length / 2 }, (_, k) => `${n(xy[2 * k])},${n(xy[2 * k + 1])}`)
    : list.map(([x, y]) => `${n(x)},${n(y)}`)).join(" ");
  if (shape.kind === "rect") {
    return `<rect x="${n(shape.x)}" y="${n(shape.y)}" width="${n(shape.w)}" height="${n(shape.h)}" ${paintAttrs(shape, true)}/>`;
  }
  if (shape.kind === "line") return `<polyline points="${points(shape)}" ${paintAttrs(shape, false)}/>`;
  if (shape.kind === "poly") return `<polygon points="${points(shape)}" ${paintAttrs(shape, true)}/>`;
  if (shape.kind === "circle") return `<circle cx="${n(shape.x)}" cy="${n(shape.y)}" r="${n(shape.r)}" ${paintAttrs(shape, true)}/>`;
  const size = shape.size || LABEL_SIZE;
  const spans = runs(shape.text).map((run) => {
    const style = [run.sub ? `font-size="${n(size * 0.72)}" dy="${n(size * 0.25)}"` : "",
      run.bold || shape.weight === "bold" ? 'font-weight="600"' : ""].join(" ");
    const back = run.sub ? `<tspan dy="${n(-size * 0.25)}"></tspan>` : "";
    return `<tspan ${style}>${escape(run.text)}</tspan>${back}`;
  }).join("");
  return `<text x="${n(shape.x)}" y="${n(shape.y)}" font-size="${size}" fill="${shape.color || FONT.color}" ` +
    `text-anchor="${ANCHOR[shape.align || "left"]}" dominant-baseline="${BASELINE[shape.baseline || "alphabetic"]}">${spans}</text>`;
}

// The shapes as a standalone SVG document (text in the page's font stack).
export function svgDocument(shapes, width, height) {
  const family = escape(FONT.family).replace(/"/g, "'");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${n(width)}" height="${n(height)}" ` +
    `viewBox="0 0 ${n(width)} ${n(height)}" font-family="${family}">` +
    `<rect width="100%" height="100%" fill="#ffffff"/>${shapes.map(svgShape).join("")}</svg>`;
}

// --- labels ---------------------------------------------------------------------------------------

// A label: {x, y, html, align ("left" | "center" | "right"), valign ("top" | "middle" | "bottom"),
// q, unit, dim} (a named number also carries {name, value, lines}). Exports draw it as text, a
// shape per line; on screen it is a span laid over the canvas.
export function labelShapes(labels) {
  return labels.flatMap((label) => {
    const size = label.size || LABEL_SIZE;
    const lines = label.html.split("<br>");
    return lines.map((line, n) => ({
      kind: "text", x: label.x, y: label.y + n * size * 1.25, text: line, size,
      color: label.dim ? "#666e7e" : FONT.color, align: label.align || "left", baseline: label.valign || "top",
    }));
  });
}

const SHIFT_X = { left: "0", center: "-50%", right: "-100%" };
const SHIFT_Y = { top: "0", middle: "-50%", bottom: "-100%" };

// A named number's span: its name (markup, rewritten only when it changes), a space or a line
// break, and its number as plain text, so a new step sets one text node instead of parsing HTML.
function writeNamed(span, slot, label) {
  if (!slot.parts) {
    const name = document.createElement("span");
    const value = document.createTextNode("");
    span.replaceChildren(name, document.createTextNode(" "), value);
    slot.parts = { name, value, nameHtml: null, lines: 1 };
    slot.html = null;
  }
  const { parts } = slot;
  if (parts.nameHtml !== label.name) {
    parts.name.innerHTML = label.name; // the project's own catalogue text
    parts.nameHtml = label.name;
  }
  if (parts.lines !== label.lines) {
    span.childNodes[1].replaceWith(label.lines === 2 ? document.createElement("br") : document.createTextNode(" "));
    parts.lines = label.lines;
  }
  if (parts.value.data !== label.value) parts.value.data = label.value;
}

// Keeps `layer`'s spans in step with the labels: one span per label, reused from pass to pass;
// only what changed is written (a span's text, place, classes and data-q/data-unit).
export function placeLabels(layer, labels, memo) {
  const spans = memo.spans || (memo.spans = []);
  while (spans.length < labels.length) {
    const span = document.createElement("span");
    span.className = "view-label";
    layer.append(span);
    spans.push({ el: span, html: null, key: null, parts: null });
  }
  labels.forEach((label, k) => {
    const slot = spans[k];
    const span = slot.el;
    span.hidden = false;
    if (label.value === undefined) {
      if (slot.html !== label.html) {
        span.innerHTML = label.html; // the project's own catalogue text
        slot.html = label.html;
        slot.parts = null;
      }
    } else {
      writeNamed(span, slot, label);
    }
    const key = `${label.x}|${label.y}|${label.align}|${label.valign}|${label.q}|${label.unit}|${label.dim}|${label.size}`;
    if (slot.key === key) return;
    slot.key = key;
    span.style.left = `${label.x}px`;
    span.style.top = `${label.y}px`;
    span.style.transform = `translate(${SHIFT_X[label.align || "left"]}, ${SHIFT_Y[label.valign || "top"]})`;
    span.style.fontSize = label.size ? `${label.size}px` : "";
    span.classList.toggle("dim", Boolean(label.dim));
    if (label.q) span.dataset.q = label.q;
    else delete span.dataset.q;
    if (label.unit !== undefined && label.unit !== null) span.dataset.unit = String(label.unit);
    else delete span.dataset.unit;
  });
  // Spans left over (a view that now has fewer labels, as a GRU's lane has) are hidden and name
  // nothing, so that no query for a quantity finds a stale one.
  for (let k = labels.length; k < spans.length; k += 1) {
    const slot = spans[k];
    slot.el.hidden = true;
    delete slot.el.dataset.q;
    delete slot.el.dataset.unit;
    slot.key = null;
  }
}
