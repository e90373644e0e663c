// Label selectors exactly as kube-apiserver reads the labelSelector query parameter
// (apimachinery labels.Parse) and as controllers read metav1.LabelSelector objects
// (LabelSelectorAsSelector), so lists, watches and owners select what a real cluster selects.
import { SelectorParseError } from "./errors.js";
import { aggregateMessage, goQuote, invalidFieldMessage, isQualifiedName, isValidLabelValue } from "./validation.js";
import { Lexer, type ScannedItem, type Token } from "./lexer.js";

/** selection.Operator, spelled as upstream spells it. */
export type LabelOperator = "in" | "notin" | "=" | "==" | "!=" | "exists" | "!" | "gt" | "lt";

export interface LabelRequirement {
  readonly key: string;
  readonly operator: LabelOperator;
  /** Sorted and deduplicated when parsed from a string; as given when built from an object. */
  readonly values: readonly string[];
}

export type Labels = Readonly<Record<string, string>> | undefined | null;

export interface LabelSelector {
  /** The requirements, ANDed, sorted by key. */
  readonly requirements: readonly LabelRequirement[];
  /** True when the selector does not restrict anything (matches every object). */
  readonly empty: boolean;
  matches(labels: Labels): boolean;
  /** The canonical form, as upstream's Selector.String(). */
  toString(): string;
  /** The single value the selector demands for `label` (=, == or a one-value in), if any. */
  requiresExactMatch(label: string): string | undefined;
}

const binaryOperators: readonly LabelOperator[] = ["in", "notin", "=", "==", "!=", "gt", "lt"];

// ---------------------------------------------------------------------------------------------
// Requirements

function has(labels: Labels, key: string): boolean {
  return labels != null && Object.prototype.hasOwnProperty.call(labels, key);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64); undefined where Go returns an error. */
function parseInt64(s: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n < INT64_MIN || n > INT64_MAX ? undefined : n;
}

function requirementMatches(r: LabelRequirement, labels: Labels): boolean {
  switch (r.operator) {
    case "in":
    case "=":
    case "==":
      return has(labels, r.key) && r.values.includes(labels![r.key]);
    case "notin":
    case "!=":
      return !has(labels, r.key) || !r.values.includes(labels![r.key]);
    case "exists":
      return has(labels, r.key);
    case "!":
      return !has(labels, r.key);
    case "gt":
    case "lt": {
      if (!has(labels, r.key) || r.values.length !== 1) return false;
      const actual = parseInt64(labels![r.key]);
      const bound = parseInt64(r.values[0]);
      if (actual === undefined || bound === undefined) return false;
      return r.operator === "gt" ? actual > bound : actual < bound;
    }
  }
}

function sortedCopy(values: readonly string[]): string[] {
  return [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function requirementString(r: LabelRequirement): string {
  const prefix = r.operator === "!" ? "!" : "";
  switch (r.operator) {
    case "exists":
    case "!":
      return prefix + r.key;
  }
  const op = { "=": "=", "==": "==", "!=": "!=", in: " in ", notin: " notin ", gt: ">", lt: "<" }[r.operator];
  const vals = r.values.length === 1 ? r.values[0] : sortedCopy(r.values).join(",");
  return r.operator === "in" || r.operator === "notin" ? `${r.key}${op}(${vals})` : `${r.key}${op}${vals}`;
}

/**
 * labels.NewRequirement: validates key, operator arity and values, throwing upstream's
 * aggregated field errors. Paths are relative to a nil root, as every upstream caller here has.
 */
export function newLabelRequirement(key: string, operator: LabelOperator, values: readonly string[]): LabelRequirement {
  const errs: string[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length) errs.push(invalidFieldMessage("key", key, keyErrs.join("; ")));

  // A Go nil slice marshals as null, an empty one as []; upstream passes nil for "no values".
  const shown = values.length === 0 ? null : values;
  switch (operator) {
    case "in":
    case "notin":
      if (values.length === 0) errs.push(invalidFieldMessage("values", shown, "for 'in', 'notin' operators, values set can't be empty"));
      break;
    case "=":
    case "==":
    case "!=":
      if (values.length !== 1) errs.push(invalidFieldMessage("values", shown, "exact-match compatibility requires one single value"));
      break;
    case "exists":
    case "!":
      if (values.length !== 0) errs.push(invalidFieldMessage("values", shown, "values set must be empty for exists and does not exist"));
      break;
    case "gt":
    case "lt":
      if (values.length !== 1) errs.push(invalidFieldMessage("values", shown, "for 'Gt', 'Lt' operators, exactly one value is required"));
      values.forEach((v, i) => {
        if (parseInt64(v) === undefined) errs.push(invalidFieldMessage(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
      break;
    default:
      errs.push(
        `operator: Unsupported value: ${JSON.stringify(operator)}: supported values: ${[...binaryOperators, "exists", "!"].map((o) => JSON.stringify(o)).join(", ")}`,
      );
  }
  values.forEach((v, i) => {
    const valueErrs = isValidLabelValue(v);
    if (valueErrs.length) errs.push(invalidFieldMessage(`values[${i}][${key}]`, v, valueErrs.join("; ")));
  });
  if (errs.length) throw new SelectorParseError(aggregateMessage(errs));
  return Object.freeze({ key, operator, values: Object.freeze([...values]) });
}

// ---------------------------------------------------------------------------------------------
// Selectors

class RequirementsSelector implements LabelSelector {
  readonly requirements: readonly LabelRequirement[];

  constructor(requirements: LabelRequirement[]) {
    // Array.prototype.sort is stable, as Go's sort.Sort is for the short lists selectors hold.
    this.requirements = Object.freeze(requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)));
  }
  get empty(): boolean {
    return this.requirements.length === 0;
  }
  matches(labels: Labels): boolean {
    return this.requirements.every((r) => requirementMatches(r, labels));
  }
  toString(): string {
    return this.requirements.map(requirementString).join(",");
  }
  requiresExactMatch(label: string): string | undefined {
    const r = this.requirements.find((x) => x.key === label);
    if (!r) return undefined;
    if ((r.operator === "=" || r.operator === "==" || r.operator === "in") && r.values.length === 1) return r.values[0];
    return undefined;
  }
}

class NothingSelector implements LabelSelector {
  readonly requirements: readonly LabelRequirement[] = Object.freeze([]);
  readonly empty = false;
  matches(): boolean {
    return false;
  }
  toString(): string {
    return "";
  }
  requiresExactMatch(): string | undefined {
    return undefined;
  }
}

const everythingSelector: LabelSelector = new RequirementsSelector([]);
const nothingSelector: LabelSelector = new NothingSelector();

/** labels.Everything(): matches every set of labels. */
export const everythingLabels = (): LabelSelector => everythingSelector;
/** labels.Nothing(): matches no set of labels (what a nil metav1.LabelSelector means). */
export const nothingLabels = (): LabelSelector => nothingSelector;

// ---------------------------------------------------------------------------------------------
// Parser

/** In a values context the keywords `in` and `notin` are plain identifiers (`x in (in)`). */
type ParserContext = "keyAndOperator" | "values";

class Parser {
  private items: ScannedItem[] = [];
  private position = 0;

  constructor(private readonly lexer: Lexer) {}

  private lookahead(ctx: ParserContext): ScannedItem {
    const it = this.items[this.position];
    return ctx === "values" && (it.tok === "in" || it.tok === "notIn") ? { tok: "identifier", literal: it.literal } : it;
  }
  private consume(ctx: ParserContext): ScannedItem {
    const it = this.lookahead(ctx);
    this.position++;
    return it;
  }

  parse(): LabelRequirement[] {
    for (;;) {
      const item = this.lexer.lex();
      this.items.push(item);
      if (item.tok === "eos") break;
    }
    const requirements: LabelRequirement[] = [];
    for (;;) {
      const { tok, literal } = this.lookahead("values");
      switch (tok) {
        case "identifier":
        case "doesNotExist": {
          let r: LabelRequirement;
          try {
            r = this.parseRequirement();
          } catch (e) {
            if (e instanceof SelectorParseError) throw new SelectorParseError(`unable to parse requirement: ${e.message}`);
            throw e;
          }
          requirements.push(r);
          const next = this.consume("values");
          if (next.tok === "eos") return requirements;
          if (next.tok === "comma") {
            const after = this.lookahead("values");
            if (after.tok !== "identifier" && after.tok !== "doesNotExist") {
              throw new SelectorParseError(`found '${after.literal}', expected: identifier after ','`);
            }
            break;
          }
          throw new SelectorParseError(`found '${next.literal}', expected: ',' or 'end of string'`);
        }
        case "eos":
          return requirements;
        default:
          throw new SelectorParseError(`found '${literal}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): LabelRequirement {
    const { key, operator } = this.parseKeyAndInferOperator();
    if (operator === "exists" || operator === "!") return newLabelRequirement(key, operator, []);
    const op = this.parseOperator();
    const values = op === "in" || op === "notin" ? this.parseValues() : this.parseExactValue();
    // sets.String.List(): sorted, without duplicates.
    return newLabelRequirement(key, op, sortedCopy([...values]));
  }

  private parseKeyAndInferOperator(): { key: string; operator?: LabelOperator } {
    let operator: LabelOperator | undefined;
    let item = this.consume("values");
    if (item.tok === "doesNotExist") {
      operator = "!";
      item = this.consume("values");
    }
    if (item.tok !== "identifier") throw new SelectorParseError(`found '${item.literal}', expected: identifier`);
    const keyErrs = isQualifiedName(item.literal);
    if (keyErrs.length) throw new SelectorParseError(invalidFieldMessage(null, item.literal, keyErrs.join("; ")));
    const next = this.lookahead("values").tok;
    if ((next === "eos" || next === "comma") && operator !== "!") operator = "exists";
    return { key: item.literal, operator };
  }

  private parseOperator(): LabelOperator {
    const { tok, literal } = this.consume("keyAndOperator");
    switch (tok) {
      case "in": return "in";
      case "equals": return "=";
      case "doubleEquals": return "==";
      case "greaterThan": return "gt";
      case "lessThan": return "lt";
      case "notIn": return "notin";
      case "notEquals": return "!=";
      default:
        throw new SelectorParseError(`found '${literal}', expected: ${binaryOperators.join(", ")}`);
    }
  }

  private parseValues(): Set<string> {
    const open = this.consume("values");
    if (open.tok !== "openPar") throw new SelectorParseError(`found '${open.literal}' expected: '('`);
    const first = this.lookahead("values");
    switch (first.tok) {
      case "identifier":
      case "comma": {
        const s = this.parseIdentifiersList();
        // Upstream reports the token after '(' here, not the one it failed on.
        if (this.consume("values").tok !== "closedPar") throw new SelectorParseError(`found '${first.literal}', expected: ')'`);
        return s;
      }
      case "closedPar":
        this.consume("values");
        return new Set([""]);
      default:
        throw new SelectorParseError(`found '${first.literal}', expected: ',', ')' or identifier`);
    }
  }

  /** A possibly empty list of comma separated, possibly empty identifiers: `(a,,b,)`. */
  private parseIdentifiersList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, literal } = this.consume("values");
      switch (tok) {
        case "identifier": {
          s.add(literal);
          const next = this.lookahead("values");
          if (next.tok === "comma") continue;
          if (next.tok === "closedPar") return s;
          throw new SelectorParseError(`found '${next.literal}', expected: ',' or ')'`);
        }
        case "comma": {
          if (s.size === 0) s.add(""); // "(,"
          const next = this.lookahead("values").tok;
          if (next === "closedPar") {
            s.add(""); // ",)"
            return s;
          }
          if (next === "comma") {
            this.consume("values");
            s.add(""); // ",,"
          }
          continue;
        }
        default:
          throw new SelectorParseError(`found '${literal}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): Set<string> {
    const next = this.lookahead("values").tok;
    if (next === "eos" || next === "comma") return new Set([""]);
    const { tok, literal } = this.consume("values");
    if (tok === "identifier") return new Set([literal]);
    throw new SelectorParseError(`found '${literal}', expected: identifier`);
  }
}

/**
 * labels.Parse: the labelSelector query parameter. The empty string selects everything.
 * Throws SelectorParseError with upstream's message.
 */
export function parseLabelSelector(s: string): LabelSelector {
  return new RequirementsSelector(new Parser(new Lexer(s)).parse());
}

// ---------------------------------------------------------------------------------------------
// metav1.LabelSelector objects

export interface LabelSelectorRequirementObject {
  key: string;
  operator: string;
  values?: string[] | null;
}

export interface LabelSelectorObject {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: LabelSelectorRequirementObject[] | null;
}

const objectOperators: Record<string, LabelOperator> = { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" };

/**
 * metav1.LabelSelectorAsSelector: a missing selector matches nothing, an empty one everything.
 * Throws SelectorParseError for invalid keys, values or operators.
 */
export function labelSelectorFromObject(sel: LabelSelectorObject | undefined | null): LabelSelector {
  if (sel == null) return nothingSelector;
  const matchLabels = Object.entries(sel.matchLabels ?? {});
  const matchExpressions = sel.matchExpressions ?? [];
  if (matchLabels.length + matchExpressions.length === 0) return everythingSelector;
  const requirements: LabelRequirement[] = [];
  for (const [k, v] of matchLabels) requirements.push(newLabelRequirement(k, "=", [v]));
  for (const expr of matchExpressions) {
    const op = Object.prototype.hasOwnProperty.call(objectOperators, expr.operator) ? objectOperators[expr.operator] : undefined;
    if (!op) throw new SelectorParseError(`${goQuote(String(expr.operator ?? ""))} is not a valid label selector operator`);
    requirements.push(newLabelRequirement(expr.key, op, expr.values ?? []));
  }
  return new RequirementsSelector(requirements);
}

/** metav1.FormatLabelSelector: the SELECTOR column of `kubectl get rs -o wide`. */
export function labelSelectorObjectToString(sel: LabelSelectorObject | undefined | null): string {
  let selector: LabelSelector;
  try {
    selector = labelSelectorFromObject(sel);
  } catch (e) {
    if (e instanceof SelectorParseError) return "<error>";
    throw e;
  }
  const s = selector.toString();
  return s.length === 0 ? "<none>" : s;
}

/** labels.SelectorFromSet: exactly these labels (no validation); an empty set selects everything. */
export function labelSelectorFromSet(set: Readonly<Record<string, string>> | undefined | null): LabelSelector {
  const entries = Object.entries(set ?? {});
  return new RequirementsSelector(entries.map(([key, v]) => Object.freeze({ key, operator: "=" as const, values: Object.freeze([v]) })));
}
