import { describe, it, expect } from "vitest";
import { applyMergePatch } from "./json-merge-patch.js";

describe("applyMergePatch (RFC 7386)", () => {
  // RFC 7386 Appendix A, every row.
  const appendix: Array<[unknown, unknown, unknown]> = [
    [{ a: "b" }, { a: "c" }, { a: "c" }],
    [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
    [{ a: "b" }, { a: null }, {}],
    [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
    [{ a: ["b"] }, { a: "c" }, { a: "c" }],
    [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
    [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
    [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
    [["a", "b"], ["c", "d"], ["c", "d"]],
    [{ a: "b" }, ["c"], ["c"]],
    [{ a: "foo" }, null, null],
    [{ a: "foo" }, "bar", "bar"],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: "b", c: null }, { a: "b" }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  it.each(appendix.map(([t, p, r], i) => ({ i, t, p, r })))("appendix A example $i", ({ t, p, r }) => {
    expect(applyMergePatch(t, p)).toEqual(r);
  });

  it("follows the RFC section 3 example", () => {
    const target = {
      title: "Goodbye!",
      author: { givenName: "John", familyName: "Doe" },
      tags: ["example", "sample"],
      content: "This will be unchanged",
    };
    const patch = { title: "Hello!", phoneNumber: "+01-123-456-7890", author: { familyName: null }, tags: ["example"] };
    expect(applyMergePatch(target, patch)).toEqual({
      title: "Hello!",
      author: { givenName: "John" },
      tags: ["example"],
      content: "This will be unchanged",
      phoneNumber: "+01-123-456-7890",
    });
  });

  it("does not mutate its inputs nor share structure with them", () => {
    const target = { metadata: { labels: { a: "1" } }, spec: { list: [1, 2] } };
    const patch = { metadata: { labels: { b: "2", a: null } }, spec: { extra: { x: [1] } } };
    const t0 = structuredClone(target);
    const p0 = structuredClone(patch);
    const out = applyMergePatch(target, patch) as any;
    expect(target).toEqual(t0);
    expect(patch).toEqual(p0);
    out.spec.list.push(3);
    out.spec.extra.x.push(2);
    expect(target.spec.list).toEqual([1, 2]);
    expect(patch.spec.extra.x).toEqual([1]);
  });

  it("keeps __proto__ as an ordinary key", () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}}');
    const out = applyMergePatch({}, patch) as Record<string, unknown>;
    expect(Object.prototype.hasOwnProperty.call(out, "__proto__")).toBe(true);
    expect(({} as any).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });
});
