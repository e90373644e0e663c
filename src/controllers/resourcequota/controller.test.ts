import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../apis/types.js";
import type { StoredEvent } from "../../storage/interface.js";
import type { StoreContext } from "../controller.js";
import { quotaKeysFor } from "./controller.js";
import { planStatus } from "./reconcile.js";

const quota = (name: string, hard: Record<string, string>, status?: Record<string, unknown>): KubeObject => ({ metadata: { name }, spec: { hard }, ...(status ? { status } : {}) });
const pod = (name: string, phase = "Running", cpu = "1"): KubeObject => ({ metadata: { name }, spec: { containers: [{ name: "c", resources: { requests: { cpu } } }] }, status: { phase } });

function ctx(quotas: KubeObject[]): StoreContext {
  return { namespace: "ns", store: undefined as never, list: (def) => (def.plural === "resourcequotas" ? quotas : []), now: () => 0 };
}
const ev = (type: StoredEvent["type"], resource: string, object: KubeObject, prev?: KubeObject): StoredEvent => ({ revision: 1, type, resource, name: object.metadata.name!, object, prev });

describe("quota controller handlers", () => {
  const c = ctx([quota("cpu", { "requests.cpu": "4" }), quota("cm", { configmaps: "4" })]);

  it("sync a quota when it is created or its spec changes, not on its own status writes", () => {
    const q = quota("cpu", { "requests.cpu": "4" });
    expect(quotaKeysFor(ev("ADDED", "resourcequotas", q), c)).toEqual(["ns/cpu"]);
    expect(quotaKeysFor(ev("MODIFIED", "resourcequotas", { ...q, status: { used: { "requests.cpu": "1" } } }, q), c)).toEqual([]);
    expect(quotaKeysFor(ev("MODIFIED", "resourcequotas", quota("cpu", { "requests.cpu": "8" }), q), c)).toEqual(["ns/cpu"]);
  });

  it("sync the quotas limiting a kind when one of its objects goes or releases usage", () => {
    expect(quotaKeysFor(ev("ADDED", "pods", pod("a")), c)).toEqual([]);
    expect(quotaKeysFor(ev("DELETED", "pods", pod("a")), c)).toEqual(["ns/cpu"]);
    expect(quotaKeysFor(ev("MODIFIED", "pods", pod("a", "Succeeded"), pod("a")), c)).toEqual(["ns/cpu"]);
    expect(quotaKeysFor(ev("MODIFIED", "pods", { ...pod("a"), metadata: { name: "a", labels: { x: "y" } } }, pod("a")), c)).toEqual([]);
    expect(quotaKeysFor(ev("DELETED", "configmaps", { metadata: { name: "x" } }), c)).toEqual(["ns/cm"]);
    expect(quotaKeysFor(ev("DELETED", "secrets", { metadata: { name: "x" } }), c)).toEqual([]);
  });
});

describe("planStatus", () => {
  const source = { list: (d: { plural: string }) => (d.plural === "pods" ? [pod("a", "Running", "500m"), pod("b", "Failed")] : []), count: () => 0 };

  it("writes hard and the recomputed usage, and nothing once they are current", () => {
    const q = quota("cpu", { "requests.cpu": "4", pods: "10" });
    const status = planStatus(q as never, source, 0);
    expect(status).toEqual({ hard: { "requests.cpu": "4", pods: "10" }, used: { pods: "1", "requests.cpu": "500m" } });
    expect(planStatus({ ...q, status } as never, source, 0)).toBeUndefined();
  });
});
