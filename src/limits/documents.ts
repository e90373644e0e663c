// Request documents (JSON and YAML) parsed with bounds, so a small body cannot cost a lot:
// nesting is limited before the parsers recurse (a 3 MiB "[[[[…" would otherwise take seconds or
// the stack), and YAML aliases are limited (billion laughs, CVE-2019-11253).
import { Composer, Lexer, LineCounter, Parser, type Document } from "yaml";
import { badRequest } from "../lib/status.js";

/**
 * Deepest nesting of objects and arrays a document may have. Upstream allows 10000; the YAML
 * library composes recursively and V8's stack takes about a thousand levels, so edgeplane stays
 * well below. Real manifests (CRD schemas included) are a few dozen levels deep.
 */
export const MAX_NESTING_DEPTH = 100;
/** Alias expansions a YAML document may make (the yaml package's count, weighted by the aliased node's own aliases). */
export const MAX_YAML_ALIAS_COUNT = 100;

const JSON_PREFIX = "couldn't get version/kind; json parse error: ";
const YAML_PREFIX = "error converting YAML to JSON: ";

/** Whether JSON text nests deeper than `max`: one pass over the text, strings skipped. */
export function jsonNestingExceeds(text: string, max = MAX_NESTING_DEPTH): boolean {
  if (text.length <= max) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92 /* \ */) i++;
      else if (ch === 34 /* " */) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 91 /* [ */ || ch === 123 /* { */) {
      if (++depth > max) return true;
    } else if (ch === 93 /* ] */ || ch === 125 /* } */) depth--;
  }
  return false;
}

/** Whether a parsed value nests deeper than `max` (iterative, so it cannot overflow itself). */
export function valueNestingExceeds(value: unknown, max = MAX_NESTING_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (typeof v !== "object" || v === null) continue;
    if (d + 1 > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === "object" && child !== null) stack.push([child, d + 1]);
    }
  }
  return false;
}

const tooDeep = (prefix: string, source: string) => badRequest(`${prefix}${source}: exceeded max depth of ${MAX_NESTING_DEPTH}`);

export function parseJsonDocument(text: string): unknown {
  if (jsonNestingExceeds(text)) throw tooDeep(JSON_PREFIX, "json");
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`${JSON_PREFIX}${(e as Error).message}`);
  }
}

class NestingError extends Error {}

/**
 * The parser's stack bound that stops a deep document while it is being read. A level of
 * nesting takes one or two stack entries, so this admits every document within
 * MAX_NESTING_DEPTH; the parsed value is then checked exactly.
 */
const MAX_PARSER_STACK = 2 * MAX_NESTING_DEPTH + 8;

function* boundedTokens(parser: Parser, lines: LineCounter, text: string) {
  lines.addNewLine(0);
  for (const lexeme of new Lexer().lex(text, false)) {
    yield* parser.next(lexeme);
    if (parser.stack.length > MAX_PARSER_STACK) throw new NestingError();
  }
  yield* parser.end();
}

function yamlError(e: unknown, lines: LineCounter): string {
  if (e instanceof ReferenceError && /alias/i.test(e.message)) return "yaml: document contains excessive aliasing";
  const err = e as { message?: string; pos?: [number, number] };
  const first = String(err.message ?? e).split("\n")[0];
  if (err.pos && !/ at line \d+/.test(first)) {
    const { line, col } = lines.linePos(err.pos[0]);
    return `${first} at line ${line}, column ${col}`;
  }
  return first;
}

/** One YAML document as a plain value; 400 with the parser's complaint, as upstream's. */
export function parseYamlDocument(text: string): unknown {
  const lines = new LineCounter();
  const parser = new Parser(lines.addNewLine);
  const composer = new Composer();
  let value: unknown;
  try {
    let doc: Document.Parsed | undefined;
    for (const d of composer.compose(boundedTokens(parser, lines, text), true, text.length)) {
      if (doc) throw new Error("Source contains multiple documents; please send one document per request");
      doc = d;
    }
    if (!doc) return null;
    if (doc.errors.length > 0) throw doc.errors[0];
    value = doc.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT });
  } catch (e) {
    if (e instanceof NestingError || e instanceof RangeError) throw tooDeep(YAML_PREFIX, "yaml");
    throw badRequest(`${YAML_PREFIX}${yamlError(e, lines)}`);
  }
  if (valueNestingExceeds(value)) throw tooDeep(YAML_PREFIX, "yaml");
  return value;
}

/** Decoded documents that came in another encoding (protobuf's embedded JSON) get the same bound. */
export function assertNestingWithin(value: unknown, prefix = JSON_PREFIX): void {
  if (valueNestingExceeds(value)) throw tooDeep(prefix, "json");
}
