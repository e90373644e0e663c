import { describe, it, expect } from "vitest";
import { SelectorParseError, checkSupportedFields, escapeFieldValue, parseFieldSelector, unescapeFieldValue } from "./index.js";

function parseError(s: string): string {
  try {
    parseFieldSelector(s);
  } catch (e) {
    expect(e).toBeInstanceOf(SelectorParseError);
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(s)} to fail`);
}

const pod: Record<string, string> = { "metadata.name": "web-1", "metadata.namespace": "default", "status.phase": "Running" };
const get = (f: string) => pod[f];

describe("parseFieldSelector", () => {
  it("empty selects everything", () => {
    for (const s of ["", ",", ",,"]) {
      const sel = parseFieldSelector(s);
      expect(sel.empty).toBe(true);
      expect(sel.requirements).toEqual([]);
      expect(sel.matches(get)).toBe(true);
      expect(sel.toString()).toBe("");
    }
  });

  it.each([
    ["metadata.name=web-1", true],
    ["metadata.name==web-1", true],
    ["metadata.name=web-2", false],
    ["metadata.name!=web-2", true],
    ["metadata.name!=web-1", false],
    ["status.phase=Running,metadata.namespace=default", true],
    ["status.phase=Running,metadata.namespace=kube-system", false],
    ["spec.nodeName=", true], // a missing field reads as ""
    ["spec.nodeName!=", false],
    ["spec.nodeName!=node-1", true],
  ])("%s → %s", (s, want) => {
    expect(parseFieldSelector(s).matches(get)).toBe(want);
  });

  it("records field, operator and value; == normalises to =", () => {
    expect(parseFieldSelector("b==2,a!=1,c=3").requirements).toEqual([
      { field: "a", op: "!=", value: "1" },
      { field: "b", op: "=", value: "2" },
      { field: "c", op: "=", value: "3" },
    ]);
  });

  it("does not trim whitespace (upstream does not)", () => {
    expect(parseFieldSelector(" a = b ").requirements).toEqual([{ field: " a ", op: "=", value: " b " }]);
  });

  it("splits at the first operator; the value keeps any later '!'", () => {
    expect(parseFieldSelector("a=!b").requirements).toEqual([{ field: "a", op: "=", value: "!b" }]);
    expect(parseFieldSelector("a!=!b").requirements).toEqual([{ field: "a", op: "!=", value: "!b" }]);
  });

  it("unescapes \\, \\= and \\\\ in values and keeps escaped commas in the term", () => {
    const sel = parseFieldSelector("metadata.name=a\\,b\\=c\\\\d,x=y");
    expect(sel.requirements).toEqual([
      { field: "metadata.name", op: "=", value: "a,b=c\\d" },
      { field: "x", op: "=", value: "y" },
    ]);
    expect(sel.toString()).toBe("metadata.name=a\\,b\\=c\\\\d,x=y");
    expect(sel.matches((f) => (f === "metadata.name" ? "a,b=c\\d" : "y"))).toBe(true);
  });

  it("drops a term with neither field nor value", () => {
    expect(parseFieldSelector("=").empty).toBe(true);
    expect(parseFieldSelector("=,a=b").requirements).toEqual([{ field: "a", op: "=", value: "b" }]);
  });

  it("requiresExactMatch finds = terms only", () => {
    const sel = parseFieldSelector("metadata.name=x,status.phase!=Failed");
    expect(sel.requiresExactMatch("metadata.name")).toBe("x");
    expect(sel.requiresExactMatch("status.phase")).toBeUndefined();
  });

  it.each([
    ["a", "invalid selector: 'a'; can't understand 'a'"],
    ["a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"],
    ["a!b", "invalid selector: 'a!b'; can't understand 'a!b'"],
    ["a=b=c", "invalid field selector: unescaped character in value: 61"],
    ["a==b=c", "invalid field selector: unescaped character in value: 61"],
    ["a!==b", "invalid field selector: unescaped character in value: 61"],
    ["a=b\\x", "invalid field selector: invalid escape sequence: \\x"],
    ["a=b\\", "invalid field selector: invalid escape sequence: \\"],
  ])("%j → %s", (s, msg) => {
    expect(parseError(s)).toBe(msg);
  });

  it("reports the first bad term in sorted order, as upstream", () => {
    expect(parseError("z,a")).toBe("invalid selector: 'z,a'; can't understand 'a'");
  });
});

describe("escapeFieldValue / unescapeFieldValue", () => {
  it("round-trips", () => {
    for (const v of ["", "plain", "a,b", "a=b", "a\\b", "\\,=\\"]) {
      expect(unescapeFieldValue(escapeFieldValue(v))).toBe(v);
      expect(parseFieldSelector(`f=${escapeFieldValue(v)}`).requirements[0]?.value ?? "").toBe(v);
    }
  });
});

describe("checkSupportedFields", () => {
  const supported = ["metadata.name", "metadata.namespace", "status.phase"];

  it("accepts served fields", () => {
    expect(() => checkSupportedFields(parseFieldSelector("metadata.name=a,status.phase!=b"), supported)).not.toThrow();
    expect(() => checkSupportedFields(parseFieldSelector(""), [])).not.toThrow();
  });

  it("rejects the first unsupported field with a 400", () => {
    try {
      checkSupportedFields(parseFieldSelector("metadata.name=a,spec.foo=b,spec.bar=c"), supported);
      throw new Error("expected a failure");
    } catch (e) {
      expect(e).toBeInstanceOf(SelectorParseError);
      const err = e as SelectorParseError;
      expect(err.message).toBe("field label not supported: spec.bar");
      expect(err.toStatusError().status).toMatchObject({ code: 400, reason: "BadRequest", message: "field label not supported: spec.bar" });
    }
  });
});
