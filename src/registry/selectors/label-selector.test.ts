import { describe, it, expect } from "vitest";
import {
  SelectorParseError,
  labelSelectorFromObject,
  labelSelectorFromSet,
  labelSelectorObjectToString,
  parseLabelSelector,
} from "./index.js";

const VALUE_RULE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const NAME_RULE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

function parseError(s: string): SelectorParseError {
  try {
    parseLabelSelector(s);
  } catch (e) {
    expect(e).toBeInstanceOf(SelectorParseError);
    return e as SelectorParseError;
  }
  throw new Error(`expected ${JSON.stringify(s)} to fail`);
}

describe("parseLabelSelector: operators", () => {
  const labels = { app: "web", tier: "front", n: "5", empty: "" };

  it.each([
    ["app=web", true],
    ["app==web", true],
    ["app=db", false],
    ["app!=db", true],
    ["app!=web", false],
    ["missing!=x", true],
    ["app in (web,db)", true],
    ["app in (db)", false],
    ["missing in (web)", false],
    ["app notin (db)", true],
    ["app notin (web,db)", false],
    ["missing notin (web)", true],
    ["app", true],
    ["missing", false],
    ["!missing", true],
    ["!app", false],
    ["n>4", true],
    ["n>5", false],
    ["n<6", true],
    ["n<5", false],
    ["app>1", false], // a non-integer label value never satisfies gt/lt
    ["missing>1", false],
    ["app=web,tier=front", true],
    ["app=web,tier=back", false],
    ["empty=", true],
    ["empty in ()", true],
    ["app in (,web)", true],
    ["missing=", false],
  ])("%s → %s", (sel, want) => {
    expect(parseLabelSelector(sel).matches(labels)).toBe(want);
  });

  it("treats undefined labels as none", () => {
    expect(parseLabelSelector("!a").matches(undefined)).toBe(true);
    expect(parseLabelSelector("a notin (x)").matches(undefined)).toBe(true);
    expect(parseLabelSelector("a").matches(undefined)).toBe(false);
    expect(parseLabelSelector("").matches(undefined)).toBe(true);
  });

  it("compares gt/lt as 64-bit integers, not strings", () => {
    expect(parseLabelSelector("n>9").matches({ n: "10" })).toBe(true);
    expect(parseLabelSelector("n<0").matches({ n: "-3" })).toBe(true);
    expect(parseLabelSelector("n>9223372036854775806").matches({ n: "9223372036854775807" })).toBe(true);
    expect(parseLabelSelector("n>1").matches({ n: "9223372036854775808" })).toBe(false); // overflows int64
  });

  it("does not read inherited properties as labels", () => {
    expect(parseLabelSelector("constructor").matches({})).toBe(false);
    expect(parseLabelSelector("!toString").matches({})).toBe(true);
  });
});

describe("parseLabelSelector: grammar", () => {
  it("empty and blank strings select everything", () => {
    for (const s of ["", "   ", "\t\n"]) {
      const sel = parseLabelSelector(s);
      expect(sel.empty).toBe(true);
      expect(sel.requirements).toEqual([]);
      expect(sel.toString()).toBe("");
      expect(sel.matches({ any: "thing" })).toBe(true);
    }
  });

  it("tolerates whitespace around tokens", () => {
    const sel = parseLabelSelector("  a = b ,  c  in  ( x , y ) ,  ! d , e != f , g > 1 ");
    expect(sel.toString()).toBe("a=b,c in (x,y),!d,e!=f,g>1");
  });

  it("sorts requirements by key and values within a set", () => {
    expect(parseLabelSelector("z=1,a in (c,b,a),m").toString()).toBe("a in (a,b,c),m,z=1");
    expect(parseLabelSelector("x in (b,a,b)").requirements[0].values).toEqual(["a", "b"]);
  });

  it("keeps the operator as written in the canonical form", () => {
    expect(parseLabelSelector("a==b").toString()).toBe("a==b");
    expect(parseLabelSelector("a=b").toString()).toBe("a=b");
    expect(parseLabelSelector("a<5").toString()).toBe("a<5");
    expect(parseLabelSelector("a notin (x)").toString()).toBe("a notin (x)");
    expect(parseLabelSelector("example.com/a").toString()).toBe("example.com/a");
    expect(parseLabelSelector("a=").toString()).toBe("a=");
  });

  it("parses upstream's example `x in (foo,,baz),y,z notin ()`", () => {
    const sel = parseLabelSelector("x in (foo,,baz),y,z notin ()");
    expect(sel.requirements).toEqual([
      { key: "x", operator: "in", values: ["", "baz", "foo"] },
      { key: "y", operator: "exists", values: [] },
      { key: "z", operator: "notin", values: [""] },
    ]);
    expect(sel.toString()).toBe("x in (,baz,foo),y,z notin ()");
  });

  it.each([
    ["a in (,)", [""]],
    ["a in (,b)", ["", "b"]],
    ["a in (b,)", ["", "b"]],
    ["a in (b,,c)", ["", "b", "c"]],
    ["a in ()", [""]],
  ])("set %s has values %j", (s, values) => {
    expect(parseLabelSelector(s).requirements[0].values).toEqual(values);
  });

  it("reads `in`/`notin` as identifiers where a key or value belongs", () => {
    expect(parseLabelSelector("in in (in,notin)").requirements).toEqual([{ key: "in", operator: "in", values: ["in", "notin"] }]);
    expect(parseLabelSelector("notin=in").requirements).toEqual([{ key: "notin", operator: "=", values: ["in"] }]);
    expect(parseLabelSelector("in").requirements).toEqual([{ key: "in", operator: "exists", values: [] }]);
  });

  it("lexes the longest operator: `a!=b`, `a==b`, `a===b` fails on the third '='", () => {
    expect(parseLabelSelector("a!=b").requirements[0].operator).toBe("!=");
    expect(parseLabelSelector("a==b").requirements[0].operator).toBe("==");
    expect(parseError("a===b").message).toBe("unable to parse requirement: found '=', expected: identifier");
  });

  it("reports the exact match value the selector requires", () => {
    const sel = parseLabelSelector("a=1,b in (2),c in (3,4),d!=5");
    expect(sel.requiresExactMatch("a")).toBe("1");
    expect(sel.requiresExactMatch("b")).toBe("2");
    expect(sel.requiresExactMatch("c")).toBeUndefined();
    expect(sel.requiresExactMatch("d")).toBeUndefined();
    expect(sel.requiresExactMatch("e")).toBeUndefined();
  });
});

describe("parseLabelSelector: errors", () => {
  it.each([
    // lexer/parser errors outside a requirement are not wrapped
    [",a", "found ',', expected: !, identifier, or 'end of string'"],
    ["=a", "found '=', expected: !, identifier, or 'end of string'"],
    ["(", "found '(', expected: !, identifier, or 'end of string'"],
    ["a,", "found '', expected: identifier after ','"],
    ["a,,b", "found ',', expected: identifier after ','"],
    ["a=b c", "found 'c', expected: ',' or 'end of string'"],
    ["a=b)", "found ')', expected: ',' or 'end of string'"],
    ["!a=b", "found '=', expected: ',' or 'end of string'"],
    ["a in (x) y", "found 'y', expected: ',' or 'end of string'"],
    // errors inside a requirement are
    ["!", "unable to parse requirement: found '', expected: identifier"],
    ["!!a", "unable to parse requirement: found '!', expected: identifier"],
    ["a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"],
    ["a (", "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
    ["a in", "unable to parse requirement: found '' expected: '('"],
    ["a in x", "unable to parse requirement: found 'x' expected: '('"],
    ["a notin (", "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ["a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ["a in (x", "unable to parse requirement: found '', expected: ',' or ')'"],
    ["a in (x y)", "unable to parse requirement: found 'y', expected: ',' or ')'"],
    ["a in (x,=)", "unable to parse requirement: found '=', expected: ',', or identifier"],
    ["a in (,", "unable to parse requirement: found '', expected: ',', or identifier"],
    // upstream's list parser consumes ",," and then refuses the ")" (while "(b,,c)" is fine)
    ["a in (,,)", "unable to parse requirement: found ')', expected: ',', or identifier"],
    ["a=(", "unable to parse requirement: found '(', expected: identifier"],
    ["a!=!", "unable to parse requirement: found '!', expected: identifier"],
  ])("%j → %s", (s, msg) => {
    const e = parseError(s);
    expect(e.message).toBe(msg);
    expect(e.code).toBe(400);
  });

  it("rejects a key that is not a qualified name", () => {
    expect(parseError("-x=1").message).toBe(`unable to parse requirement: <nil>: Invalid value: "-x": ${NAME_RULE}`);
    expect(parseError("app:monolith").message).toBe(`unable to parse requirement: <nil>: Invalid value: "app:monolith": ${NAME_RULE}`);
    expect(parseError("/a").message).toBe(`unable to parse requirement: <nil>: Invalid value: "/a": prefix part must be non-empty`);
    expect(parseError("a/").message).toBe(
      `unable to parse requirement: <nil>: Invalid value: "a/": name part must be non-empty; ${NAME_RULE}`,
    );
    expect(parseError("Foo.com/a").message).toBe(
      `unable to parse requirement: <nil>: Invalid value: "Foo.com/a": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    );
    expect(parseError("a/b/c").message).toBe(
      `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    );
    expect(parseError(`${"k".repeat(64)}`).message).toBe(
      `unable to parse requirement: <nil>: Invalid value: "${"k".repeat(64)}": name part must be no more than 63 characters`,
    );
    expect(parseLabelSelector(`${"k".repeat(63)}`).empty).toBe(false);
  });

  it("rejects a value that is not a label value", () => {
    expect(parseError("app=-x").message).toBe(`unable to parse requirement: values[0][app]: Invalid value: "-x": ${VALUE_RULE}`);
    expect(parseError("app in (a,b-)").message).toBe(`unable to parse requirement: values[1][app]: Invalid value: "b-": ${VALUE_RULE}`);
    expect(parseError(`a=${"v".repeat(64)}`).message).toBe(
      `unable to parse requirement: values[0][a]: Invalid value: "${"v".repeat(64)}": must be no more than 63 characters`,
    );
    expect(parseError(`a=${"v".repeat(63)}_`).message).toBe(
      `unable to parse requirement: values[0][a]: Invalid value: "${"v".repeat(63)}_": must be no more than 63 characters; ${VALUE_RULE}`,
    );
  });

  it("rejects non-integer gt/lt values, aggregating several errors", () => {
    expect(parseError("a>b").message).toBe(
      `unable to parse requirement: values[0]: Invalid value: "b": for 'Gt', 'Lt' operators, the value must be an integer`,
    );
    expect(parseError("a<").message).toBe(
      `unable to parse requirement: values[0]: Invalid value: "": for 'Gt', 'Lt' operators, the value must be an integer`,
    );
    // -1 is an integer but not a label value
    expect(parseError("a>-1").message).toBe(`unable to parse requirement: values[0][a]: Invalid value: "-1": ${VALUE_RULE}`);
    expect(parseError("a>-b").message).toBe(
      `unable to parse requirement: [values[0]: Invalid value: "-b": for 'Gt', 'Lt' operators, the value must be an integer, values[0][a]: Invalid value: "-b": ${VALUE_RULE}]`,
    );
  });

  it("converts to a 400 BadRequest Status", () => {
    const st = parseError("a b").toStatusError().status;
    expect(st).toMatchObject({ kind: "Status", code: 400, reason: "BadRequest", message: "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt" });
  });
});

describe("labelSelectorFromObject (metav1.LabelSelectorAsSelector)", () => {
  it("nil matches nothing, {} matches everything", () => {
    for (const nil of [undefined, null]) {
      const sel = labelSelectorFromObject(nil);
      expect(sel.matches({})).toBe(false);
      expect(sel.matches({ a: "b" })).toBe(false);
      expect(sel.empty).toBe(false);
      expect(sel.toString()).toBe("");
    }
    for (const empty of [{}, { matchLabels: {} }, { matchExpressions: [] }, { matchLabels: null, matchExpressions: null }]) {
      const sel = labelSelectorFromObject(empty);
      expect(sel.matches({})).toBe(true);
      expect(sel.matches(undefined)).toBe(true);
      expect(sel.empty).toBe(true);
    }
  });

  it("ANDs matchLabels and every operator of matchExpressions", () => {
    const sel = labelSelectorFromObject({
      matchLabels: { app: "web" },
      matchExpressions: [
        { key: "tier", operator: "In", values: ["front", "edge"] },
        { key: "env", operator: "NotIn", values: ["prod"] },
        { key: "team", operator: "Exists" },
        { key: "legacy", operator: "DoesNotExist", values: [] },
      ],
    });
    expect(sel.toString()).toBe("app=web,env notin (prod),!legacy,team,tier in (edge,front)");
    expect(sel.matches({ app: "web", tier: "edge", team: "x" })).toBe(true);
    expect(sel.matches({ app: "web", tier: "edge", team: "x", env: "prod" })).toBe(false);
    expect(sel.matches({ app: "web", tier: "edge", team: "x", legacy: "" })).toBe(false);
    expect(sel.matches({ app: "web", tier: "back", team: "x" })).toBe(false);
    expect(sel.matches({ app: "web", tier: "edge" })).toBe(false);
    expect(sel.matches({ app: "db", tier: "edge", team: "x" })).toBe(false);
  });

  it("keeps values as given but prints them sorted", () => {
    const sel = labelSelectorFromObject({ matchExpressions: [{ key: "a", operator: "In", values: ["z", "b"] }] });
    expect(sel.requirements[0].values).toEqual(["z", "b"]);
    expect(sel.toString()).toBe("a in (b,z)");
  });

  it("rejects invalid requirements as upstream", () => {
    const err = (o: Parameters<typeof labelSelectorFromObject>[0]) => {
      try {
        labelSelectorFromObject(o);
      } catch (e) {
        expect(e).toBeInstanceOf(SelectorParseError);
        return (e as Error).message;
      }
      return "no error";
    };
    expect(err({ matchExpressions: [{ key: "a", operator: "Gt", values: ["1"] }] })).toBe(`"Gt" is not a valid label selector operator`);
    expect(err({ matchExpressions: [{ key: "a", operator: "In", values: [] }] })).toBe(
      "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty",
    );
    expect(err({ matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] })).toBe(
      `values: Invalid value: ["x"]: values set must be empty for exists and does not exist`,
    );
    expect(err({ matchLabels: { "-a": "b" } })).toBe(`key: Invalid value: "-a": ${NAME_RULE}`);
    expect(err({ matchLabels: { a: "b c" } })).toBe(`values[0][a]: Invalid value: "b c": ${VALUE_RULE}`);
  });
});

describe("labelSelectorObjectToString (metav1.FormatLabelSelector)", () => {
  it.each([
    [undefined, "<none>"],
    [null, "<none>"],
    [{}, "<none>"],
    [{ matchLabels: { app: "nginx" } }, "app=nginx"],
    [{ matchLabels: { b: "2", a: "1" } }, "a=1,b=2"],
    [{ matchLabels: { app: "x" }, matchExpressions: [{ key: "env", operator: "NotIn", values: ["a", ""] }] }, "app=x,env notin (,a)"],
    [{ matchExpressions: [{ key: "a", operator: "Bogus" }] }, "<error>"],
    [{ matchLabels: { "a b": "c" } }, "<error>"],
  ])("%j → %s", (obj, want) => {
    expect(labelSelectorObjectToString(obj)).toBe(want);
  });
});

describe("labelSelectorFromSet", () => {
  it("selects exactly the given labels; empty selects everything", () => {
    const sel = labelSelectorFromSet({ b: "2", a: "1" });
    expect(sel.toString()).toBe("a=1,b=2");
    expect(sel.matches({ a: "1", b: "2", c: "3" })).toBe(true);
    expect(sel.matches({ a: "1" })).toBe(false);
    expect(labelSelectorFromSet({}).empty).toBe(true);
    expect(labelSelectorFromSet(undefined).matches({})).toBe(true);
  });
});
