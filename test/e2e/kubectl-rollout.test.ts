// Deployments with real kubectl against `edgeplane up`, the controllers running on their own
// (Durable Object alarms), and a stand-in kubelet marking pods Ready: rollout status, set image,
// history, undo, restart and scale. During every rollout a pod watch checks, on each event, that
// the Deployment never has more than replicas + maxSurge pods nor fewer than replicas −
// maxUnavailable ready ones.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubeClient, startEdgeplane, type Edgeplane } from "./harness.js";
import { recordWatch, type WatchRecorder } from "./helpers.js";
import { hasKubectl, kubectlFor, manifestDir, rowOf, table, warnIfNoKubectl, type Kubectl } from "./kubectl-helpers.js";
import { startStandInKubelet, type StandInKubelet } from "./stand-in-kubelet.js";

warnIfNoKubectl("kubectl-rollout");

const NS = "roll";
const REPLICAS = 4;
const MAX_SURGE = 1;
const MAX_UNAVAILABLE = 1;

let h: Edgeplane;
let k: Kubectl;
let kubelet: StandInKubelet;
let files: ReturnType<typeof manifestDir>;

const manifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${NS}
spec:
  replicas: ${REPLICAS}
  selector:
    matchLabels:
      app: web
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: ${MAX_SURGE}
      maxUnavailable: ${MAX_UNAVAILABLE}
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
`;

/** Replays a pod watch and returns the worst moments: most pods, fewest ready (after the `initial` ADDED events of the list). */
function extremes(w: WatchRecorder, initial: number): { maxPods: number; minReady: number; events: number } {
  const pods = new Map<string, any>();
  let maxPods = 0;
  let minReady = Infinity;
  let events = 0;
  for (const e of w.events) {
    if (e.type === "BOOKMARK") continue;
    events++;
    if (e.type === "DELETED") pods.delete(e.object.metadata.name);
    else pods.set(e.object.metadata.name, e.object);
    const live = [...pods.values()].filter((p) => !p.metadata.deletionTimestamp);
    const ready = live.filter((p) => (p.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True")).length;
    maxPods = Math.max(maxPods, live.length);
    if (events >= initial) minReady = Math.min(minReady, ready);
  }
  return { maxPods, minReady, events };
}

/** Runs `step`, watching pods from the current state, and checks the rollout bounds on every event. */
async function withinBounds(step: () => Promise<void>): Promise<void> {
  const w = await recordWatch(kubeClient(h), `/api/v1/namespaces/${NS}/pods`, { labelSelector: "app=web" });
  try {
    await w.count(REPLICAS); // the initial ADDED events: all pods, all ready
    expect(w.events.filter((e) => e.type !== "BOOKMARK")).toHaveLength(REPLICAS);
    await step();
    await k.ok(["rollout", "status", "deployment/web", "-n", NS, "--timeout=60s"], { timeoutMs: 70_000 });
  } finally {
    w.stop();
  }
  const { maxPods, minReady, events } = extremes(w, REPLICAS);
  expect(events).toBeGreaterThan(REPLICAS); // the rollout did happen under the watch
  expect(maxPods).toBeLessThanOrEqual(REPLICAS + MAX_SURGE);
  expect(minReady).toBeGreaterThanOrEqual(REPLICAS - MAX_UNAVAILABLE);
}

const images = async () => (await k.ok(["get", "pods", "-n", NS, "-l", "app=web", "-o", "jsonpath={.items[*].spec.containers[0].image}"])).split(" ").sort();

describe.skipIf(!hasKubectl)("kubectl rollout", () => {
  beforeAll(async () => {
    h = await startEdgeplane();
    k = kubectlFor(h);
    files = manifestDir();
    await k.ok(["create", "namespace", NS]);
    kubelet = startStandInKubelet(h, NS, { delayMs: 100 });
  });
  afterAll(async () => {
    await kubelet?.stop();
    files?.remove();
    await h?.stop();
  });

  it("apply, then rollout status waits for the rollout and reports success", async () => {
    expect(await k.ok(["apply", "-f", files.write("web.yaml", manifest)])).toBe("deployment.apps/web created\n");
    const out = await k.ok(["rollout", "status", "deployment/web", "-n", NS, "--timeout=60s"], { timeoutMs: 70_000 });
    expect(out).toContain('deployment "web" successfully rolled out');
    const row = rowOf(table(await k.ok(["get", "deployment", "web", "-n", NS])), "web");
    expect(row).toMatchObject({ READY: "4/4", "UP-TO-DATE": "4", AVAILABLE: "4" });
    const rs = table(await k.ok(["get", "rs", "-n", NS]));
    expect(rs.rows).toHaveLength(1);
    expect(rs.rows[0]).toMatchObject({ DESIRED: "4", CURRENT: "4", READY: "4" });
    expect(rs.rows[0].NAME).toMatch(/^web-[a-z0-9]{6,10}$/);
  });

  it("set image rolls out within maxSurge and maxUnavailable, and history lists both revisions", async () => {
    await withinBounds(async () => {
      expect(await k.ok(["set", "image", "deployment/web", "nginx=nginx:1.28", "-n", NS])).toBe("deployment.apps/web image updated\n");
    });
    expect(await images()).toEqual(Array(REPLICAS).fill("nginx:1.28"));
    const rs = table(await k.ok(["get", "rs", "-n", NS]));
    expect(rs.rows.map((r) => r.DESIRED).sort()).toEqual(["0", "4"]);
    const history = await k.ok(["rollout", "history", "deployment/web", "-n", NS]);
    expect(history).toMatch(/^deployment\.apps\/web \nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
    const rev2 = await k.ok(["rollout", "history", "deployment/web", "-n", NS, "--revision=2"]);
    expect(rev2).toContain("nginx:1.28");
    const describe = await k.ok(["describe", "deployment", "web", "-n", NS]);
    expect(describe).toMatch(/ScalingReplicaSet\s+.*Scaled up replica set web-[a-z0-9]+ from 0 to 1/);
    expect(describe).toMatch(/Scaled down replica set web-[a-z0-9]+ from 4 to 3/);
    expect(describe).toMatch(/NewReplicaSet:\s+web-[a-z0-9]+ \(4\/4 replicas created\)/);
  });

  it("rollout undo goes back to the previous template as a new revision", async () => {
    await withinBounds(async () => {
      expect(await k.ok(["rollout", "undo", "deployment/web", "-n", NS])).toBe("deployment.apps/web rolled back\n");
    });
    expect(await images()).toEqual(Array(REPLICAS).fill("nginx:1.27"));
    const history = await k.ok(["rollout", "history", "deployment/web", "-n", NS]);
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n/);
    expect(await k.ok(["get", "deployment", "web", "-n", NS, "-o", "jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}"])).toBe("3");
    // undo to a revision that does not exist: kubectl's own error.
    const bad = await k(["rollout", "undo", "deployment/web", "-n", NS, "--to-revision=9"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("unable to find specified revision 9 in history");
  });

  it("rollout restart stamps restartedAt and replaces every pod", async () => {
    const before = (await k.ok(["get", "pods", "-n", NS, "-l", "app=web", "-o", "name"])).trim().split("\n").sort();
    await withinBounds(async () => {
      expect(await k.ok(["rollout", "restart", "deployment/web", "-n", NS])).toBe("deployment.apps/web restarted\n");
    });
    const after = (await k.ok(["get", "pods", "-n", NS, "-l", "app=web", "-o", "name"])).trim().split("\n").sort();
    expect(after).toHaveLength(REPLICAS);
    expect(after.filter((p) => before.includes(p))).toEqual([]);
    const restartedAt = await k.ok(["get", "deployment", "web", "-n", NS, "-o", "jsonpath={.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}"]);
    expect(Date.parse(restartedAt)).toBeGreaterThan(Date.now() - 120_000);
  });

  it("scale, then rollout status; a paused Deployment does not roll out until resumed", async () => {
    expect(await k.ok(["scale", "deployment/web", "--replicas=6", "-n", NS])).toBe("deployment.apps/web scaled\n");
    await k.ok(["rollout", "status", "deployment/web", "-n", NS, "--timeout=60s"], { timeoutMs: 70_000 });
    expect(rowOf(table(await k.ok(["get", "deployment", "web", "-n", NS])), "web").READY).toBe("6/6");

    expect(await k.ok(["rollout", "pause", "deployment/web", "-n", NS])).toBe("deployment.apps/web paused\n");
    await k.ok(["set", "image", "deployment/web", "nginx=nginx:1.29", "-n", NS]);
    await new Promise((r) => setTimeout(r, 500));
    expect(await images()).not.toContain("nginx:1.29");
    expect(await k.ok(["rollout", "resume", "deployment/web", "-n", NS])).toBe("deployment.apps/web resumed\n");
    await k.ok(["rollout", "status", "deployment/web", "-n", NS, "--timeout=60s"], { timeoutMs: 70_000 });
    expect(await images()).toEqual(Array(6).fill("nginx:1.29"));
  });
});
