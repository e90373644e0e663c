import { describe, expect, it } from "vitest";
import { type Deployment, DeploymentSchema, applyDeploymentDefaults } from "../../apis/apps/v1/deployment.js";
import { type ReplicaSet } from "../../apis/apps/v1/replicaset.js";
import { type Pod, PodSchema } from "../../apis/core/v1/pod.js";
import { rfc3339 } from "../../lib/clock.js";
import { computeHash } from "./hash.js";
import { type DeploymentAction, type DeploymentPlan, plan } from "./plan.js";
import { resolveFenceposts } from "./util.js";

const T0 = Date.parse("2025-01-01T00:00:00Z");

function makeDeployment(spec: Record<string, unknown> = {}): Deployment {
  const d = DeploymentSchema.parse({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", uid: "d-uid", generation: 1 },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image: "nginx:1" }] } },
      ...spec,
    },
  });
  applyDeploymentDefaults(d);
  return d;
}

/** A cluster in miniature: applies the plan's actions, and plays ReplicaSet controller + kubelet. */
class World {
  rss: ReplicaSet[] = [];
  pods: Pod[] = [];
  events: string[] = [];
  now = T0;
  private seq = 0;
  last!: DeploymentPlan;
  constructor(public d: Deployment) {}

  sync(opts: { otherReplicaSets?: ReplicaSet[]; createError?: string } = {}): DeploymentPlan {
    this.now += 1000;
    const p = plan(this.d, this.rss, this.pods, { now: this.now, ...opts });
    for (const a of p.actions) this.apply(a);
    if (p.revision !== undefined) this.d.metadata.annotations = { ...this.d.metadata.annotations, "deployment.kubernetes.io/revision": p.revision };
    this.d.status = p.status;
    this.last = p;
    return p;
  }

  private apply(a: DeploymentAction): void {
    switch (a.type) {
      case "createReplicaSet": {
        const rs = structuredClone(a.replicaSet);
        rs.metadata.uid = `rs-uid-${++this.seq}`;
        rs.metadata.creationTimestamp = rfc3339(this.now + this.seq * 1000);
        rs.metadata.generation = 1;
        rs.metadata.resourceVersion = String(this.seq);
        this.rss.push(rs);
        break;
      }
      case "updateReplicaSet": {
        const i = this.rss.findIndex((rs) => rs.metadata.name === a.replicaSet.metadata.name);
        this.rss[i] = structuredClone(a.replicaSet);
        break;
      }
      case "deleteReplicaSet":
        this.rss = this.rss.filter((rs) => rs.metadata.uid !== a.uid);
        break;
      case "event":
        this.events.push(`${a.reason}: ${a.message}`);
        break;
    }
  }

  /** Every ReplicaSet runs spec.replicas pods; `available` decides whether new pods are available. */
  settle(available: (rs: ReplicaSet) => boolean = () => true): void {
    for (const rs of this.rss) {
      const n = rs.spec.replicas ?? 1;
      const ok = available(rs) ? n : Math.min(n, rs.status?.availableReplicas ?? 0);
      rs.status = { replicas: n, readyReplicas: ok, availableReplicas: ok, observedGeneration: rs.metadata.generation };
    }
  }

  rs(name: string): ReplicaSet {
    return this.rss.find((rs) => rs.metadata.name === name)!;
  }

  newest(): ReplicaSet {
    return this.rss[this.rss.length - 1];
  }

  changeTemplate(image: string): void {
    this.d.spec.template.spec.containers![0].image = image;
    this.d.metadata.generation = (this.d.metadata.generation ?? 0) + 1;
  }

  /** Rolls until nothing changes; returns [new, old] replicas after each step. */
  roll(available?: (rs: ReplicaSet) => boolean, limit = 30): Array<[number, number]> {
    const steps: Array<[number, number]> = [];
    for (let i = 0; i < limit; i++) {
      const before = JSON.stringify(this.d.status);
      const p = this.sync();
      this.settle(available);
      if (!p.actions.some((a) => a.type !== "event")) {
        if (JSON.stringify(this.d.status) === before) break; // a status write would trigger one more sync
        continue;
      }
      const [newRS, ...old] = [this.newest(), ...this.rss.slice(0, -1)];
      steps.push([newRS.spec.replicas ?? 0, old.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0)]);
    }
    return steps;
  }
}

function deployed(spec: Record<string, unknown> = {}): World {
  const w = new World(makeDeployment(spec));
  w.sync();
  w.settle();
  w.sync();
  return w;
}

const condition = (w: World, type: string) => w.d.status?.conditions?.find((c) => c.type === type);

describe("first rollout", () => {
  it("creates <name>-<hash> with the hash label, owner, annotations and full count", () => {
    const w = new World(makeDeployment());
    const p = w.sync();
    const hash = computeHash(w.d.spec.template);
    const create = p.actions.find((a) => a.type === "createReplicaSet")!.replicaSet;
    expect(create.metadata).toEqual({
      name: `web-${hash}`,
      namespace: "default",
      ownerReferences: [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: "d-uid", controller: true, blockOwnerDeletion: true }],
      labels: { app: "web", "pod-template-hash": hash },
      annotations: { "deployment.kubernetes.io/revision": "1", "deployment.kubernetes.io/desired-replicas": "3", "deployment.kubernetes.io/max-replicas": "4" },
    });
    expect(create.spec.selector).toEqual({ matchLabels: { app: "web", "pod-template-hash": hash } });
    expect(create.spec.template.metadata?.labels).toEqual({ app: "web", "pod-template-hash": hash });
    expect(create.spec.replicas).toBe(3);
    expect(p.revision).toBe("1");
    expect(w.events).toEqual([`ScalingReplicaSet: Scaled up replica set web-${hash} from 0 to 3`]);
    expect(condition(w, "Progressing")).toMatchObject({ status: "True", reason: "NewReplicaSetCreated", message: `Created new replica set "web-${hash}"` });
    expect(condition(w, "Available")).toMatchObject({ status: "False", reason: "MinimumReplicasUnavailable", message: "Deployment does not have minimum availability." });
  });

  it("reports completion in status and conditions", () => {
    const w = deployed();
    const name = w.newest().metadata.name;
    expect(w.d.status).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 });
    expect(w.d.status?.unavailableReplicas).toBeUndefined();
    expect(condition(w, "Available")).toMatchObject({ status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability." });
    expect(condition(w, "Progressing")).toMatchObject({ status: "True", reason: "NewReplicaSetAvailable", message: `ReplicaSet "${name}" has successfully progressed.` });
    // A steady state plans nothing and needs no progress check.
    const again = w.sync();
    expect(again.actions).toEqual([]);
    expect(again.requeueAfterSeconds).toBeUndefined();
  });
});

describe("RollingUpdate", () => {
  it("replicas 3, 25%/25% (surge 1, unavailable 0)", () => {
    const w = deployed();
    w.changeTemplate("nginx:2");
    expect(w.roll()).toEqual([[1, 3], [1, 2], [2, 2], [2, 1], [3, 1], [3, 0]]);
    expect(w.d.status).toMatchObject({ observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3 });
    expect(w.d.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("2");
  });

  it("replicas 4, 25%/25% (surge 1, unavailable 1)", () => {
    const w = deployed({ replicas: 4 });
    w.changeTemplate("nginx:2");
    expect(w.roll()).toEqual([[1, 3], [2, 3], [2, 1], [4, 1], [4, 0]]);
  });

  it("replicas 10, 25%/25% (surge 3, unavailable 2) never exceeds 13 pods nor drops under 8 available", () => {
    const w = deployed({ replicas: 10 });
    w.changeTemplate("nginx:2");
    const steps = w.roll();
    expect(steps).toEqual([[3, 8], [5, 8], [5, 3], [10, 3], [10, 0]]);
    for (const [a, b] of steps) expect(a + b).toBeLessThanOrEqual(13);
  });

  it("maxSurge 0 scales down first", () => {
    const w = deployed({ strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } });
    w.changeTemplate("nginx:2");
    const first = w.newest();
    expect(first.spec.replicas).toBe(3);
    expect(w.roll()).toEqual([[0, 2], [1, 2], [1, 1], [2, 1], [2, 0], [3, 0]]);
  });

  it("maxUnavailable 0 only removes old pods once new ones are available", () => {
    const w = deployed({ replicas: 2, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } });
    w.changeTemplate("nginx:2");
    expect(w.roll()).toEqual([[1, 2], [1, 1], [2, 1], [2, 0]]);
  });

  it("resolves fenceposts as upstream: surge rounds up, unavailable down, both zero means one unavailable", () => {
    expect(resolveFenceposts("25%", "25%", 3)).toEqual({ surge: 1, unavailable: 0 });
    expect(resolveFenceposts("25%", "25%", 10)).toEqual({ surge: 3, unavailable: 2 });
    expect(resolveFenceposts(0, "10%", 3)).toEqual({ surge: 0, unavailable: 1 });
    expect(resolveFenceposts(0, 0, 5)).toEqual({ surge: 0, unavailable: 1 });
  });

  it("stalls when new pods never become available, then reports ProgressDeadlineExceeded", () => {
    const w = deployed();
    w.changeTemplate("nginx:broken");
    const steps = w.roll((rs) => !rs.spec.template.spec.containers![0].image!.endsWith("broken"));
    expect(steps).toEqual([[1, 3]]);
    expect(condition(w, "Progressing")?.reason).toBe("ReplicaSetUpdated");
    const quiet = w.sync();
    expect(quiet.requeueAfterSeconds).toBeGreaterThan(590);
    w.now += 601_000;
    w.sync();
    expect(condition(w, "Progressing")).toMatchObject({ status: "False", reason: "ProgressDeadlineExceeded", message: `ReplicaSet "${w.newest().metadata.name}" has timed out progressing.` });
    expect(w.sync().requeueAfterSeconds).toBeUndefined();
  });

  it("keeps lastTransitionTime and moves lastUpdateTime while progressing", () => {
    const w = deployed({ replicas: 10 });
    w.changeTemplate("nginx:2");
    w.sync();
    w.settle();
    w.sync();
    const first = { ...condition(w, "Progressing")! };
    expect(first.reason).toBe("ReplicaSetUpdated");
    w.settle();
    w.sync();
    const second = condition(w, "Progressing")!;
    expect(second.reason).toBe("ReplicaSetUpdated");
    expect(second.lastTransitionTime).toBe(first.lastTransitionTime);
    expect(second.lastUpdateTime).not.toBe(first.lastUpdateTime);
  });

  it("rollout restart (a template annotation) creates a new ReplicaSet", () => {
    const w = deployed();
    const before = w.newest().metadata.name;
    w.d.spec.template.metadata = { ...w.d.spec.template.metadata, annotations: { "kubectl.kubernetes.io/restartedAt": "2025-01-01T00:00:00Z" } };
    w.roll();
    expect(w.rss.map((rs) => [rs.metadata.name === before, rs.spec.replicas])).toEqual([[true, 0], [false, 3]]);
  });

  it("rollout undo re-promotes the old ReplicaSet with a new revision and revision-history", () => {
    const w = deployed();
    const v1 = w.newest().metadata.name!;
    w.changeTemplate("nginx:2");
    w.roll();
    w.changeTemplate("nginx:1");
    w.roll();
    const rs1 = w.rs(v1);
    expect(w.rss).toHaveLength(2);
    expect(rs1.spec.replicas).toBe(3);
    expect(rs1.metadata.annotations).toMatchObject({ "deployment.kubernetes.io/revision": "3", "deployment.kubernetes.io/revision-history": "1" });
    expect(w.d.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("3");
  });
});

describe("Recreate", () => {
  it("scales old to 0, waits for old pods to go, then creates the new ReplicaSet at full size", () => {
    const w = deployed({ strategy: { type: "Recreate" } });
    const old = w.newest().metadata.name!;
    w.events = [];
    w.changeTemplate("nginx:2");

    let p = w.sync();
    expect(p.actions.filter((a) => a.type !== "event").map((a) => [a.type, (a as { replicaSet: ReplicaSet }).replicaSet.spec.replicas])).toEqual([["updateReplicaSet", 0]]);
    expect(w.events).toEqual([`ScalingReplicaSet: Scaled down replica set ${old} from 3 to 0`]);

    // The old ReplicaSet still reports pods: wait.
    expect(w.sync().actions).toEqual([]);
    // Its status is 0 but a pod is still terminating: wait.
    w.settle();
    w.pods = [
      PodSchema.parse({
        metadata: { name: "old-1", deletionTimestamp: rfc3339(w.now), ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: old, uid: w.rs(old).metadata.uid, controller: true }] },
        spec: { containers: [{ name: "c", image: "nginx:1" }] },
        status: { phase: "Running" },
      }),
    ];
    expect(w.sync().actions).toEqual([]);
    // Finished pods do not count.
    w.pods[0].status = { phase: "Succeeded" };
    p = w.sync();
    const created = p.actions.find((a) => a.type === "createReplicaSet")!.replicaSet;
    expect(created.spec.replicas).toBe(3);
    expect(w.events.at(-1)).toBe(`ScalingReplicaSet: Scaled up replica set ${created.metadata.name} from 0 to 3`);
    w.settle();
    w.sync();
    expect(condition(w, "Progressing")?.reason).toBe("NewReplicaSetAvailable");
    expect(condition(w, "Available")?.status).toBe("True");
  });
});

describe("paused", () => {
  it("does not roll out, still scales, and sets the paused and resumed conditions", () => {
    const w = deployed();
    w.d.spec.paused = true;
    w.changeTemplate("nginx:2");
    w.sync();
    expect(w.rss).toHaveLength(1);
    expect(condition(w, "Progressing")).toMatchObject({ status: "Unknown", reason: "DeploymentPaused", message: "Deployment is paused" });

    w.d.spec.replicas = 5;
    w.sync();
    expect(w.rss[0].spec.replicas).toBe(5);
    expect(w.rss[0].metadata.annotations?.["deployment.kubernetes.io/desired-replicas"]).toBe("5");

    w.settle();
    w.sync();
    w.d.spec.paused = false;
    const p = w.sync();
    expect(p.actions.some((a) => a.type === "createReplicaSet")).toBe(true);
    expect(condition(w, "Progressing")?.reason).toBe("NewReplicaSetCreated");
    w.roll();
    expect(w.rss.map((rs) => rs.spec.replicas)).toEqual([0, 5]);
  });
});

describe("proportional scaling", () => {
  function midRollout(): World {
    const w = deployed({ replicas: 10 });
    w.changeTemplate("nginx:2");
    w.sync(); // new 3, old 8
    w.settle((rs) => rs === w.rss[0]);
    w.sync(); // new 5
    w.settle((rs) => rs === w.rss[0]);
    expect(w.rss.map((rs) => rs.spec.replicas)).toEqual([8, 5]);
    w.events = [];
    return w;
  }

  it("spreads a scale-up over active ReplicaSets by their share of max-replicas", () => {
    const w = midRollout();
    w.d.spec.replicas = 20; // surge 5: allowed 25, 12 to add
    w.sync();
    expect(w.rss.map((rs) => rs.spec.replicas)).toEqual([15, 10]);
    const [old, neu] = w.rss.map((rs) => rs.metadata.name);
    expect(w.events).toEqual([`ScalingReplicaSet: Scaled up replica set ${old} from 8 to 15`, `ScalingReplicaSet: Scaled up replica set ${neu} from 5 to 10`]);
    expect(w.rss.map((rs) => rs.metadata.annotations?.["deployment.kubernetes.io/max-replicas"])).toEqual(["25", "25"]);
  });

  it("spreads a scale-down, older first among equals, leftovers to the largest", () => {
    const w = midRollout();
    w.d.spec.replicas = 5; // surge 2: allowed 7, 6 to remove
    w.sync();
    expect(w.rss.map((rs) => rs.spec.replicas)).toEqual([4, 3]);
    expect(w.events.every((e) => e.includes("Scaled down"))).toBe(true);
  });

  it("scales a single active ReplicaSet to the full count", () => {
    const w = deployed();
    w.d.spec.replicas = 7;
    w.sync();
    expect(w.rss[0].spec.replicas).toBe(7);
    expect(w.events.at(-1)).toBe(`ScalingReplicaSet: Scaled up replica set ${w.rss[0].metadata.name} from 3 to 7`);
  });
});

describe("revision history", () => {
  it("deletes the oldest revisions beyond the limit, only those scaled to 0", () => {
    const w = deployed({ revisionHistoryLimit: 2 });
    for (const v of ["2", "3", "4", "5"]) {
      w.changeTemplate(`nginx:${v}`);
      w.roll();
    }
    // 5 revisions, limit 2 old ones kept beside the current one.
    expect(w.rss.map((rs) => rs.metadata.annotations?.["deployment.kubernetes.io/revision"])).toEqual(["3", "4", "5"]);
  });

  it("keeps an old ReplicaSet that still reports pods", () => {
    const w = deployed({ revisionHistoryLimit: 0 });
    w.changeTemplate("nginx:2");
    w.roll();
    expect(w.rss).toHaveLength(1);
    // Two old ReplicaSets scaled to 0: one still reports a pod, the other is gone.
    const old = (name: string, image: string, replicas: number): ReplicaSet => {
      const rs = structuredClone(w.rss[0]);
      rs.metadata = { ...rs.metadata, name, uid: name, creationTimestamp: rfc3339(T0 - 1000), annotations: { "deployment.kubernetes.io/revision": "0" } };
      rs.spec.template.spec.containers![0].image = image;
      rs.spec.replicas = 0;
      rs.status = { replicas, observedGeneration: 1 };
      return rs;
    };
    w.rss.unshift(old("web-lingering", "nginx:0", 1), old("web-empty", "nginx:00", 0));
    const p = w.sync();
    expect(p.actions.filter((a) => a.type === "deleteReplicaSet").map((a) => (a as { name: string }).name)).toEqual(["web-empty"]);
  });
});

describe("hash collisions and failures", () => {
  it("bumps collisionCount when another ReplicaSet holds the name, and retries with a new hash", () => {
    const d = makeDeployment();
    const w = new World(d);
    const hash = computeHash(d.spec.template);
    const squatter = { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: `web-${hash}`, uid: "x" }, spec: { template: { spec: { containers: [] } } } } as unknown as ReplicaSet;
    const p = w.sync({ otherReplicaSets: [squatter] });
    expect(p.actions).toEqual([]);
    expect(p.status.collisionCount).toBe(1);
    expect(p.requeueAfterSeconds).toBe(0);
    const again = w.sync({ otherReplicaSets: [squatter] });
    const created = again.actions.find((a) => a.type === "createReplicaSet")!.replicaSet;
    expect(created.metadata.name).toBe(`web-${computeHash(d.spec.template, 1)}`);
    expect(w.d.status?.collisionCount).toBe(1);
  });

  it("reports a failed ReplicaSet create", () => {
    const w = new World(makeDeployment());
    const p = w.sync({ createError: "quota exceeded" });
    const name = `web-${computeHash(w.d.spec.template)}`;
    expect(p.actions).toEqual([{ type: "event", eventType: "Warning", reason: "ReplicaSetCreateError", message: `Failed to create new replica set "${name}": quota exceeded` }]);
    expect(condition(w, "Progressing")).toMatchObject({ status: "False", reason: "ReplicaSetCreateError" });
  });

  it("promotes a ReplicaSet's ReplicaFailure condition", () => {
    const w = deployed();
    w.rss[0].status!.conditions = [{ type: "ReplicaFailure", status: "True", lastTransitionTime: rfc3339(T0), reason: "FailedCreate", message: "forbidden" }];
    w.sync();
    expect(condition(w, "ReplicaFailure")).toEqual({ type: "ReplicaFailure", status: "True", lastUpdateTime: rfc3339(T0), lastTransitionTime: rfc3339(T0), reason: "FailedCreate", message: "forbidden" });
  });

  it("warns about a selector that selects everything", () => {
    const w = new World(makeDeployment({ selector: {} }));
    const p = w.sync();
    expect(p.actions).toEqual([{ type: "event", eventType: "Warning", reason: "SelectingAll", message: "This deployment is selecting all pods. A non-empty selector is required." }]);
    expect(p.status.observedGeneration).toBe(1);
  });
});
