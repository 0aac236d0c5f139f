// The tokens of a model that reads text (docs/protocol.md, "A session that reads text"): which
// token each step read, written so that a space, a line break or a tab can be seen on an axis.
// Nothing here computes a number; the tokens and their top 5 are the server's.

// How a token that is only white space looks where it must be seen (an axis, a label, a chip).
const VISIBLE = { " ": "␣", "\n": "↵", "\t": "⇥", "\r": "␍" };

// Whether the session's model reads text (its snapshot said `model.text`).
export function readsText(s) {
  return Boolean(s.model && s.model.text && Array.isArray(s.tokens));
}

// The token step t read, or null (not a text model, or x_t is no longer a token's embedding row).
export function tokenAt(s, t) {
  if (!readsText(s) || t < 0 || t >= s.tokens.length) return null;
  return s.tokens[t];
}

// A token as it is drawn on an axis or a chip: white space made visible; "·" when the step read
// no token (its input was moved off the embedding row).
export function shown(token) {
  if (token === null || token === undefined) return "·";
  return [...token].map((ch) => VISIBLE[ch] ?? ch).join("");
}

// A step's label on a time axis: "88" for a model of numbers, "88 (" for one that reads text. As
// markup (a token "<" written &lt;): canvas labels, Plotly and tooltips all read it so.
export function stepLabel(s, t) {
  return readsText(s) ? `${t} ${escapeHtml(shown(tokenAt(s, t)))}` : String(t);
}

// The text the steps read, for the text box: the tokens joined ("characters") or spaced
// ("words"); null if a step read no token (the box then cannot say what the sequence is).
export function sequenceText(s) {
  if (!readsText(s)) return null;
  return joinTokens(s.tokens, s.model.text.by);
}

// The text a model reading `by` "characters" or "words" reads as these tokens; null if a step
// reads no token.
export function joinTokens(tokens, by) {
  if (!tokens || tokens.some((token) => token === null)) return null;
  return tokens.join(by === "words" ? " " : "");
}

// The five likeliest next tokens after step t, likeliest first: [{token, p}], or [] without a
// decoder.
export function nextTokens(s, t) {
  if (!s.top || !Array.isArray(s.top.tokens) || !s.top.tokens[t]) return [];
  return s.top.tokens[t].map((token, n) => ({ token, p: s.top.p[t][n] }));
}

// Plotly's ticks for a time axis of T steps when the model reads text: a tick every `every` steps
// labelled with its step and token ({} for a model of numbers: Plotly's own ticks).
export function tokenTicks(s, T, every) {
  if (!readsText(s)) return {};
  const tickvals = [];
  for (let t = 0; t < T; t += every) tickvals.push(t);
  return { tickmode: "array", tickvals, ticktext: tickvals.map((t) => `${t}<br>${escapeHtml(shown(tokenAt(s, t)))}`) };
}

// Text as it goes into markup (innerHTML, a canvas label, a Plotly label): a token "<" stays "<".
// A quote as a numeric entity: Plotly decodes those, not "&quot;" (an axis showed "&quot;").
export function escapeHtml(text) {
  return text.replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;" })[ch]);
}
