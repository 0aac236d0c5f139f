// Number formatting for the page. Charts use a real minus sign (easier to read); the readout
// uses plain toFixed so its text is exactly what a test or a copy-paste gets.

const MINUS = "\u2212";

// A fixed-decimals string with a typographic minus, and no "-0.00".
export function num(value, digits = 2) {
  if (!Number.isFinite(value)) return "—";
  const text = value.toFixed(digits);
  if (/^-0\.?0*$/.test(text)) return text.slice(1);
  return text.startsWith("-") ? MINUS + text.slice(1) : text;
}

// Like num() but always with a sign, for what is added to or taken off the belt.
export function signed(value, digits = 2) {
  const text = num(value, digits);
  return text.startsWith(MINUS) || text === "—" ? text : `+${text}`;
}

// The readout's form: JavaScript's toFixed(4), unchanged.
export function fixed4(value) {
  return Number.isFinite(value) ? value.toFixed(4) : "NaN";
}

// A speed multiplier as "0.25×", "1×", "4×".
export function speed(multiplier) {
  return `${Number(multiplier.toFixed(2))}×`;
}

// A caption's number (app/i18n.py's number_text writes the same): the server rounds it to the
// digits shown, so this only lays it out: "0.61", "12", "3.4·10⁻⁴" below 0.01 and from 1000 up.
const SUPERSCRIPT = { 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹", "-": "⁻" };

export function captionNumber(value) {
  let text;
  if (value === 0 || (Math.abs(value) >= 0.01 && Math.abs(value) < 1000)) {
    text = String(value);
  } else {
    const [mantissa, exponent] = value.toExponential(1).split("e");
    const power = String(Number(exponent)).replace(/[-0-9]/g, (c) => SUPERSCRIPT[c]);
    text = `${mantissa.replace(/\.0$/, "")}·10${power}`;
  }
  return text.startsWith("-") ? MINUS + text.slice(1) : text;
}

// A list of units as runs: [0, 1, 2, 3, 75, 76] → "0–3, 75–76".
export function unitRuns(ids) {
  const runs = [];
  for (const k of ids) {
    const last = runs[runs.length - 1];
    if (last && k === last[1] + 1) last[1] = k;
    else runs.push([k, k]);
  }
  return runs.map(([a, b]) => (a === b ? String(a) : `${a}–${b}`)).join(", ");
}
