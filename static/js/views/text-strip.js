// The text a model read, each token on the colour of one unit's belt value at its step (the
// classic picture of a character model's cells: Karpathy, Johnson & Fei-Fei 2015; LSTMVis), the
// current step outlined, and under it the five likeliest next tokens after the current step.
// Shown only for a model that reads text. A click on a token goes to its step.
//
// The unit is the one in focus (the equations' unit: a click on a belt lane picks it), so the
// strip and the belt always speak of the same unit. What it draws is kept on the element
// (el.drawn: the unit, the quantity, the tokens and values), for tests to compare with the server.

import { diverging, needsLightText } from "../colors.js";
import { num } from "../format.js";
import { format, strings } from "../i18n/index.js";
import { modelOf } from "../models.js";
import { escapeHtml, nextTokens, readsText, shown } from "../tokens.js";

const S = strings.text;

function column(rows, k) {
  return rows.map((row) => row[k]);
}

// A token as the strip writes it: white space keeps its shape (a line break breaks the line) and
// is also marked, so a space or a line end that carries a value can be seen and clicked.
function spanText(token) {
  return token === null ? "·" : token === "\n" ? "↵\n" : token.replace(/ /g, "\u00a0");
}

// A token's span coloured by its value, with the value in its tip. Its text is written only when
// the token changed: a new text lays the strip out again, a new colour only repaints it.
function paintSpan(span, t, token, value, { limit, belt, unit }) {
  const colour = diverging(value, limit);
  span.style.background = colour;
  span.classList.toggle("tok-light", needsLightText(colour));
  const text = spanText(token);
  if (span.textContent !== text) span.textContent = text;
  span.title = format(S.tokenTip, { t, token: shown(token), q: belt, k: unit, value: num(value, 4) });
}

// The colour scale's end: the largest |value| rounded up to two significant digits, which the
// heading shows exactly, so a move that changes the largest value a little keeps the scale (and
// every other token's colour) as it was.
function scaleLimit(values) {
  const most = Math.max(1e-9, ...values.filter(Number.isFinite).map(Math.abs));
  const unit = 10 ** (Math.floor(Math.log10(most)) - 1);
  return Math.ceil(most / unit - 1e-9) * unit;
}

// Decimals that write a two-significant-digit limit exactly (at least two).
function limitDecimals(limit) {
  return Math.max(2, 1 - Math.floor(Math.log10(limit)));
}

// One span per token.
function tokenSpans(doc, tokens, values, scale) {
  const fragment = doc.createDocumentFragment();
  tokens.forEach((token, t) => {
    const span = doc.createElement("span");
    span.className = "tok";
    span.dataset.t = String(t);
    paintSpan(span, t, token, values[t], scale);
    fragment.append(span);
  });
  return fragment;
}

// The spans of what was drawn (`before`: {tokens, values, limit}) repainted where the token, its
// value or the colour scale changed: a frame of a rerun in parts changes a few rows of a long text,
// and rebuilding 1,000 spans (and the layout they force) took most of the time to draw it.
function repaint(spans, before, tokens, values, scale) {
  const every = scale.limit !== before.limit;
  tokens.forEach((token, t) => {
    if (every || token !== before.tokens[t] || !Object.is(values[t], before.values[t])) {
      paintSpan(spans[t], t, token, values[t], scale);
    }
  });
}

function nextHtml(state) {
  const next = nextTokens(state, state.t);
  if (!next.length) return "";
  const chips = next.map(({ token, p }) =>
    `<span class="next-tok"><code>${escapeHtml(shown(token))}</code> ${num(100 * p, 1)}%</span>`).join(" ");
  return `${format(S.next, { t: state.t, token: escapeHtml(shown(state.tokens[state.t])) })} ${chips}`;
}

// The steps a selection of the strip's text covers, {start, stop}, or null (nothing selected).
function selectedSteps(body) {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || !body.contains(selection.anchorNode)) return null;
  const steps = [...body.querySelectorAll(".tok")].filter((span) => selection.containsNode(span, true))
    .map((span) => Number(span.dataset.t));
  return steps.length ? { start: Math.min(...steps), stop: Math.max(...steps) + 1 } : null;
}

// Options: section (the strip's <section>, hidden for a model of numbers), heading, body (the
// tokens), next (the top 5 line), onPick(step), onSelect(start, stop) (text selected: the unit
// finder's span).
export function createTextStrip({ section, heading, body, next, onPick, onSelect }) {
  let built = ""; // the revision and unit the spans were painted for
  let laidOut = ""; // what the spans were built for: the same count of tokens keeps them
  let current = null; // the span outlined
  let marked = ""; // the span of steps marked
  let told = ""; // the step whose next tokens are listed

  body.addEventListener("click", (event) => {
    const span = event.target.closest(".tok");
    if (span && !selectedSteps(body)) onPick(Number(span.dataset.t));
  });
  body.addEventListener("mouseup", () => {
    const steps = selectedSteps(body);
    if (steps) onSelect(steps.start, steps.stop);
  });

  return {
    render(state) {
      section.hidden = !readsText(state);
      if (section.hidden) return;
      const belt = modelOf(state).belt;
      const unit = state.eqUnit;
      const layout = `${state.sessions}|${unit}|${belt}|${document.documentElement.lang}|${state.tokens.length}`;
      const key = `${layout}|${state.revision}`;
      if (key !== built) {
        const values = column(state.trace[belt], unit);
        const scale = { limit: scaleLimit(values), belt, unit };
        if (layout === laidOut) {
          repaint(body.children, section.drawn, state.tokens, values, scale);
        } else {
          body.replaceChildren(tokenSpans(document, state.tokens, values, scale));
          laidOut = layout;
          current = null;
        }
        const decimals = limitDecimals(scale.limit);
        const words = format(belt === "h" ? S.headingGru : S.heading, { k: unit,
          lo: num(-scale.limit, decimals), hi: num(scale.limit, decimals) });
        if (heading.innerHTML !== words) heading.innerHTML = words;
        section.drawn = { unit, quantity: belt, tokens: state.tokens.slice(), values, limit: scale.limit };
        built = key;
      }
      const spanKey = `${laidOut}|${state.span && state.span.start}|${state.span && state.span.stop}`;
      if (spanKey !== marked) {
        const { start, stop } = state.span || { start: 0, stop: 0 };
        [...body.children].forEach((tok, t) => tok.classList.toggle("tok-span", t >= start && t < stop));
        marked = spanKey;
      }
      const span = body.children[state.t];
      if (span !== current) {
        if (current) current.classList.remove("tok-now");
        if (span) {
          span.classList.add("tok-now");
          keepInView(body, span);
        }
        current = span || null;
      }
      // A pass comes with every step of a playback: the line is rewritten only when it changes.
      if (`${built}|${state.t}` !== told) {
        next.innerHTML = nextHtml(state);
        next.hidden = next.innerHTML === "";
        told = `${built}|${state.t}`;
      }
    },
  };
}

// Scrolls the strip (not the page) so the current token is in sight (the strip is positioned, so
// a span's offsetTop is measured from it).
function keepInView(body, span) {
  const top = span.offsetTop;
  if (top < body.scrollTop || top + span.offsetHeight > body.scrollTop + body.clientHeight) {
    body.scrollTop = Math.max(0, top - body.clientHeight / 2);
  }
}
