import { describe, it, expect } from "vitest";
import { MAX_JSON_PATCH_COPY_BYTES, applyJsonPatch, parseJsonPatch } from "./json-patch.js";
import { jsonByteSize } from "./json-value.js";
import { PatchError } from "./patch-error.js";

function fails(doc: unknown, ops: unknown): PatchError {
  try {
    applyJsonPatch(doc, ops);
  } catch (e) {
    expect(e).toBeInstanceOf(PatchError);
    return e as PatchError;
  }
  throw new Error("expected a PatchError");
}

describe("applyJsonPatch: RFC 6902 appendix A", () => {
  it("A.1 adding an object member", () => {
    expect(applyJsonPatch({ foo: "bar" }, [{ op: "add", path: "/baz", value: "qux" }])).toEqual({ baz: "qux", foo: "bar" });
  });
  it("A.2 adding an array element", () => {
    expect(applyJsonPatch({ foo: ["bar", "baz"] }, [{ op: "add", path: "/foo/1", value: "qux" }])).toEqual({
      foo: ["bar", "qux", "baz"],
    });
  });
  it("A.3 removing an object member", () => {
    expect(applyJsonPatch({ baz: "qux", foo: "bar" }, [{ op: "remove", path: "/baz" }])).toEqual({ foo: "bar" });
  });
  it("A.4 removing an array element", () => {
    expect(applyJsonPatch({ foo: ["bar", "qux", "baz"] }, [{ op: "remove", path: "/foo/1" }])).toEqual({ foo: ["bar", "baz"] });
  });
  it("A.5 replacing a value", () => {
    expect(applyJsonPatch({ baz: "qux", foo: "bar" }, [{ op: "replace", path: "/baz", value: "boo" }])).toEqual({
      baz: "boo",
      foo: "bar",
    });
  });
  it("A.6 moving a value", () => {
    const doc = { foo: { bar: "baz", waldo: "fred" }, qux: { corge: "grault" } };
    expect(applyJsonPatch(doc, [{ op: "move", from: "/foo/waldo", path: "/qux/thud" }])).toEqual({
      foo: { bar: "baz" },
      qux: { corge: "grault", thud: "fred" },
    });
  });
  it("A.7 moving an array element", () => {
    const doc = { foo: ["all", "grass", "cows", "eat"] };
    expect(applyJsonPatch(doc, [{ op: "move", from: "/foo/1", path: "/foo/3" }])).toEqual({ foo: ["all", "cows", "eat", "grass"] });
  });
  it("A.8 testing a value: success", () => {
    const doc = { baz: "qux", foo: ["a", 2, "c"] };
    const ops = [
      { op: "test", path: "/baz", value: "qux" },
      { op: "test", path: "/foo/1", value: 2 },
    ];
    expect(applyJsonPatch(doc, ops)).toEqual(doc);
  });
  it("A.9 testing a value: error", () => {
    const e = fails({ baz: "qux" }, [{ op: "test", path: "/baz", value: "bar" }]);
    expect(e.message).toBe("testing value /baz failed");
    expect(e.code).toBe(422);
  });
  it("A.10 adding a nested member object", () => {
    expect(applyJsonPatch({ foo: "bar" }, [{ op: "add", path: "/child", value: { grandchild: {} } }])).toEqual({
      foo: "bar",
      child: { grandchild: {} },
    });
  });
  it("A.11 ignoring unrecognized elements", () => {
    expect(applyJsonPatch({ foo: "bar" }, [{ op: "add", path: "/baz", value: "qux", xyz: 123 }])).toEqual({ foo: "bar", baz: "qux" });
  });
  it("A.12 adding to a nonexistent target", () => {
    const e = fails({ foo: "bar" }, [{ op: "add", path: "/baz/bat", value: "qux" }]);
    expect(e.message).toBe("add operation does not apply: doc is missing path: /baz/bat");
  });
  it("A.13 invalid JSON patch document", () => {
    const e = fails({ foo: "bar" }, [{ op: "frobnicate", path: "/baz", value: "qux" }]);
    expect(e.code).toBe(400);
    expect(e.message).toBe("Unexpected kind: frobnicate");
  });
  it("A.14 ~ escape ordering", () => {
    const doc = { "/": 9, "~1": 10 };
    expect(applyJsonPatch(doc, [{ op: "test", path: "/~01", value: 10 }])).toEqual(doc);
    expect(applyJsonPatch(doc, [{ op: "test", path: "/~1", value: 9 }])).toEqual(doc);
  });
  it("A.15 comparing strings and numbers", () => {
    const e = fails({ "/": 9, "~1": 10 }, [{ op: "test", path: "/~01", value: "10" }]);
    expect(e.message).toBe("testing value /~01 failed");
  });
  it("A.16 adding an array value", () => {
    expect(applyJsonPatch({ foo: ["bar"] }, [{ op: "add", path: "/foo/-", value: ["abc", "def"] }])).toEqual({
      foo: ["bar", ["abc", "def"]],
    });
  });
});

describe("applyJsonPatch: the rest", () => {
  const pod = { metadata: { name: "web", labels: { app: "web" } }, spec: { containers: [{ name: "a", image: "nginx" }] } };

  it("replaces a missing key with upstream's message", () => {
    const e = fails(pod, [{ op: "replace", path: "/spec/foo", value: 1 }]);
    expect(e.message).toBe("replace operation does not apply: doc is missing key: /spec/foo");
    expect(e.code).toBe(422);
  });
  it("fails a test on metadata", () => {
    expect(fails(pod, [{ op: "test", path: "/metadata/name", value: "db" }]).message).toBe("testing value /metadata/name failed");
  });
  it("addresses keys containing / and ~ through escapes", () => {
    const doc = { metadata: { annotations: { "example.com/a~b": "x" } } };
    const out = applyJsonPatch(doc, [
      { op: "replace", path: "/metadata/annotations/example.com~1a~0b", value: "y" },
      { op: "add", path: "/metadata/annotations/k8s.io~1c", value: "z" },
    ]);
    expect(out).toEqual({ metadata: { annotations: { "example.com/a~b": "y", "k8s.io/c": "z" } } });
  });
  it("appends with - and checks array bounds", () => {
    expect(applyJsonPatch(pod, [{ op: "add", path: "/spec/containers/-", value: { name: "b" } }])).toMatchObject({
      spec: { containers: [{ name: "a" }, { name: "b" }] },
    });
    expect(applyJsonPatch([1], [{ op: "add", path: "/1", value: 2 }])).toEqual([1, 2]);
    expect(fails([1], [{ op: "add", path: "/2", value: 2 }]).code).toBe(422);
    expect(fails([1], [{ op: "remove", path: "/1" }]).code).toBe(422);
    expect(fails([1], [{ op: "replace", path: "/-", value: 0 }]).code).toBe(422);
    expect(fails([1, 2], [{ op: "remove", path: "/01" }]).code).toBe(422);
  });
  it("copies deeply, so later ops do not alias", () => {
    const out = applyJsonPatch({ a: { x: 1 } }, [
      { op: "copy", from: "/a", path: "/b" },
      { op: "replace", path: "/b/x", value: 2 },
    ]);
    expect(out).toEqual({ a: { x: 1 }, b: { x: 2 } });
  });
  it("replaces and tests the whole document with the empty pointer", () => {
    expect(applyJsonPatch({ a: 1 }, [{ op: "replace", path: "", value: { b: 2 } }])).toEqual({ b: 2 });
    expect(applyJsonPatch({ a: 1 }, [{ op: "test", path: "", value: { a: 1 } }])).toEqual({ a: 1 });
  });
  it("refuses to move a value into its own child", () => {
    expect(fails({ a: { b: {} } }, [{ op: "move", from: "/a", path: "/a/b/c" }]).code).toBe(422);
  });
  it("reports missing from paths", () => {
    expect(fails({}, [{ op: "move", from: "/x", path: "/y" }]).message).toBe("move operation does not apply: doc is missing from path: /x");
    expect(fails({}, [{ op: "copy", from: "/x", path: "/y" }]).message).toBe("copy operation does not apply: doc is missing from path: /x");
  });
  it("reports a missing key on remove", () => {
    expect(fails(pod, [{ op: "remove", path: "/metadata/labels/x" }]).message).toBe(
      "remove operation does not apply: doc is missing key: /metadata/labels/x",
    );
  });
  it("is all or nothing and never mutates the input", () => {
    const doc = structuredClone(pod);
    fails(doc, [
      { op: "replace", path: "/metadata/name", value: "x" },
      { op: "test", path: "/metadata/name", value: "web" },
    ]);
    expect(doc).toEqual(pod);
    const value = { k: "v" };
    const out = applyJsonPatch(doc, [{ op: "add", path: "/metadata/labels", value }]) as any;
    out.metadata.labels.k = "changed";
    expect(value.k).toBe("v");
    expect(doc).toEqual(pod);
  });
  it("validates the patch document as 400s", () => {
    for (const bad of [{}, "x", [1], [{ path: "/a" }], [{ op: "add", path: "a", value: 1 }], [{ op: "add", path: "/a" }], [{ op: "move", path: "/a" }]]) {
      expect(fails({}, bad).code).toBe(400);
    }
    expect(parseJsonPatch([])).toEqual([]);
  });

  // Found by patch.property.test.ts: every copy of the whole document into a new key doubled
  // it, so 30 copies (a 1 KiB body) asked for 2^30 times the object and never finished.
  it("limits what copy operations add, as kube-apiserver does (422)", () => {
    const doubling = Array.from({ length: 40 }, (_, i) => ({ op: "copy", from: "", path: `/k${i}` }));
    const e = fails({ metadata: { name: "x" }, data: { k: "v".repeat(100) } }, doubling);
    expect(e.code).toBe(422);
    expect(e.message).toMatch(new RegExp(`^Unable to complete the copy, the accumulated size increase of copy is \\d+, exceeding the limit ${MAX_JSON_PATCH_COPY_BYTES}$`));
    // Up to the limit, copies apply.
    const big = { s: "x".repeat(MAX_JSON_PATCH_COPY_BYTES / 2 - 10) };
    expect(applyJsonPatch(big, [{ op: "copy", from: "/s", path: "/t" }])).toEqual({ s: big.s, t: big.s });
    expect(fails(big, [{ op: "copy", from: "/s", path: "/t" }, { op: "copy", from: "/s", path: "/u" }, { op: "copy", from: "/s", path: "/v" }]).code).toBe(422);
  });

  it("counts copies in bytes of compact JSON", () => {
    for (const v of [null, true, 0, -1.5e300, "", "é\u{1F600}\n\"", [], {}, [1, [2, {}]], { a: { "b\"": [null, "x"] }, é: 1 }]) {
      expect(jsonByteSize(v)).toBe(new TextEncoder().encode(JSON.stringify(v)).length);
    }
  });

  // Found by the fuzz API test: add a map, move the old value into it, move it back; each three
  // small operations nest a document one level deeper, and copying the result overflowed the stack.
  it("applies patches that nest a document thousands of levels deep without overflowing", () => {
    const ops: unknown[] = [];
    for (let i = 0; i < 20_000; i++) ops.push({ op: "add", path: "/t", value: {} }, { op: "move", from: "/r", path: "/t/r" }, { op: "move", from: "/t", path: "/r" });
    ops.push({ op: "copy", from: "/r", path: "/copy" });
    const out = applyJsonPatch({ r: {} }, ops) as Record<string, unknown>;
    let depth = 0;
    for (let cur: any = out.copy; cur && typeof cur === "object"; cur = cur.r) depth++;
    expect(depth).toBe(20_001);
  });
});
