// Field paths and sets, against structured-merge-diff's fieldpath examples and the FieldsV1 that
// kube-apiserver writes.
import { describe, expect, it } from "vitest";
import { FieldSet, field, index, keyElement, parseElement, pathString, serializeElement, valueElement } from "./fieldpath.js";

describe("path elements", () => {
  it("serialize as FieldsV1 keys and parse back", () => {
    const cases: Array<[ReturnType<typeof field>, string]> = [
      [field("spec"), "f:spec"],
      [keyElement([["name", "nginx"]]), 'k:{"name":"nginx"}'],
      [keyElement([["protocol", "TCP"], ["containerPort", 80]]), 'k:{"containerPort":80,"protocol":"TCP"}'],
      [valueElement("kubernetes.io/pvc-protection"), 'v:"kubernetes.io/pvc-protection"'],
      [valueElement(5), "v:5"],
      [index(3), "i:3"],
    ];
    for (const [pe, s] of cases) {
      expect(serializeElement(pe)).toBe(s);
      expect(serializeElement(parseElement(s))).toBe(s);
    }
    expect(() => parseElement("x:foo")).toThrow(/unknown path element type/);
  });

  it("print as upstream's Path.String()", () => {
    expect(pathString([field("spec"), field("replicas")])).toBe(".spec.replicas");
    expect(pathString([field("spec"), field("containers"), keyElement([["name", "nginx"]]), field("image")])).toBe('.spec.containers[name="nginx"].image');
    expect(pathString([field("ports"), keyElement([["protocol", "TCP"], ["containerPort", 80]])])).toBe('.ports[containerPort=80,protocol="TCP"]');
    expect(pathString([field("finalizers"), valueElement("a")])).toBe('.finalizers[="a"]');
    expect(pathString([field("args"), index(0)])).toBe(".args[0]");
  });
});

describe("sets", () => {
  const a = (...p: string[]) => p.map(field);
  it("union, intersection, difference (fieldpath set_test examples)", () => {
    const s1 = FieldSet.of(a("a", "b"), a("a", "c"), a("d"));
    const s2 = FieldSet.of(a("a", "c"), a("e"));
    expect([...s1.union(s2).paths()].map(pathString)).toEqual([".d", ".e", ".a.b", ".a.c"]);
    expect([...s1.intersection(s2).paths()].map(pathString)).toEqual([".a.c"]);
    expect([...s1.difference(s2).paths()].map(pathString)).toEqual([".d", ".a.b"]);
    expect(s1.has(a("a", "b"))).toBe(true);
    expect(s1.has(a("a"))).toBe(false);
    expect(new FieldSet().empty()).toBe(true);
    expect(s1.difference(s1).empty()).toBe(true);
  });

  it("difference removes exact paths; recursiveDifference removes subtrees", () => {
    const s = FieldSet.of(a("a"), a("a", "b"), a("c"));
    expect([...s.difference(FieldSet.of(a("a"))).paths()].map(pathString)).toEqual([".c", ".a.b"]);
    expect([...s.recursiveDifference(FieldSet.of(a("a"))).paths()].map(pathString)).toEqual([".c"]);
  });

  it("round-trips FieldsV1, with '.' for an element that is a member and has children, in upstream's order", () => {
    const fieldsV1 = {
      "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
      "f:spec": {
        "f:replicas": {},
        "f:template": {
          "f:spec": {
            "f:containers": {
              'k:{"name":"nginx"}': {
                ".": {},
                "f:image": {},
                "f:name": {},
                "f:ports": { 'k:{"containerPort":80,"protocol":"TCP"}': { ".": {}, "f:containerPort": {}, "f:protocol": {} } },
              },
            },
          },
        },
      },
    };
    const s = FieldSet.fromFieldsV1(fieldsV1);
    expect(s.has([field("metadata"), field("labels")])).toBe(true);
    expect(s.has([field("metadata")])).toBe(false);
    expect(s.has([field("spec"), field("template"), field("spec"), field("containers"), keyElement([["name", "nginx"]])])).toBe(true);
    expect(JSON.stringify(s.toFieldsV1())).toBe(JSON.stringify(fieldsV1));
  });

  it("orders fields before keys before values before indices, keys by value type then value", () => {
    const s = FieldSet.of([index(1)], [valueElement("b")], [valueElement(2)], [keyElement([["k", "x"]])], [field("z")], [field("a")]);
    expect(Object.keys(s.toFieldsV1())).toEqual(["f:a", "f:z", 'k:{"k":"x"}', "v:2", 'v:"b"', "i:1"]);
  });
});
