// Field selectors as kube-apiserver reads the fieldSelector query parameter (apimachinery
// fields.ParseSelector): `a=b`, `a==b`, `a!=b`, ANDed by commas, with `\,` `\=` `\\` escapes.
import { SelectorParseError } from "./errors.js";

export type FieldOperator = "=" | "!=";

export interface FieldRequirement {
  readonly field: string;
  readonly op: FieldOperator;
  /** Unescaped. */
  readonly value: string;
}

export interface FieldSelector {
  /** The requirements, ANDed, in upstream's order (terms sorted as written). */
  readonly requirements: readonly FieldRequirement[];
  /** True when the selector does not restrict anything. */
  readonly empty: boolean;
  /** A field the object does not have reads as "", as upstream's Fields.Get. */
  matches(getField: (field: string) => string | undefined): boolean;
  /** The canonical form, values escaped, as upstream's Selector.String(). */
  toString(): string;
  /** The value an `=`/`==` term demands for `field`, if any. */
  requiresExactMatch(field: string): string | undefined;
}

/** fields.EscapeValue: makes any literal safe as a fieldSelector value. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** fields.UnescapeValue. */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = "";
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== "\\" && c !== "," && c !== "=") {
        throw new SelectorParseError(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
      continue;
    }
    if (c === "\\") inSlash = true;
    else if (c === "," || c === "=") {
      // Upstream formats the rune with %v, which prints its code point: '=' reads as 61.
      throw new SelectorParseError(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else out += c;
  }
  if (inSlash) throw new SelectorParseError("invalid field selector: invalid escape sequence: \\");
  return out;
}

/** Comma-separated terms; an escaped comma stays in its term, backslash included. */
function splitTerms(selector: string): string[] {
  if (selector.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === "\\") inSlash = true;
    else if (c === ",") {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

/** `!=` before `==` before `=`, at the first position any of them appears (no escaping on the left). */
const termOperators = ["!=", "==", "="] as const;

function splitTerm(term: string): { lhs: string; op: (typeof termOperators)[number]; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of termOperators) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

class Selector implements FieldSelector {
  readonly requirements: readonly FieldRequirement[];
  constructor(requirements: FieldRequirement[]) {
    this.requirements = Object.freeze(requirements);
  }
  get empty(): boolean {
    return this.requirements.length === 0;
  }
  matches(getField: (field: string) => string | undefined): boolean {
    return this.requirements.every((r) => ((getField(r.field) ?? "") === r.value) === (r.op === "="));
  }
  toString(): string {
    return this.requirements.map((r) => `${r.field}${r.op}${escapeFieldValue(r.value)}`).join(",");
  }
  requiresExactMatch(field: string): string | undefined {
    return this.requirements.find((r) => r.op === "=" && r.field === field)?.value;
  }
}

const byteOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * fields.ParseSelector. The empty string selects everything. Throws SelectorParseError with
 * upstream's message.
 */
export function parseFieldSelector(s: string): FieldSelector {
  const requirements: FieldRequirement[] = [];
  for (const part of splitTerms(s).sort(byteOrder)) {
    if (part === "") continue;
    const t = splitTerm(part);
    if (!t) throw new SelectorParseError(`invalid selector: '${s}'; can't understand '${part}'`);
    const value = unescapeFieldValue(t.rhs);
    // Upstream's (identity) Transform drops a term whose field and value are both empty: `=`.
    if (t.lhs === "" && value === "") continue;
    requirements.push(Object.freeze({ field: t.lhs, op: t.op === "!=" ? "!=" : "=", value }));
  }
  return new Selector(requirements);
}

/**
 * What the apiserver's field label conversion does for a kind: any field it does not serve is
 * a 400 `field label not supported: <field>`.
 */
export function checkSupportedFields(sel: FieldSelector, supported: readonly string[]): void {
  for (const r of sel.requirements) {
    if (!supported.includes(r.field)) throw new SelectorParseError(`field label not supported: ${r.field}`);
  }
}
