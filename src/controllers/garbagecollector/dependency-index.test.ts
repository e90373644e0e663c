import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../apis/types.js";
import { DependencyIndex } from "./dependency-index.js";

const obj = (name: string, owners: string[]): KubeObject => ({
  metadata: { name, uid: `uid-${name}`, ownerReferences: owners.map((o) => ({ apiVersion: "v1", kind: "ConfigMap", name: o, uid: `uid-${o}` })) },
});

describe("DependencyIndex", () => {
  it("is built by a scan, then follows writes", () => {
    const idx = new DependencyIndex();
    idx.observe("a", obj("a", ["x"])); // ignored until built
    expect(idx.built).toBe(false);
    idx.rebuild([{ key: "b", object: obj("b", ["x", "y"]) }]);
    expect(idx.dependents("uid-x")).toEqual(["b"]);
    idx.observe("c", obj("c", ["x"]));
    expect(idx.dependents("uid-x").sort()).toEqual(["b", "c"]);
    idx.observe("b", obj("b", ["y"]));
    expect(idx.dependents("uid-x")).toEqual(["c"]);
    idx.observe("c", undefined);
    expect(idx.dependents("uid-x")).toEqual([]);
    expect(idx.dependents("uid-y")).toEqual(["b"]);
  });
});
