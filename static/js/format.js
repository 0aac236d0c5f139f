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
