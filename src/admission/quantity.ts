// resource.Quantity with exact arithmetic, as quota and LimitRange need it: values are kept in
// nano units (upstream's finest scale) as bigints, and printed in upstream's canonical form
// (`500m`, `1536Mi`, `2`, `1k`), keeping the format the value was written in.

export type QuantityFormat = "DecimalSI" | "BinarySI" | "DecimalExponent";

export interface Quantity {
  /** The value times 10^9, rounded up as upstream rounds precision finer than nano. */
  readonly nanos: bigint;
  readonly format: QuantityFormat;
}

const NANO = 1_000_000_000n;
const BINARY: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DECIMAL_SUFFIX = new Map(Object.entries(DECIMAL).map(([s, e]) => [e, s]));
const BINARY_SUFFIX = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

export const ZERO: Quantity = { nanos: 0n, format: "DecimalSI" };

export class QuantityError extends Error {}

/** Ceiling division for a positive divisor. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a > 0n ? q + 1n : q;
}

/** Upstream's ParseQuantity: `<number><suffix>`, the suffix binary SI, decimal SI or an exponent. */
export function parseQuantity(input: string | number): Quantity {
  const text = typeof input === "number" ? String(input) : input.trim();
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) throw new QuantityError("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  const [, sign, whole, frac = "", suffix] = m;
  let format: QuantityFormat;
  let exp10 = 0;
  let exp2 = 0;
  if (suffix in BINARY) {
    format = "BinarySI";
    exp2 = BINARY[suffix] * 10;
  } else if (suffix in DECIMAL) {
    format = "DecimalSI";
    exp10 = DECIMAL[suffix];
  } else if (/^[eE][+-]?[0-9]+$/.test(suffix)) {
    format = "DecimalExponent";
    exp10 = Number(suffix.slice(1));
  } else {
    throw new QuantityError("unable to parse quantity's suffix");
  }
  // value = digits / 10^frac.length * 10^exp10 * 2^exp2, in nanos: * 10^9.
  let num = BigInt((whole || "0") + frac) * (1n << BigInt(exp2));
  let den = 10n ** BigInt(frac.length);
  const scale = exp10 + 9;
  if (scale >= 0) num *= 10n ** BigInt(scale);
  else den *= 10n ** BigInt(-scale);
  const nanos = ceilDiv(num, den);
  return { nanos: sign === "-" ? -nanos : nanos, format };
}

/** A quantity that fails to parse counts as zero (validation refuses bad ones before admission runs). */
export function toQuantity(v: unknown): Quantity {
  if (typeof v !== "string" && typeof v !== "number") return ZERO;
  try {
    return parseQuantity(v);
  } catch {
    return ZERO;
  }
}

export const quantity = (nanos: bigint, format: QuantityFormat = "DecimalSI"): Quantity => ({ nanos, format });
/** An integer count (object count quotas). */
export const count = (n: number): Quantity => ({ nanos: BigInt(n) * NANO, format: "DecimalSI" });

/** Upstream's Quantity.Add: the receiver's format wins unless it is zero. */
export function add(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

export function sub(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos - b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

export function cmp(a: Quantity, b: Quantity): number {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

/** Upstream's Value(): the integer value, rounded up. */
export function value(q: Quantity): bigint {
  return q.nanos >= 0n ? ceilDiv(q.nanos, NANO) : -ceilDiv(-q.nanos, NANO);
}

/** Upstream's MilliValue(): the value in thousandths, rounded up. */
export function milliValue(q: Quantity): bigint {
  return q.nanos >= 0n ? ceilDiv(q.nanos, 1_000_000n) : -ceilDiv(-q.nanos, 1_000_000n);
}

/** Upstream's Quantity.String(): the canonical form. */
export function format(q: Quantity): string {
  if (q.nanos === 0n) return "0";
  const neg = q.nanos < 0n;
  const abs = neg ? -q.nanos : q.nanos;
  let fmt = q.format;
  if (fmt === "BinarySI" && (abs < 1024n * NANO || abs % NANO !== 0n)) fmt = "DecimalSI";
  let text: string;
  if (fmt === "BinarySI") {
    let v = abs / NANO;
    let k = 0;
    while (k < BINARY_SUFFIX.length - 1 && v % 1024n === 0n) {
      v /= 1024n;
      k++;
    }
    text = `${v}${BINARY_SUFFIX[k]}`;
  } else {
    let mantissa = abs;
    let exp = -9;
    while (mantissa % 10n === 0n) {
      mantissa /= 10n;
      exp++;
    }
    const r = ((exp % 3) + 3) % 3;
    mantissa *= 10n ** BigInt(r);
    exp -= r;
    let suffix: string;
    if (fmt === "DecimalExponent") suffix = exp === 0 ? "" : `e${exp}`;
    else suffix = DECIMAL_SUFFIX.get(exp) ?? `e${exp}`;
    text = `${mantissa}${suffix}`;
  }
  return neg ? `-${text}` : text;
}

/** A quantity written as upstream would store it: `1.5` → `1500m`, `0.5Gi` → `512Mi`. Invalid text is kept. */
export function canonical(v: string | number): string | number {
  try {
    return format(parseQuantity(v));
  } catch {
    return v;
  }
}
