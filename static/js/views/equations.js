// The equations of one unit at the current step, with the server's numbers substituted, as
// MathML: every gate, the belt's × and +, and h_t. Each number is an <mn data-q data-unit> that
// shows one trace value with num(·, 4); nothing here is computed, only laid out. During the
// walk-through the rows and terms of the current move carry the class "is-walk".

import { num } from "../format.js";
import { format, strings } from "../i18n/index.js";
import { PRE_PARTS, WALK_STEPS } from "../state.js";
import { modelOf } from "../models.js";
import { clampOf } from "./common.js";
import { m, math, mi, mn, mo, mrow, msub, mtext } from "./mathml.js";

const S = strings.equations;

// The four gates: PyTorch's names and the activation each goes through.
const GATES = [
  { q: "f", fn: "σ", moves: [1] },
  { q: "i", fn: "σ", moves: [2] },
  { q: "g", fn: "tanh", moves: [2] },
  { q: "o", fn: "σ", moves: [4] },
];

// A GRU's three gates (reset, update, candidate) and the moves of its walk-through: 1 reset (r
// shapes n), 2 keep (× z), 3 write (+ (1 − z)·n), 4 the new h, 5 pass on.
const GRU_GATES = [
  { q: "r", fn: "σ", moves: [1] },
  { q: "z", fn: "σ", moves: [2, 3] },
  { q: "n", fn: "tanh", moves: [1, 3] },
];

// The move of the walk-through that makes each term of the belt equations (in the update move
// the whole rows light up instead).
const TERM_MOVES = { kept: [1], added: [2] };
const GRU_TERM_MOVES = { kept: [2], added: [3] };

const sub = (base, s) => msub(mi(base), s);
const eq = () => mo("=");
const dot = () => mo("·");
const odot = () => mo("⊙");

// W_{ih-letter gate} x_t + W_{h gate} h_{t−1} + b_gate, as in PyTorch's documentation.
function preActivation(gate) {
  const W = (from) => msub(mi("W"), mrow(mi(from), mi(gate)));
  return mrow(W("i"), sub("x", "t"), mo("+"), W("h"), sub("h", "t−1"), mo("+"), sub("b", gate));
}

// A GRU's candidate as nn.GRU writes it: W_in x_t + b_in + r_t ⊙ (W_hn h_{t−1} + b_hn).
function candidatePreActivation() {
  const W = (from) => msub(mi("W"), mrow(mi(from), mi("n")));
  const b = (from) => msub(mi("b"), mrow(mi(from), mi("n")));
  return mrow(W("i"), sub("x", "t"), mo("+"), b("i"), mo("+"), sub("r", "t"), odot(),
    mo("(", { stretchy: "false" }), W("h"), sub("h", "t−1"), mo("+"), b("h"), mo(")", { stretchy: "false" }));
}

// f(…) with a stretch-free pair of parentheses (no math font is assumed).
function apply(fn, ...inner) {
  return mrow(mi(fn), mo("(", { stretchy: "false" }), ...inner, mo(")", { stretchy: "false" }));
}

export function createEquations(el, caption) {
  let unit = 0;
  let step = 0;
  let drawn = ""; // the step, unit, revision, walk and language last drawn

  // One number of the trace, tagged for tests and screen readers; negative factors in parentheses.
  function value(q, v, { paren = false } = {}) {
    const n = mn(num(v, 4), { "data-q": q, "data-unit": String(unit) });
    return paren && v < 0 ? mrow(mo("(", { stretchy: "false" }), n, mo(")", { stretchy: "false" })) : n;
  }

  function term(name, ...children) {
    const node = m("mrow", { "data-term": name }, ...children);
    return node;
  }

  // A catalogue string with "{value}" replaced by a number element.
  function withNumber(template, q, v) {
    const span = document.createElement("span");
    const [before, after = ""] = template.split("{value}");
    const number = document.createElement("span");
    number.className = "eq-number";
    number.dataset.q = q;
    number.dataset.unit = String(unit);
    number.textContent = num(v, 4);
    span.append(before, number, after);
    return span;
  }

  // One table row: [left side, symbolic right side, numbers substituted, result].
  function row(id, moves, cells) {
    const tr = document.createElement("tr");
    tr.dataset.eq = id;
    tr.dataset.moves = moves.join(" ");
    for (const content of cells) {
      const td = document.createElement("td");
      if (content) td.append(...(Array.isArray(content) ? content : [content]));
      tr.append(td);
    }
    return tr;
  }

  // The pre-activation's three parts as the server split it: from x_t, from h_{t−1}, the bias.
  function parts(q, v) {
    const [x, h, b] = ["x", "h", "b"].map((part) => `pre_${q}_${part}`);
    return [value(x, v[x]), mo("+"), value(h, v[h], { paren: true }), mo("+"), value(b, v[b], { paren: true })];
  }

  function gateRow(gate, v, clamp) {
    const { q, fn, moves } = gate;
    const z = [eq(), apply(fn, ...parts(q, v)), eq(), apply(fn, value(`pre_${q}`, v[`pre_${q}`]))];
    const symbolic = math(eq(), apply(fn, q === "n" ? candidatePreActivation() : preActivation(q)));
    const result = math(eq(), value(q, v[q]));
    if (clamp === null) return row(q, moves, [math(sub(q, "t")), symbolic, math(...z), result]);
    // Clamped: the pre-activation is still computed, but the gate is forced to a value.
    const unused = math(...z);
    unused.classList.add("eq-unused");
    unused.setAttribute("title", S.notUsed);
    const badge = withNumber(format(S.clampedTo, { value: "{value}" }), q, v[q]);
    badge.className = "eq-clamp";
    badge.title = S.clampedTitle;
    const tr = row(q, moves, [math(sub(q, "t")), symbolic, [unused, badge], result]);
    tr.classList.add("is-clamped");
    return tr;
  }

  function build(v, clamps) {
    const body = document.createElement("tbody");
    for (const gate of GATES) body.append(gateRow(gate, v, clamps[gate.q]));

    // c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t = numbers; = kept + added = numbers = c_t.
    const keptSym = term("kept", sub("f", "t"), odot(), sub("c", "t−1"));
    const addedSym = term("added", sub("i", "t"), odot(), sub("g", "t"));
    const keptNum = term("kept", value("f", v.f), dot(), value("c_prev", v.c_prev, { paren: true }));
    const addedNum = term("added", value("i", v.i), dot(), value("g", v.g, { paren: true }));
    body.append(row("c-terms", [3], [
      math(sub("c", "t")), math(eq(), keptSym, mo("+"), addedSym), math(eq(), keptNum, mo("+"), addedNum), null,
    ]));
    body.append(row("c", [3], [
      null,
      math(eq(), term("kept", mtext(S.kept)), mo("+"), term("added", mtext(S.added))),
      math(eq(), term("kept", value("kept", v.kept)), mo("+"), term("added", value("added", v.added, { paren: true }))),
      math(eq(), value("c", v.c)),
    ]));

    // h_t = o_t ⊙ tanh(c_t) = o · tanh(c) = o · tanh_c = h.
    body.append(row("h-terms", [4], [
      math(sub("h", "t")), math(eq(), sub("o", "t"), odot(), apply("tanh", sub("c", "t"))),
      math(eq(), value("o", v.o), dot(), apply("tanh", value("c", v.c))), null,
    ]));
    body.append(row("h", [4], [
      null, null, math(eq(), value("o", v.o), dot(), value("tanh_c", v.tanh_c, { paren: true })),
      math(eq(), value("h", v.h)),
    ]));

    // Pass on: (c_t, h_t) leave for step t+1.
    const pair = (a, b) => [mo("(", { stretchy: "false" }), a, mo(","), b, mo(")", { stretchy: "false" })];
    body.append(row("pass", [5], [
      math(...pair(sub("c", "t"), sub("h", "t"))),
      math(mo("→"), mtext(S.next)),
      math(eq(), ...pair(value("c", v.c), value("h", v.h))),
      null,
    ]));

    const table = document.createElement("table");
    table.className = "eq-table";
    table.append(body);
    return table;
  }

  // A GRU: its gates, then its belt, h itself: h_t = z_t ⊙ h_{t−1} + (1 − z_t) ⊙ n_t.
  function buildGru(v, clamps) {
    const body = document.createElement("tbody");
    for (const gate of GRU_GATES) body.append(gateRow(gate, v, clamps[gate.q]));
    const oneMinus = (z) => [mo("(", { stretchy: "false" }), mn("1"), mo("−"), z, mo(")", { stretchy: "false" })];
    const keptSym = term("kept", sub("z", "t"), odot(), sub("h", "t−1"));
    const addedSym = term("added", ...oneMinus(sub("z", "t")), odot(), sub("n", "t"));
    const keptNum = term("kept", value("z", v.z), dot(), value("h_prev", v.h_prev, { paren: true }));
    const addedNum = term("added", ...oneMinus(value("z", v.z)), dot(), value("n", v.n, { paren: true }));
    body.append(row("h-terms", [4], [
      math(sub("h", "t")), math(eq(), keptSym, mo("+"), addedSym), math(eq(), keptNum, mo("+"), addedNum), null,
    ]));
    body.append(row("h", [4], [
      null,
      math(eq(), term("kept", mtext(S.kept)), mo("+"), term("added", mtext(S.added))),
      math(eq(), term("kept", value("kept", v.kept)), mo("+"), term("added", value("added", v.added, { paren: true }))),
      math(eq(), value("h", v.h)),
    ]));
    body.append(row("pass", [5], [math(sub("h", "t")), math(mo("→"), mtext(S.next)), math(eq(), value("h", v.h)), null]));
    const table = document.createElement("table");
    table.className = "eq-table";
    table.append(body);
    return table;
  }

  // Marks the rows and terms of the current move.
  function highlight(walk, gru) {
    const terms = gru ? GRU_TERM_MOVES : TERM_MOVES;
    el.dataset.walk = walk ? WALK_STEPS[walk - 1] : "";
    for (const tr of el.querySelectorAll("tr[data-eq]")) {
      tr.classList.toggle("is-walk", Boolean(walk) && tr.dataset.moves.split(" ").includes(String(walk)));
    }
    for (const node of el.querySelectorAll("[data-term]")) {
      node.classList.toggle("is-walk", Boolean(walk) && terms[node.dataset.term].includes(walk));
    }
  }

  return {
    render(state) {
      if (state.dive !== "equations") return;
      const key = `${state.t}|${state.eqUnit}|${state.revision}|${state.walk}|${document.documentElement.lang}|` +
        `${state.sessions}`;
      if (key === drawn) return;
      drawn = key;
      const { trace, t, knobs, eqUnit } = state;
      unit = eqUnit;
      step = t;
      const gru = modelOf(state).belt === "h";
      const names = gru ? modelOf(state).units : ["pre_i", "pre_f", "pre_g", "pre_o", ...PRE_PARTS, "i", "f", "g", "o",
        "c_prev", "kept", "added", "c", "tanh_c", "h"];
      const v = Object.fromEntries(names.map((name) => [name, trace[name][t][unit]]));
      const gates = gru ? GRU_GATES : GATES;
      const clamps = Object.fromEntries(gates.map((gate) => [gate.q, clampOf(knobs, gate.q, unit)]));
      el.replaceChildren(gru ? buildGru(v, clamps) : build(v, clamps));
      el.dataset.unit = String(unit);
      el.dataset.step = String(step);
      caption.textContent = format(S.caption, { k: unit, t: step });
      highlight(state.walk, gru);
    },
  };
}
