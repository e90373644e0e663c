// No node agent runs pods yet, so tests play the kubelet: every pod of a namespace that is not yet
// Ready is marked Running and Ready through the pods/status subresource, as a kubelet reports it.
// This is the only stand-in in these suites, and it writes through the public API.
import type { Edgeplane } from "./harness.js";
import { api } from "./harness.js";
import { sleep } from "./helpers.js";

export interface StandInKubelet {
  /** Pods marked Ready so far. */
  readonly marked: number;
  /** Stop marking (new pods stay Pending). */
  pause(): void;
  resume(): void;
  stop(): Promise<void>;
}

const isReady = (p: any) => (p.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True");

/** Marks one pod Running and Ready since `since` (a status update with the pod's resourceVersion). */
export async function markReady(h: Pick<Edgeplane, "url" | "token" | "ca">, pod: any, since = new Date().toISOString()): Promise<boolean> {
  const now = since;
  const status = {
    phase: "Running",
    startTime: now,
    conditions: [
      { type: "Initialized", status: "True", lastTransitionTime: now },
      { type: "Ready", status: "True", lastTransitionTime: now },
      { type: "ContainersReady", status: "True", lastTransitionTime: now },
      { type: "PodScheduled", status: "True", lastTransitionTime: now },
    ],
    containerStatuses: (pod.spec?.containers ?? []).map((c: any) => ({
      name: c.name,
      image: c.image,
      imageID: "",
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: now } },
    })),
  };
  const r = await api(h, "PUT", `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`, { ...pod, status });
  return r.status === 200;
}

/** Polls the namespace's pods every `intervalMs` and marks the new ones Ready after `delayMs`. */
export function startStandInKubelet(h: Pick<Edgeplane, "url" | "token" | "ca">, namespace: string, o: { intervalMs?: number; delayMs?: number } = {}): StandInKubelet {
  let stopped = false;
  let paused = false;
  let marked = 0;
  const firstSeen = new Map<string, number>();
  const loop = (async () => {
    while (!stopped) {
      if (!paused) {
        const res = await api(h, "GET", `/api/v1/namespaces/${namespace}/pods`).catch(() => undefined);
        for (const p of res?.status === 200 ? res.body.items : []) {
          if (stopped || paused) break;
          if (p.metadata.deletionTimestamp || isReady(p)) continue;
          const seen = firstSeen.get(p.metadata.uid) ?? Date.now();
          firstSeen.set(p.metadata.uid, seen);
          if (Date.now() - seen < (o.delayMs ?? 0)) continue;
          if (await markReady(h, p).catch(() => false)) marked++;
        }
      }
      await sleep(o.intervalMs ?? 50);
    }
  })();
  return {
    get marked() {
      return marked;
    },
    pause: () => (paused = true),
    resume: () => (paused = false),
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}
