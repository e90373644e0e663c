import { describe, expect, it } from "vitest";
import { MAX_NESTING_DEPTH, jsonNestingExceeds, parseJsonDocument, parseYamlDocument, valueNestingExceeds } from "./documents.js";

const nest = (n: number): unknown => (n === 0 ? 1 : { a: nest(n - 1) });
const message = (f: () => unknown) => {
  try {
    f();
    return "parsed";
  } catch (e) {
    return (e as { status?: { message?: string } }).status?.message ?? String(e);
  }
};

describe("bounded documents", () => {
  it("JSON: nesting up to the limit parses, one more level is refused; brackets in strings do not count", () => {
    expect(parseJsonDocument(JSON.stringify(nest(MAX_NESTING_DEPTH)))).toEqual(nest(MAX_NESTING_DEPTH));
    expect(message(() => parseJsonDocument(JSON.stringify(nest(MAX_NESTING_DEPTH + 1))))).toBe(`couldn't get version/kind; json parse error: json: exceeded max depth of ${MAX_NESTING_DEPTH}`);
    expect(jsonNestingExceeds(JSON.stringify({ s: "[".repeat(500), t: '\\"{{{{' }))).toBe(false);
    expect(message(() => parseJsonDocument("{bad"))).toMatch(/^couldn't get version\/kind; json parse error: /);
  });

  it("YAML: the same bound, in block and flow style", () => {
    const block = (n: number) => Array.from({ length: n }, (_, i) => `${"  ".repeat(i)}a:`).join("\n") + ` 1`;
    expect(valueNestingExceeds(parseYamlDocument(block(MAX_NESTING_DEPTH)))).toBe(false);
    expect(message(() => parseYamlDocument(block(MAX_NESTING_DEPTH + 1)))).toBe(`error converting YAML to JSON: yaml: exceeded max depth of ${MAX_NESTING_DEPTH}`);
    expect(message(() => parseYamlDocument("[".repeat(100_000)))).toMatch(/exceeded max depth/);
    expect(message(() => parseYamlDocument("- ".repeat(100_000) + "x"))).toMatch(/exceeded max depth/);
  });

  it("YAML: a billion laughs is refused; ordinary anchors and aliases work", () => {
    const levels = "abcdefg".split("");
    const bomb = levels.map((l, i) => `${l}: &${l} [${Array(9).fill(i === 0 ? "lol" : `*${levels[i - 1]}`).join(", ")}]`).join("\n");
    expect(message(() => parseYamlDocument(bomb))).toBe("error converting YAML to JSON: yaml: document contains excessive aliasing");
    expect(parseYamlDocument("x: &x {a: 1}\ny: *x\n")).toEqual({ x: { a: 1 }, y: { a: 1 } });
    expect(message(() => parseYamlDocument("a: [1\nb: c"))).toMatch(/^error converting YAML to JSON: .* at line 2, column 1$/);
  });
});
