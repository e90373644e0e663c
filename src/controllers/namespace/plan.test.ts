import { describe, expect, it } from "vitest";
import type { Namespace } from "../../apis/core/v1/namespace.js";
import { rfc3339 } from "../../lib/clock.js";
import type { ContentReport, ResourceContent } from "./content.js";
import { awaitsContentDeletion, plan } from "./plan.js";

const T0 = Date.parse("2025-01-01T00:00:00Z");
const DELETED = rfc3339(T0);

function makeNs(over: { finalizers?: string[]; conditions?: unknown[]; phase?: string; deleting?: boolean } = {}): Namespace {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: "team", uid: "ns-uid", resourceVersion: "7", ...(over.deleting === false ? {} : { deletionTimestamp: DELETED, deletionGracePeriodSeconds: 0 }) },
    spec: { finalizers: over.finalizers ?? ["kubernetes"] },
    status: { phase: over.phase ?? "Terminating", ...(over.conditions ? { conditions: over.conditions as never } : {}) },
  } as Namespace;
}

const res = (resource: string, o: Partial<ResourceContent> = {}): ResourceContent => ({
  group: "",
  version: "v1",
  resource,
  gracePeriodSeconds: 0,
  remaining: 0,
  finalizers: {},
  ...o,
});
const report = (...resources: ResourceContent[]): ContentReport => ({ resources });

const allClear = (at: string) => [
  { type: "NamespaceDeletionDiscoveryFailure", status: "False", lastTransitionTime: at, reason: "ResourcesDiscovered", message: "All resources successfully discovered" },
  { type: "NamespaceDeletionGroupVersionParsingFailure", status: "False", lastTransitionTime: at, reason: "ParsedGroupVersions", message: "All legacy kube types successfully parsed" },
  { type: "NamespaceDeletionContentFailure", status: "False", lastTransitionTime: at, reason: "ContentDeleted", message: "All content successfully deleted, may be waiting on finalization" },
  { type: "NamespaceContentRemaining", status: "False", lastTransitionTime: at, reason: "ContentRemoved", message: "All content successfully removed" },
  { type: "NamespaceFinalizersRemaining", status: "False", lastTransitionTime: at, reason: "ContentHasNoFinalizers", message: "All content-preserving finalizers finished" },
];

describe("awaitsContentDeletion", () => {
  it("is true only for a namespace being deleted whose spec.finalizers are not empty", () => {
    expect(awaitsContentDeletion(makeNs())).toBe(true);
    expect(awaitsContentDeletion(makeNs({ deleting: false }))).toBe(false);
    expect(awaitsContentDeletion(makeNs({ finalizers: [] }))).toBe(false);
    expect(awaitsContentDeletion(makeNs({ finalizers: ["example.com/other"] }))).toBe(true);
  });
});

describe("namespace plan", () => {
  it("nothing left: every condition reads False and the kubernetes finalizer goes", () => {
    const p = plan(makeNs(), report(res("pods"), res("configmaps")), T0 + 1000);
    expect(p).toEqual({ status: { phase: "Terminating", conditions: allClear(rfc3339(T0 + 1000)) }, finalize: [] });
  });

  it("keeps other spec finalizers, sorted, when it finalizes", () => {
    const p = plan(makeNs({ finalizers: ["kubernetes", "z.io/b", "a.io/a"] }), report(), T0);
    expect(p.finalize).toEqual(["a.io/a", "z.io/b"]);
  });

  it("writes no status when the conditions already say so", () => {
    const ns = makeNs({ conditions: allClear(DELETED) });
    expect(plan(ns, report(), T0 + 60_000)).toEqual({ finalize: [] });
  });

  it("sets the phase to Terminating when it is not yet", () => {
    const p = plan(makeNs({ phase: "Active", conditions: allClear(DELETED) }), report(), T0);
    expect(p.status).toEqual({ phase: "Terminating", conditions: allClear(DELETED) });
  });

  it("content held by finalizers: SomeResourcesRemain, SomeFinalizersRemain, and a wait of 15/2+1 s", () => {
    const now = T0 + 2000;
    const p = plan(
      makeNs(),
      report(
        res("pods"),
        res("configmaps", { remaining: 2, finalizers: { "example.com/x": 1, "example.com/y": 2 } }),
        res("deployments", { group: "apps", remaining: 1, finalizers: { "example.com/x": 1 } }),
      ),
      now,
    );
    expect(p.finalize).toBeUndefined();
    expect(p.error).toBeUndefined();
    expect(p.requeueAfterSeconds).toBe(8);
    const byType = Object.fromEntries((p.status!.conditions ?? []).map((c) => [c.type, c]));
    expect(byType.NamespaceContentRemaining).toEqual({
      type: "NamespaceContentRemaining",
      status: "True",
      lastTransitionTime: rfc3339(now),
      reason: "SomeResourcesRemain",
      message: "Some resources are remaining: configmaps. has 2 resource instances, deployments.apps has 1 resource instances",
    });
    expect(byType.NamespaceFinalizersRemaining).toEqual({
      type: "NamespaceFinalizersRemaining",
      status: "True",
      lastTransitionTime: rfc3339(now),
      reason: "SomeFinalizersRemain",
      message: "Some content in the namespace has finalizers remaining: example.com/x in 2 resource instances, example.com/y in 2 resource instances",
    });
    expect(byType.NamespaceDeletionContentFailure).toMatchObject({ status: "False", reason: "ContentDeleted" });
    expect(p.status!.conditions!.map((c) => c.type)).toEqual([
      "NamespaceDeletionDiscoveryFailure",
      "NamespaceDeletionGroupVersionParsingFailure",
      "NamespaceDeletionContentFailure",
      "NamespaceContentRemaining",
      "NamespaceFinalizersRemaining",
    ]);
  });

  it("pods in graceful termination: waits half the grace period, without a finalizer condition", () => {
    const p = plan(makeNs(), report(res("pods", { gracePeriodSeconds: 30, remaining: 2 })), T0 + 1000);
    expect(p.requeueAfterSeconds).toBe(16);
    const byType = Object.fromEntries((p.status!.conditions ?? []).map((c) => [c.type, c]));
    expect(byType.NamespaceContentRemaining.message).toBe("Some resources are remaining: pods. has 2 resource instances");
    expect(byType.NamespaceFinalizersRemaining).toMatchObject({ status: "False", reason: "ContentHasNoFinalizers" });
  });

  it("the grace estimate lapses once that long has passed since the namespace was deleted", () => {
    // Pods still there with neither time left nor finalizers: unexpected, reported as a failure.
    const p = plan(makeNs(), report(res("pods", { gracePeriodSeconds: 30, remaining: 1 })), T0 + 30_000);
    expect(p.requeueAfterSeconds).toBeUndefined();
    expect(p.error).toBe("unexpected items still remain in namespace: team for gvr: /v1, Resource=pods");
    const failure = p.status!.conditions!.find((c) => c.type === "NamespaceDeletionContentFailure");
    expect(failure).toMatchObject({
      status: "True",
      reason: "ContentDeletionFailed",
      message: "Failed to delete all resource types, 1 remaining: unexpected items still remain in namespace: team for gvr: /v1, Resource=pods",
    });
    expect(p.finalize).toBeUndefined();
  });

  it("deletion errors: ContentDeletionFailed with the sorted messages, and the reconcile fails", () => {
    const p = plan(makeNs(), report(res("secrets", { error: "boom b" }), res("configmaps", { error: "boom a" })), T0);
    expect(p.error).toBe("[boom b, boom a]");
    const failure = p.status!.conditions!.find((c) => c.type === "NamespaceDeletionContentFailure");
    expect(failure?.message).toBe("Failed to delete all resource types, 2 remaining: boom a, boom b");
    expect(p.finalize).toBeUndefined();
  });

  it("changes a condition in place, keeping its lastTransitionTime unless the status flips, and keeps foreign conditions", () => {
    const earlier = rfc3339(T0);
    const before = [
      { type: "Custom", status: "True", reason: "Mine", message: "kept" },
      ...allClear(earlier).map((c) =>
        c.type === "NamespaceContentRemaining" ? { ...c, status: "True", reason: "SomeResourcesRemain", message: "Some resources are remaining: configmaps. has 3 resource instances" } : c,
      ),
    ];
    const later = T0 + 10_000;
    // Still content, but a different count: message changes, lastTransitionTime stays.
    const p1 = plan(makeNs({ conditions: before }), report(res("configmaps", { remaining: 1, finalizers: { "f.io/x": 1 } })), later);
    const c1 = p1.status!.conditions!;
    expect(c1[0]).toEqual(before[0]);
    const remaining1 = c1.find((c) => c.type === "NamespaceContentRemaining")!;
    expect(remaining1).toMatchObject({ status: "True", message: "Some resources are remaining: configmaps. has 1 resource instances", lastTransitionTime: earlier });
    expect(c1.find((c) => c.type === "NamespaceFinalizersRemaining")).toMatchObject({ status: "True", lastTransitionTime: rfc3339(later) });
    // Content gone: flips to False with a new lastTransitionTime.
    const p2 = plan(makeNs({ conditions: before }), report(), later);
    expect(p2.status!.conditions!.find((c) => c.type === "NamespaceContentRemaining")).toEqual({
      type: "NamespaceContentRemaining",
      status: "False",
      lastTransitionTime: rfc3339(later),
      reason: "ContentRemoved",
      message: "All content successfully removed",
    });
    expect(p2.finalize).toEqual([]);
  });
});
