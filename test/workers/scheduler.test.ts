// The scheduler in workerd: the stores feed pod and node changes to the ClusterControllers
// singleton, whose alarm binds pods through pods/binding, spreads a ReplicaSet's pods, and
// reports pods that fit nowhere with PodScheduled=False and a FailedScheduling event.
import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eventually as eventuallyIn, get, newNs, post, put, replicaSet } from "./helpers.js";

const controllers = () => (env as any).CLUSTER_CONTROLLERS.get((env as any).CLUSTER_CONTROLLERS.idFromName("cluster"));

/** Polls, firing the cluster controllers' alarm (and the namespace's controllers) between polls. */
async function eventually<T>(ns: string, check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  return eventuallyIn([ns], async () => {
    await runDurableObjectAlarm(controllers());
    return check();
  }, timeoutMs);
}

async function node(name: string, o: { cpu?: string; labels?: Record<string, string>; taints?: unknown[] } = {}) {
  const body = {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name, labels: { "kubernetes.io/hostname": name, ...(o.labels ?? {}) } },
    spec: o.taints ? { taints: o.taints } : {},
  };
  const r = await post("/api/v1/nodes", body);
  expect(r.status, r.text).toBe(201);
  const status = {
    capacity: { cpu: o.cpu ?? "2", memory: "4Gi", pods: "110" },
    allocatable: { cpu: o.cpu ?? "2", memory: "4Gi", pods: "110" },
    conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }],
  };
  const s = await put(`/api/v1/nodes/${name}/status`, { ...r.body, status });
  expect(s.status, s.text).toBe(200);
}

const withCpu = (rs: any, cpu: string, extra: Record<string, unknown> = {}) => {
  rs.spec.template.spec = { ...rs.spec.template.spec, ...extra, containers: rs.spec.template.spec.containers.map((c: any) => ({ ...c, resources: { requests: { cpu } } })) };
  return rs;
};

describe("scheduler", () => {
  const suffix = Math.random().toString(36).slice(2, 7);
  const zone = `z${suffix}`;

  it("binds a ReplicaSet's pods evenly over the nodes that match, with a Scheduled event each", async () => {
    for (const i of [0, 1, 2]) await node(`w${i}-${suffix}`, { labels: { zone } });
    const ns = await newNs("sched");
    const rs = withCpu(replicaSet("web", 9), "100m", { nodeSelector: { zone } });
    expect((await post(`/apis/apps/v1/namespaces/${ns}/replicasets`, rs)).status).toBe(201);
    const pods = await eventually(ns, async () => {
      const list = (await get(`/api/v1/namespaces/${ns}/pods`)).body.items as any[];
      return list.length === 9 && list.every((p) => p.spec.nodeName) ? list : undefined;
    });
    const perNode: Record<string, number> = {};
    for (const p of pods) perNode[p.spec.nodeName] = (perNode[p.spec.nodeName] ?? 0) + 1;
    expect(perNode).toEqual({ [`w0-${suffix}`]: 3, [`w1-${suffix}`]: 3, [`w2-${suffix}`]: 3 });
    for (const p of pods) {
      expect(p.status.conditions.find((c: any) => c.type === "PodScheduled")).toMatchObject({ status: "True" });
      // DefaultTolerationSeconds admission added upstream's two NoExecute tolerations.
      expect(p.spec.tolerations).toEqual(
        expect.arrayContaining([
          { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
          { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
        ]),
      );
    }
    const events = (await get(`/api/v1/namespaces/${ns}/events`)).body.items as any[];
    const scheduled = events.filter((e) => e.reason === "Scheduled");
    expect(scheduled).toHaveLength(9);
    expect(scheduled[0].source.component).toBe("default-scheduler");
    expect(scheduled[0].message).toMatch(new RegExp(`^Successfully assigned ${ns}/web-[a-z0-9]{5} to w[012]-${suffix}$`));
  });

  it("reports a pod that fits nowhere, and binds it when a node that fits arrives", async () => {
    const ns = await newNs("sched");
    const big = { apiVersion: "v1", kind: "Pod", metadata: { name: "big" }, spec: { nodeSelector: { zone }, containers: [{ name: "c", image: "x", resources: { requests: { cpu: "3" } } }] } };
    expect((await post(`/api/v1/namespaces/${ns}/pods`, big)).status).toBe(201);
    const cond = await eventually(ns, async () => {
      const p = (await get(`/api/v1/namespaces/${ns}/pods/big`)).body;
      return p.status?.conditions?.find((c: any) => c.type === "PodScheduled" && c.status === "False");
    });
    expect(cond.reason).toBe("Unschedulable");
    // Other test files' nodes may exist: only the count of nodes differs, the reasons are fixed.
    expect(cond.message).toMatch(/^0\/\d+ nodes are available: (\d+ node\(s\) didn't match Pod's node affinity\/selector, )?3 Insufficient cpu\.$/);
    const ev = await eventually(ns, async () => ((await get(`/api/v1/namespaces/${ns}/events`)).body.items as any[]).find((e) => e.reason === "FailedScheduling"));
    expect(ev).toMatchObject({ type: "Warning", message: cond.message, involvedObject: { kind: "Pod", name: "big" } });
    // Its own condition write does not send it round again: past the 1 s backoff, still one attempt.
    for (let i = 0; i < 8; i++) {
      await runDurableObjectAlarm(controllers());
      await new Promise((r) => setTimeout(r, 200));
    }
    const again = ((await get(`/api/v1/namespaces/${ns}/events`)).body.items as any[]).find((e) => e.reason === "FailedScheduling");
    expect(again.count ?? 1).toBe(1);

    await node(`big-${suffix}`, { cpu: "4", labels: { zone } });
    const bound = await eventually(ns, async () => {
      const p = (await get(`/api/v1/namespaces/${ns}/pods/big`)).body;
      return p.spec.nodeName ? p : undefined;
    });
    expect(bound.spec.nodeName).toBe(`big-${suffix}`);
    expect(bound.status.conditions.find((c: any) => c.type === "PodScheduled")).toMatchObject({ status: "True" });
  });

  it("leaves pods of another scheduler alone", async () => {
    const ns = await newNs("sched");
    const other = { apiVersion: "v1", kind: "Pod", metadata: { name: "other" }, spec: { schedulerName: "my-scheduler", containers: [{ name: "c", image: "x" }] } };
    expect((await post(`/api/v1/namespaces/${ns}/pods`, other)).status).toBe(201);
    for (let i = 0; i < 5; i++) await runDurableObjectAlarm(controllers());
    const p = (await get(`/api/v1/namespaces/${ns}/pods/other`)).body;
    expect(p.spec.nodeName).toBeUndefined();
    expect(p.status.conditions ?? []).toEqual([]);
  });
});
