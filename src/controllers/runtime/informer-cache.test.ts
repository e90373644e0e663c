import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../apis/types.js";
import { selectorMatches } from "../../apis/validation.js";
import { expired, failure } from "../../lib/status.js";
import { labelSelectorFromSet, parseLabelSelector } from "../../registry/selectors/label-selector.js";
import { InformerCache, byControllerUID, byLabel, byNamespace, byOwnerUID, bySelector, selectorsMatching, type SelectorLike } from "./informer-cache.js";

function pod(name: string, rv: string, labels: Record<string, string> = {}, owners: Array<{ uid: string; controller?: boolean }> = []): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "ns",
      resourceVersion: rv,
      labels,
      ownerReferences: owners.map((o) => ({ apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: o.uid, controller: o.controller })),
    },
  };
}

function rs(name: string, selector: SelectorLike | undefined): KubeObject {
  return { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name, namespace: "ns", resourceVersion: "1" }, spec: { selector } };
}

const podIndexers = { namespace: byNamespace, owner: byOwnerUID, controller: byControllerUID, hash: byLabel("pod-template-hash") };

describe("InformerCache", () => {
  it("loads a list, reports what changed, and tracks the resourceVersion", () => {
    const c = new InformerCache({ indexers: podIndexers });
    expect(c.hasSynced).toBe(false);
    const first = c.replace([pod("a", "5"), pod("b", "6")], "10");
    expect(first.map((ch) => [ch.type, ch.object.metadata.name])).toEqual([["ADDED", "a"], ["ADDED", "b"]]);
    expect(c.hasSynced).toBe(true);
    expect(c.resourceVersion).toBe("10");
    expect(c.size).toBe(2);

    // Re-list after 410: a changed, b unchanged, c new, and a missing one deleted.
    c.apply({ type: "ADDED", object: pod("d", "11") });
    const relist = c.replace([pod("a", "12"), pod("b", "6"), pod("c", "13")], "20");
    expect(relist.map((ch) => [ch.type, ch.object.metadata.name])).toEqual([["MODIFIED", "a"], ["ADDED", "c"], ["DELETED", "d"]]);
    expect(c.keys()).toEqual(["ns/a", "ns/b", "ns/c"]);
    expect(c.resourceVersion).toBe("20");
    expect(c.byIndex("namespace", "ns")).toHaveLength(3);
  });

  it("applies watch events", () => {
    const c = new InformerCache({ indexers: podIndexers });
    c.replace([], "1");
    expect(c.apply({ type: "ADDED", object: pod("a", "2") })).toEqual({ status: "applied", change: { type: "ADDED", object: pod("a", "2") } });
    const mod = c.apply({ type: "MODIFIED", object: pod("a", "3", { x: "y" }) });
    expect(mod.status === "applied" && mod.change.type === "MODIFIED" && mod.change.old.metadata.resourceVersion).toBe("2");
    expect(c.get("ns/a")!.metadata.labels).toEqual({ x: "y" });
    // MODIFIED for an unknown key (it entered a selector) is an add.
    const entered = c.apply({ type: "MODIFIED", object: pod("b", "4") });
    expect(entered.status === "applied" && entered.change.type).toBe("ADDED");
    c.apply({ type: "DELETED", object: pod("a", "5") });
    expect(c.get("ns/a")).toBeUndefined();
    expect(c.resourceVersion).toBe("5");
    expect(c.apply({ type: "BOOKMARK", object: { metadata: { resourceVersion: "9" } } })).toEqual({ status: "bookmark" });
    expect(c.resourceVersion).toBe("9");
    expect(c.keys()).toEqual(["ns/b"]);
  });

  it("asks for a re-list on 410 and a re-watch on other errors", () => {
    const c = new InformerCache();
    c.replace([], "1");
    const gone = expired("too old resource version: 1 (5)").status;
    expect(c.apply({ type: "ERROR", object: gone })).toEqual({ status: "relist", error: gone });
    const other = failure(500, "InternalError", "boom");
    expect(c.apply({ type: "ERROR", object: other })).toEqual({ status: "rewatch", error: other });
    expect(c.resourceVersion).toBe("1");
  });

  it("lists by label selector or predicate, ordered by key", () => {
    const c = new InformerCache();
    c.replace([pod("b", "1", { app: "web", tier: "fe" }), pod("a", "1", { app: "web" }), pod("c", "1", { app: "db" })], "1");
    expect(c.list().map((p) => p.metadata.name)).toEqual(["a", "b", "c"]);
    expect(c.list(parseLabelSelector("app=web")).map((p) => p.metadata.name)).toEqual(["a", "b"]);
    expect(c.list(labelSelectorFromSet({ tier: "fe" })).map((p) => p.metadata.name)).toEqual(["b"]);
    expect(c.list((p) => p.metadata.name === "c").map((p) => p.metadata.name)).toEqual(["c"]);
  });

  it("keeps indexes current through updates and deletes", () => {
    const c = new InformerCache({ indexers: podIndexers });
    c.replace(
      [
        pod("a", "1", { "pod-template-hash": "h1" }, [{ uid: "rs1", controller: true }]),
        pod("b", "1", { "pod-template-hash": "h1" }, [{ uid: "rs1", controller: true }, { uid: "other" }]),
        pod("orphan", "1"),
      ],
      "1",
    );
    const names = (objs: KubeObject[]) => objs.map((o) => o.metadata.name);
    expect(names(c.byIndex("owner", "rs1"))).toEqual(["a", "b"]);
    expect(names(c.byIndex("owner", "other"))).toEqual(["b"]);
    expect(names(c.byIndex("controller", "other"))).toEqual([]);
    expect(names(c.byIndex("hash", "h1"))).toEqual(["a", "b"]);

    // Released by its owner and relabelled: moves out of both indexes.
    c.apply({ type: "MODIFIED", object: pod("a", "2", { "pod-template-hash": "h2" }) });
    expect(names(c.byIndex("owner", "rs1"))).toEqual(["b"]);
    expect(names(c.byIndex("hash", "h2"))).toEqual(["a"]);
    c.apply({ type: "DELETED", object: pod("b", "3") });
    expect(names(c.byIndex("owner", "rs1"))).toEqual([]);
    expect(names(c.byIndex("hash", "h1"))).toEqual([]);
    expect(() => c.byIndex("nope", "x")).toThrow(/no index/);
  });

  it("finds the controllers whose selector matches a pod's labels", () => {
    const getSelector = (o: KubeObject) => (o.spec as { selector?: SelectorLike }).selector;
    const c = new InformerCache({ indexers: { selector: bySelector(getSelector) } });
    c.replace(
      [
        rs("web", { matchLabels: { app: "web" } }),
        rs("web-canary", { matchLabels: { app: "web", track: "canary" } }),
        rs("everything", {}),
        rs("expr", { matchExpressions: [{ key: "app", operator: "In", values: ["web", "api"] }] }),
        rs("nil", undefined),
        rs("db", { matchLabels: { app: "db" } }),
      ],
      "1",
    );
    const matches = (o: KubeObject, labels: Record<string, string>) => selectorMatches(getSelector(o) as never, labels);
    const names = (labels: Record<string, string>) => selectorsMatching(c, "selector", labels, matches).map((o) => o.metadata.name);
    expect(names({ app: "web" })).toEqual(["everything", "expr", "web"]);
    expect(names({ app: "web", track: "canary" })).toEqual(["everything", "expr", "web", "web-canary"]);
    expect(names({ app: "db" })).toEqual(["db", "everything"]);
    expect(names({})).toEqual(["everything"]);
  });
});
