// A few builders for MathML Core elements (rendered natively by Chromium, Firefox and Safari).
// Built with DOM APIs, never from strings, so nothing here needs innerHTML.

const NS = "http://www.w3.org/1998/Math/MathML";

// <tag attrs…>children…</tag>; a string child becomes a text node. Attributes named data-*
// or class land on the element as given.
export function m(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return el;
}

export const mi = (text, attrs = {}) => m("mi", attrs, text);
export const mn = (text, attrs = {}) => m("mn", attrs, text);
export const mo = (text, attrs = {}) => m("mo", attrs, text);
export const mtext = (text, attrs = {}) => m("mtext", attrs, text);
export const mrow = (...children) => m("mrow", {}, ...children);

// base with a subscript: msub(mi("c"), "t−1") writes c_{t−1}; a string subscript is upright
// when it holds more than one character (t−1), as in print.
export function msub(base, sub) {
  const baseEl = typeof base === "string" ? mi(base) : base;
  const subEl = typeof sub === "string" ? (sub.length > 1 ? subscript(sub) : mi(sub)) : sub;
  return m("msub", {}, baseEl, subEl);
}

// "t−1" as <mrow><mi>t</mi><mo>−</mo><mn>1</mn></mrow>, so the minus is spaced as an operator.
function subscript(text) {
  const parts = text.split(/([−+])/).filter(Boolean);
  return mrow(parts.map((p) => (p === "−" || p === "+" ? mo(p) : /^\d+$/.test(p) ? mn(p) : mi(p))));
}

// A whole <math> element (inline; the equations table lays rows out).
export function math(...children) {
  return m("math", {}, ...children);
}
