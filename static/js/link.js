// The state's URL form: what a shared link (and a page that reconnects) carries.
//
// One table, PROPERTIES, declares every property once — its key in the link, how to check a
// value read from a link, its default, how to read it from the client state and where to apply
// it — and both directions are derived from it (as tensorflow/playground's state.ts does):
//   client state ─linkFields()─▶ {key: value, …} ─encodeLink()─▶ "#s=…"
//   "#s=…" ─readLink()─▶ {key: value, …} ─fromLink()─▶ {restore: message fields, view: page settings}
// A link holds only what differs from the default, as compact JSON {v: 1, …}, deflated
// (CompressionStream "deflate-raw") and base64url-encoded after "#s=" ("#j=": not deflated, for
// a browser without CompressionStream). It lives in the fragment, so it never reaches a server log.

import { browserLanguage, format, strings } from "./i18n/index.js";
import { LESSON_IDS } from "./lessons.js";
import { kindOf } from "./models.js";
import { DIVES, inputRows, inputsCut, inputsLinkable, WALK_STEPS } from "./state.js";
import { joinTokens, readsText, sequenceText } from "./tokens.js";

export const LINK_VERSION = 1;
export const DEFAULT_SCENARIO = "hold-and-release";
// Longer links are unwieldy to paste, and mail and chat programs cut them; a state that needs
// more (a large model or a long input sequence) is shared as a file instead.
export const MAX_LINK_CHARS = 65536;
// A link inflating to more than this is refused (a small link may unpack to a huge one).
const MAX_UNPACKED_BYTES = 16 * 1024 * 1024;
const GATES = ["i", "f", "g", "o", "r", "z", "n"]; // an LSTM's and a GRU's
const SPEED_RANGE = [0.25, 4];
const KNOB_DEFAULTS = { bias_i: 0, bias_f: 0, bias_g: 0, bias_o: 0, weight_scale: 1, rnn_scale: 1, target: "sum" };

// A problem with a link. `say()` puts it in words in the page's current language (a language
// switch while it is shown says it again); `message` holds the words of the moment it was found.
export class LinkProblem extends Error {
  constructor(say) {
    super(say());
    this.say = say;
  }
}

function problem(name, values = {}) {
  return new LinkProblem(() => format(strings.link[name], values));
}

// --- numbers -----------------------------------------------------------------------------------

// The socket sends states and inputs as float32, so a slider's 0.37 comes back as
// 0.3700000047683716. For a float32 value this is the shortest decimal naming the same float32
// (0.37), which keeps links short and a user's own numbers as typed; other values stay as they are.
export function compact(value) {
  if (Math.fround(value) !== value) return value;
  for (let digits = 1; digits <= 9; digits += 1) {
    const shorter = Number(value.toPrecision(digits));
    if (Math.fround(shorter) === value) return shorter;
  }
  return value;
}

// Equal as the link sees it: numbers equal to float32 precision (what the socket carries), lists
// and objects equal member by member.
export function same(a, b) {
  if (typeof a === "number" && typeof b === "number") return Math.fround(a) === Math.fround(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, k) => same(v, b[k]));
  }
  if (a && b && typeof a === "object" && typeof b === "object") {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
  }
  return a === b;
}

// --- bytes ---------------------------------------------------------------------------------------

export function toBase64Url(bytes) {
  let binary = "";
  for (let k = 0; k < bytes.length; k += 0x8000) binary += String.fromCharCode(...bytes.subarray(k, k + 0x8000));
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// Padding ("=") may be left off or kept; anything else outside the alphabet is refused.
export function fromBase64Url(padded) {
  const text = typeof padded === "string" ? padded.replace(/={1,2}$/, "") : "";
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw problem("base64");
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

// A deflate-raw stream, or null where the browser has none.
function compressor(kind) {
  const Stream = kind === "compress" ? globalThis.CompressionStream : globalThis.DecompressionStream;
  if (typeof Stream !== "function") return null;
  try {
    return new Stream("deflate-raw");
  } catch {
    return null; // an older browser: "gzip" and "deflate" only
  }
}

async function deflate(bytes) {
  const stream = compressor("compress");
  if (!stream) return null;
  return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(stream)).arrayBuffer());
}

// Inflates, reading no more than MAX_UNPACKED_BYTES. (pipeThrough marks its own promise handled,
// and every read is awaited here, so damaged data never surfaces as an unhandled rejection.)
async function inflate(bytes) {
  const stream = compressor("decompress");
  if (!stream) throw problem("noInflate");
  const reader = new Blob([bytes]).stream().pipeThrough(stream).getReader();
  const chunks = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > MAX_UNPACKED_BYTES) {
        reader.cancel().catch(() => {});
        throw problem("tooBig", { limit: MAX_UNPACKED_BYTES });
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof LinkProblem) throw err;
    throw problem("inflate");
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

// --- custom weights: PyTorch layout, packed as little-endian floats --------------------------------

// weight_ih (4H, D), weight_hh (4H, H), bias_ih (4H), bias_hh (4H), row-major, one after the other:
// float32 when every value is one (weights saved from float32 models are), else float64. Exact
// either way, and about half the characters of the numbers written out. A GRU's (3H rows r, z, n)
// also says so: {gru: true, reset_after}.
export function packWeights(weights, gru = null) {
  const H = weights.bias_ih.length / (gru ? 3 : 4);
  const D = weights.weight_ih[0].length;
  const values = [...weights.weight_ih.flat(), ...weights.weight_hh.flat(), ...weights.bias_ih, ...weights.bias_hh];
  const single = values.every((v) => Math.fround(v) === v);
  const size = single ? 4 : 8;
  const view = new DataView(new ArrayBuffer(values.length * size));
  values.forEach((v, k) => (single ? view.setFloat32(k * 4, v, true) : view.setFloat64(k * 8, v, true)));
  const kind = gru ? { gru: true, reset_after: gru.reset_after } : {};
  return { H, D, ...kind, [single ? "f32" : "f64"]: toBase64Url(new Uint8Array(view.buffer)) };
}

export function parameterCount(H, D, blocks = 4) {
  return blocks * H * (D + H + 2);
}

// The weights a packed value holds, or null when it does not hold G·H·(D+H+2) finite numbers
// (G = 4 gate blocks for an LSTM, 3 for a GRU).
export function unpackWeights(packed) {
  const { H, D } = packed;
  const G = packed.gru ? 3 : 4;
  const size = Object.hasOwn(packed, "f32") ? 4 : 8;
  let bytes;
  try {
    bytes = fromBase64Url(size === 4 ? packed.f32 : packed.f64);
  } catch {
    return null;
  }
  if (bytes.length !== parameterCount(H, D, G) * size) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let k = 0;
  const next = () => {
    const v = size === 4 ? view.getFloat32(k * 4, true) : view.getFloat64(k * 8, true);
    k += 1;
    return v;
  };
  const vector = (n) => Array.from({ length: n }, next);
  const rows = (n, width) => Array.from({ length: n }, () => vector(width));
  const weights = { weight_ih: rows(G * H, D), weight_hh: rows(G * H, H), bias_ih: vector(G * H), bias_hh: vector(G * H) };
  const finite = Object.values(weights).flat(2).every(Number.isFinite);
  return finite ? weights : null;
}

// --- checks of values read from a link: null when fine, else the rule broken ----------------------
// (as a function that says it in the page's language)

const rule = (name, values = {}) => () => format(strings.link.rules[name], values);
const isNumber = (v) => typeof v === "number" && Number.isFinite(v);
const isWhole = (v, min, max = Infinity) => Number.isInteger(v) && v >= min && v <= max;

const count = (min) => (v) => (isWhole(v, min) ? null : rule("count", { min }));
const range = (min, max) => (v) => (isWhole(v, min, max) ? null : rule("range", { min, max }));
const orNull = (check) => (v) => (v === null ? null : check(v));
const number = (v) => (isNumber(v) ? null : rule("number"));
const text = (max) => (v) => (typeof v === "string" && v.length <= max ? null : rule("text", { max }));
const vector = (v) => (Array.isArray(v) && v.length > 0 && v.every(isNumber) ? null : rule("vector"));

function matrix(v) {
  const fine = Array.isArray(v) && v.length > 0 && Array.isArray(v[0]) && v[0].length > 0 &&
    v.every((row) => Array.isArray(row) && row.length === v[0].length && row.every(isNumber));
  return fine ? null : rule("matrix");
}

function speed(v) {
  const [min, max] = SPEED_RANGE;
  return isNumber(v) && v >= min && v <= max ? null : rule("speed", { min, max });
}

const key = (v) => (typeof v === "string" && /^[A-Za-z0-9_-]{32}$/.test(v) ? null : rule("key"));
const lang = (v) => (typeof v === "string" && /^[a-z]{2,3}$/.test(v) ? null : rule("lang"));
const target = (v) => (v === "sum" || isWhole(v, 0) ? null : rule("target"));
const flag = (v) => (typeof v === "boolean" ? null : rule("flag"));
const oneOf = (names) => (v) => (names.includes(v) ? null : rule("oneOf", { names: names.join(", ") }));

function clamps(v) {
  const fine = v && typeof v === "object" && !Array.isArray(v) && Object.entries(v).every(
    ([gate, row]) => GATES.includes(gate) && Array.isArray(row) && row.length > 0 &&
      row.every((value) => value === null || isNumber(value)),
  );
  return fine ? null : rule("clamps");
}

function weights(v) {
  const keys = v && typeof v === "object" && !Array.isArray(v) ? Object.keys(v).sort().join(",") : "";
  const lstm = keys === "D,H,f32" || keys === "D,H,f64";
  const gru = (keys === "D,H,f32,gru,reset_after" || keys === "D,H,f64,gru,reset_after") && v.gru === true &&
    typeof v.reset_after === "boolean";
  const fine = (lstm || gru) && isWhole(v.H, 1) && isWhole(v.D, 1) && unpackWeights(v) !== null;
  return fine ? null : rule("weights");
}

// --- the table ---------------------------------------------------------------------------------

// Reading context (linkContext in address.js): {state, custom, weights, preset, lang}, where
// `weights` are the custom model's (PyTorch layout) and `preset` is GET /api/scenarios/{name}
// ({x, h0, c0}) or null while unknown. `def(c)` is the value a link leaves out (undefined: no
// default, always written); in the link → state direction it is called with c = null and a
// property left out of the link is applied with that default, so every link is a whole state.
// `kind`: "restore" fields go to the server in one restore message; "view" settings are the
// page's own and are applied once that restore is answered.
const knob = (key, check) => ({
  key, kind: "restore", check,
  def: () => KNOB_DEFAULTS[key],
  read: (c) => c.state.knobs[key],
  apply: (v, out) => { out.restore.knobs[key] = v; },
});
// An LSTM's gate bias (a GRU has none of these: a GRU link leaves them out).
const lstmKnob = (key) => ({
  ...knob(key, number),
  apply: (v, out, fields) => { if (fields.model !== "gru") out.restore.knobs[key] = v; },
});
// A GRU's gate bias: written by a GRU link only (no default, so an LSTM link never has one).
const gruKnob = (key) => ({ ...knob(key, number), def: () => undefined });

const initial = (key) => ({
  key, kind: "restore", check: vector,
  def: (c) => (!c ? undefined : c.preset ? c.preset[key] : c.custom ? Array.from(c.state[key], () => 0) : undefined),
  read: (c) => (c.state[key] ? Array.from(c.state[key], compact) : undefined), // a GRU has no c0
  apply: (v, out) => { out.restore[key] = v; },
});

export const PROPERTIES = [
  { key: "scenario", kind: "restore", check: text(64),
    def: () => DEFAULT_SCENARIO,
    read: (c) => (c.custom ? undefined : c.state.scenario.name),
    apply: (v, out, fields) => {
      if (!Object.hasOwn(fields, "weights") && !Object.hasOwn(fields, "open")) out.restore.scenario = v;
    } },
  // The key of a model POST /api/open keeps (an upload too large for a link, a stack, a model that
  // reads text, or a notebook's): the link stands for it while the server keeps it.
  { key: "open", kind: "restore", check: key,
    def: () => undefined, read: (c) => c.opened || undefined,
    apply: (v, out) => { out.restore.open = v; } },
  // A stack's direction on show.
  { key: "layer", kind: "restore", check: count(0),
    def: () => undefined, read: (c) => (c.state.stack ? c.state.stack.shown.layer : undefined),
    apply: (v, out) => { out.restore.layer = v; } },
  { key: "reverse", kind: "restore", check: flag,
    def: () => undefined, read: (c) => (c.state.stack && c.state.stack.shown.reverse ? true : undefined),
    apply: (v, out) => { out.restore.reverse = v; } },
  // "gru": the scenario's GRU version (docs/protocol.md, A GRU session); a kept model is of its kind.
  { key: "model", kind: "restore", check: oneOf(["lstm", "gru"]),
    def: () => "lstm", read: (c) => (c.opened ? undefined : kindOf(c.state.model)),
    apply: (v, out) => { if (v === "gru") out.restore.model = v; } },
  { key: "weights", kind: "restore", check: weights,
    def: () => undefined,
    // Someone's own layer: an LSTM's, or a GRU's (which says where its reset gate acts).
    read: (c) => (c.custom && c.weights && !c.opened
      ? packWeights(c.weights, kindOf(c.state.model) === "gru" ? { reset_after: c.state.model.reset_after } : null)
      : undefined),
    apply: (v, out) => {
      out.restore.weights = unpackWeights(v);
      if (v.gru) Object.assign(out.restore, { model: "gru", reset_after: v.reset_after });
    } },
  { key: "title", kind: "restore", check: text(80),
    def: () => undefined,
    read: (c) => (c.custom ? c.state.scenario.title : undefined),
    apply: (v, out) => { out.restore.title = v; } },
  // The inputs the user sets (a stack's layer 0's); for a model that reads text, the text itself
  // while every step reads its token (a slider that moved one makes them numbers again).
  { key: "x", kind: "restore", check: matrix,
    def: (c) => (c && c.preset ? c.preset.x : undefined),
    read: (c) => (sequenceText(c.state) !== null || inputsCut(c.state) || inputsLinkable(c.state)
      ? undefined : inputRows(c.state).map((values) => values.map(compact))),
    apply: (v, out) => { out.restore.x = v; } },
  { key: "text", kind: "restore", check: text(MAX_LINK_CHARS),
    def: (c) => (c && c.preset && readsText(c.state) ? joinTokens(c.preset.tokens, c.state.model.text.by) ?? undefined : undefined),
    read: (c) => sequenceText(c.state) ?? undefined,
    apply: (v, out) => { out.restore.input_text = v; } },
  initial("h0"),
  initial("c0"),
  lstmKnob("bias_i"),
  lstmKnob("bias_f"),
  lstmKnob("bias_g"),
  lstmKnob("bias_o"),
  gruKnob("bias_r"),
  gruKnob("bias_z"),
  gruKnob("bias_n"),
  knob("weight_scale", number),
  knob("rnn_scale", number),
  knob("target", target),
  { key: "clamps", kind: "restore", check: clamps,
    def: () => ({}),
    read: (c) => Object.fromEntries(Object.entries(c.state.knobs.clamps || {})
      .filter(([, values]) => values.some((v) => v !== null))),
    apply: (v, out) => { if (Object.keys(v).length) out.restore.clamps = v; } },
  { key: "t", kind: "view", check: count(0),
    def: () => 0, read: (c) => c.state.t, apply: (v, out) => { out.view.t = v; } },
  { key: "walk", kind: "view", check: orNull(range(1, WALK_STEPS.length)),
    def: () => null, read: (c) => c.state.walk, apply: (v, out) => { out.view.walk = v; } },
  { key: "eq_unit", kind: "view", check: count(0),
    def: () => 0, read: (c) => c.state.eqUnit, apply: (v, out) => { out.view.eqUnit = v; } },
  { key: "unit", kind: "view", check: orNull(count(0)),
    def: () => null, read: (c) => c.state.unit, apply: (v, out) => { out.view.unit = v; } },
  { key: "speed", kind: "view", check: speed,
    def: () => 1, read: (c) => c.state.speed, apply: (v, out) => { out.view.speed = v; } },
  { key: "lang", kind: "view", check: lang,
    def: () => browserLanguage(), read: (c) => c.lang, apply: (v, out) => { out.view.lang = v; } },
  // Links made before the deep dives said whether the numbers table was open; they still open.
  { key: "table", kind: "view", check: flag,
    def: () => false, read: () => undefined, apply: (v, out) => { out.view.table = v; } },
  { key: "dive", kind: "view", check: oneOf(DIVES),
    def: () => DIVES[0], read: (c) => c.state.dive, apply: (v, out) => { out.view.dive = v; } },
  // The guided lesson followed (its progress is the page's own: a link opens it at its first task).
  { key: "lesson", kind: "view", check: orNull(oneOf(LESSON_IDS)),
    def: () => null, read: (c) => (c.state.lesson ? c.state.lesson.id : null),
    apply: (v, out) => { out.view.lesson = v; } },
];

const KEYS = new Set(["v", ...PROPERTIES.map((p) => p.key)]);

// --- client state → link -------------------------------------------------------------------------

// The link's fields for a reading context: every property that differs from its default (with
// `all`, every property the state has, defaults included: what a reconnect sends).
export function linkFields(c, { all = false } = {}) {
  const fields = {};
  for (const p of PROPERTIES) {
    const value = p.read(c);
    if (value === undefined) continue;
    const def = all ? undefined : p.def(c);
    if (def !== undefined && same(value, def)) continue;
    fields[p.key] = value;
  }
  return fields;
}

// "#s=…" (or "#j=…") for the fields; "" for a state that is all defaults.
export async function encodeLink(fields) {
  if (!Object.keys(fields).length) return "";
  const bytes = new TextEncoder().encode(JSON.stringify({ v: LINK_VERSION, ...fields }));
  const packed = await deflate(bytes);
  return packed ? `#s=${toBase64Url(packed)}` : `#j=${toBase64Url(bytes)}`;
}

// What makes a link long, for the note beside the share control: [{part, …numbers}], the
// weights and the inputs when either takes a quarter or more of the link's JSON.
export function largeParts(fields) {
  const total = JSON.stringify(fields).length;
  const big = (key) => Object.hasOwn(fields, key) && JSON.stringify(fields[key]).length >= total / 4;
  const large = big("weights") || big("x") ? big : (key) => Object.hasOwn(fields, key);
  const parts = [];
  if (large("weights")) {
    const { H, D, gru } = fields.weights;
    parts.push({ part: "weights", parameters: parameterCount(H, D, gru ? 3 : 4) });
  }
  if (large("x")) parts.push({ part: "x", T: fields.x.length, D: fields.x[0].length });
  return parts;
}

// --- link → state ----------------------------------------------------------------------------------

// Whether a URL fragment is a link of ours ("#s=" or "#j="); any other fragment is an anchor.
export function isLink(hash) {
  return /^#[sj]=/.test(hash);
}

// The checked fields of a link; throws LinkProblem saying what is wrong.
export async function readLink(hash) {
  const deflated = hash.startsWith("#s=");
  const raw = fromBase64Url(hash.slice(3));
  const bytes = deflated ? await inflate(raw) : raw;
  let json;
  try {
    json = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw problem("utf8");
  }
  let data;
  try {
    data = JSON.parse(json);
  } catch {
    throw problem("json");
  }
  if (!data || typeof data !== "object" || Array.isArray(data)) throw problem("object");
  if (data.v !== LINK_VERSION) throw problem("version", { v: JSON.stringify(data.v) ?? "none" });
  const unknown = Object.keys(data).filter((key) => !KEYS.has(key));
  if (unknown.length) throw problem("unknown", { keys: unknown.join(", ") });
  for (const p of PROPERTIES) {
    if (!Object.hasOwn(data, p.key)) continue;
    const broken = p.check(data[p.key]);
    if (broken) throw new LinkProblem(() => format(strings.link.rule, { key: p.key, rule: broken() }));
  }
  const models = ["weights", "scenario", "open"].filter((name) => Object.hasOwn(data, name));
  if (models.length > 1) throw problem("both");
  const { v, ...fields } = data;
  return fields;
}

// The restore message's fields and the page's view settings a link's fields stand for; a
// property the link leaves out takes its default.
export function fromLink(fields) {
  const out = { restore: { knobs: {} }, view: {} };
  for (const p of PROPERTIES) {
    const value = Object.hasOwn(fields, p.key) ? fields[p.key] : p.def(null);
    if (value !== undefined) p.apply(value, out, fields);
  }
  return out;
}
