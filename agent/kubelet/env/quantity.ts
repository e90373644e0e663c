// Exact resource.Quantity arithmetic for the downward API: "100m", "1.5Gi", "2e3" as a
// fraction of big integers, so MilliValue and Value round up as upstream's do (0.1 * 1000 in
// floating point is not 100).

/** num / den, den > 0. */
export interface Fraction {
  num: bigint;
  den: bigint;
}

const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** A Quantity as an exact fraction; undefined when it does not parse. */
export function parseQuantityExact(q: string | number | undefined): Fraction | undefined {
  if (q === undefined) return undefined;
  const text = typeof q === "number" ? numberText(q) : q.trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:([eE][+-]?\d+)|([a-zA-Z]*))$/.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return undefined;
  const [, sign, whole, frac = "", exp, suffix = ""] = m;
  let num = BigInt((whole || "0") + frac);
  let den = 10n ** BigInt(frac.length);
  let pow10 = 0;
  if (exp) pow10 = Number(exp.slice(1));
  else if (suffix in BINARY) num *= 2n ** BigInt(BINARY[suffix]);
  else if (suffix in DECIMAL) pow10 = DECIMAL[suffix];
  else return undefined;
  if (pow10 >= 0) num *= 10n ** BigInt(pow10);
  else den *= 10n ** BigInt(-pow10);
  if (sign === "-") num = -num;
  return { num, den };
}

function numberText(n: number): string {
  // Plain decimal notation for what JSON carries as a number (1e21 and up keep their exponent).
  return Number.isInteger(n) && Math.abs(n) < 1e21 ? BigInt(n).toString() : String(n);
}

/** Ceiling of a / b for b > 0. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a > 0n === b > 0n ? q + 1n : q;
}

/** Quantity.MilliValue: thousandths, rounded up. */
export function milliValue(f: Fraction): bigint {
  return ceilDiv(f.num * 1000n, f.den);
}

/** Quantity.Value: the integer value, rounded up. */
export function value(f: Fraction): bigint {
  return ceilDiv(f.num, f.den);
}

export function isZero(f: Fraction | undefined): boolean {
  return !f || f.num === 0n;
}
