// The typed operations against structured-merge-diff's documented behaviour: merge of
// associative lists by key (keeping the order of both sides), atomic lists replaced, maps merged
// per key; field sets; comparisons.
import { describe, expect, it } from "vitest";
import { findKind } from "../../apis/index.js";
import { FieldSet, field, keyElement, pathString } from "./fieldpath.js";
import { DEDUCED, SCALAR, type TypeNode, typeOf } from "./schema.js";
import { compare, merge, removeItems, toFieldSet } from "./typed.js";

const item: TypeNode = { kind: "map", fields: new Map([["name", SCALAR], ["value", SCALAR]]) };
const assoc: TypeNode = { kind: "list", elem: item, listType: "map", keys: ["name"] };
const set: TypeNode = { kind: "list", elem: SCALAR, listType: "set" };
const atomic: TypeNode = { kind: "list", elem: SCALAR, listType: "atomic" };
const root: TypeNode = {
  kind: "map",
  fields: new Map<string, TypeNode>([
    ["list", assoc],
    ["set", set],
    ["atomic", atomic],
    ["labels", { kind: "map", fields: new Map(), elem: SCALAR }],
    ["free", DEDUCED],
    ["n", SCALAR],
  ]),
};
const names = (v: unknown) => ((v as { list: Array<{ name: string }> }).list ?? []).map((i) => i.name);

describe("merge", () => {
  it("associative lists merge items by key: shared items keep the applier's order, others stay in place (merge_test 'merge list keeps order')", () => {
    const live = { list: [{ name: "a" }, { name: "b" }, { name: "c" }] };
    expect(names(merge(live, { list: [{ name: "c" }, { name: "d" }, { name: "a" }] }, root))).toEqual(["b", "c", "d", "a"]);
    expect(names(merge(live, { list: [{ name: "d" }] }, root))).toEqual(["a", "b", "c", "d"]);
    expect(merge({ list: [{ name: "a", value: "1" }] }, { list: [{ name: "a", value: "2" }] }, root)).toEqual({ list: [{ name: "a", value: "2" }] });
  });

  it("sets merge by value; atomic lists are replaced; maps merge per key; scalars take the applied value", () => {
    expect(merge({ set: ["a", "b"] }, { set: ["c", "a"] }, root)).toEqual({ set: ["c", "a", "b"] });
    expect(merge({ atomic: ["a", "b"] }, { atomic: ["c"] }, root)).toEqual({ atomic: ["c"] });
    expect(merge({ labels: { a: "1" }, n: 1 }, { labels: { b: "2" }, n: 2 }, root)).toEqual({ labels: { a: "1", b: "2" }, n: 2 });
    expect(merge({ free: { x: { y: 1 } } }, { free: { x: { z: 2 } } }, root)).toEqual({ free: { x: { y: 1, z: 2 } } });
  });

  it("refuses duplicate keys in the applied configuration", () => {
    expect(() => merge({}, { list: [{ name: "a" }, { name: "a" }] }, { kind: "map", fields: new Map([["list", assoc]]) })).not.toThrow(); // lhs absent: taken as is
    expect(() => merge({ list: [] }, { list: [{ name: "a" }, { name: "a" }] }, root)).toThrow('.list: duplicate entries for key name="a"');
  });
});

describe("field sets", () => {
  it("hold leaves, list items (as members), map entries, and empty fields", () => {
    const s = toFieldSet({ n: 1, list: [{ name: "a", value: "x" }], set: ["s"], atomic: ["q"], labels: { app: "w" }, free: {} }, root);
    expect(s.toFieldsV1()).toEqual({
      "f:atomic": {},
      "f:free": {},
      "f:labels": { "f:app": {} },
      "f:list": { 'k:{"name":"a"}': { ".": {}, "f:name": {}, "f:value": {} } },
      "f:n": {},
      "f:set": { 'v:"s"': {} },
    });
  });

  it("for a Deployment, follow the built-in list keys", () => {
    const t = typeOf(findKind("apps", "v1", "deployments")!);
    const s = toFieldSet({ metadata: { finalizers: ["f"] }, spec: { template: { spec: { containers: [{ name: "c", env: [{ name: "E", value: "1" }], args: ["x"] }], tolerations: [{ key: "k" }] } } } }, t);
    expect(s.toFieldsV1()).toEqual({
      "f:metadata": { "f:finalizers": { 'v:"f"': {} } },
      "f:spec": {
        "f:template": {
          "f:spec": {
            "f:containers": { 'k:{"name":"c"}': { ".": {}, "f:args": {}, "f:env": { 'k:{"name":"E"}': { ".": {}, "f:name": {}, "f:value": {} } }, "f:name": {} } },
            "f:tolerations": {},
          },
        },
      },
    });
  });
});

describe("compare", () => {
  it("reports added (with every added node), modified and removed paths", () => {
    const c = compare({ n: 1, labels: { a: "1", b: "2" } }, { n: 2, labels: { a: "1" }, list: [{ name: "x" }] }, root);
    expect([...c.modified.paths()].map(pathString)).toEqual([".n"]);
    expect([...c.removed.paths()].map(pathString)).toEqual([".labels.b"]);
    expect([...c.added.paths()].map(pathString)).toEqual([".list", '.list[name="x"]', '.list[name="x"].name']);
  });
});

describe("removeItems", () => {
  it("drops members with their subtrees and descends into children", () => {
    const v = { n: 1, labels: { a: "1", b: "2" }, list: [{ name: "x", value: "1" }, { name: "y", value: "2" }] };
    const s = FieldSet.of([field("n")], [field("labels"), field("b")], [field("list"), keyElement([["name", "x"]])], [field("list"), keyElement([["name", "y"]]), field("value")]);
    expect(removeItems(v, s, root)).toEqual({ labels: { a: "1" }, list: [{ name: "y" }] });
  });
});

describe("schemas of the served kinds", () => {
  it("every kind has a struct root declaring apiVersion, kind, metadata", async () => {
    const { kinds } = await import("../../apis/index.js");
    for (const def of kinds) {
      const t = typeOf(def);
      expect(t.kind, def.kind).toBe("map");
      if (t.kind === "map") for (const f of ["apiVersion", "kind", "metadata"]) expect(t.fields.has(f), `${def.kind}.${f}`).toBe(true);
    }
  });

  it("service ports are keyed by port and protocol; ownerReferences by uid; conditions by type", () => {
    const svc = typeOf(findKind("", "v1", "services")!);
    const s = toFieldSet({ metadata: { ownerReferences: [{ uid: "u", name: "n" }] }, spec: { ports: [{ port: 80, targetPort: 8080 }] }, status: { conditions: [{ type: "Ready" }] } }, svc);
    expect(s.toFieldsV1()).toEqual({
      "f:metadata": { "f:ownerReferences": { 'k:{"uid":"u"}': { ".": {}, "f:name": {}, "f:uid": {} } } },
      "f:spec": { "f:ports": { 'k:{"port":80,"protocol":"TCP"}': { ".": {}, "f:port": {}, "f:targetPort": {} } } },
      "f:status": { "f:conditions": { 'k:{"type":"Ready"}': { ".": {}, "f:type": {} } } },
    });
  });
});
