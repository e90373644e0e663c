// The pod lifecycle event generator (upstream's GenericPLEG): relists the runtime's containers
// and sandboxes every period and names the pods whose containers started, exited or vanished,
// so that a crash is handled within a second rather than at the next resync. Only for runtimes
// whose containers change on their own (the simulated runtime's never do).
import { LABEL_POD_NAME, LABEL_POD_NAMESPACE, type ContainerRuntime } from "../runtimes/runtime.js";

export interface PlegOptions {
  runtime: ContainerRuntime;
  /** A pod (namespace/name) whose containers changed: sync it. */
  onPodChanged(podKey: string): void;
  /** upstream's relist period: 1 s. */
  periodMs?: number;
  onError?(err: unknown): void;
}

const keyOf = (labels: Record<string, string>) => (labels[LABEL_POD_NAME] === undefined ? undefined : `${labels[LABEL_POD_NAMESPACE] ?? ""}/${labels[LABEL_POD_NAME]}`);

export class PodLifecycleEventGenerator {
  /** What the last relist saw: container or sandbox id → its state and pod. */
  private last = new Map<string, { state: string; key: string }>();
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly o: PlegOptions) {}

  /** Lists once and reports the pods that changed since the last list; returns their keys. */
  async relist(): Promise<string[]> {
    const [containers, sandboxes] = await Promise.all([this.o.runtime.listContainers(), this.o.runtime.listPodSandboxes()]);
    const seen = new Map<string, { state: string; key: string }>();
    for (const c of containers) {
      const key = keyOf(c.labels);
      if (key) seen.set(c.id, { state: c.state, key });
    }
    for (const s of sandboxes) {
      const key = keyOf(s.config.labels);
      if (key) seen.set(`sandbox:${s.id}`, { state: s.state, key });
    }
    const changed = new Set<string>();
    for (const [id, now] of seen) if (this.last.get(id)?.state !== now.state) changed.add(now.key);
    for (const [id, before] of this.last) if (!seen.has(id)) changed.add(before.key);
    this.last = seen;
    for (const key of changed) this.o.onPodChanged(key);
    return [...changed];
  }

  start(): void {
    const period = this.o.periodMs ?? 1000;
    const tick = async () => {
      if (this.stopped) return;
      try {
        await this.relist();
      } catch (err) {
        this.o.onError?.(err);
      }
      if (this.stopped) return;
      this.timer = setTimeout(() => void tick(), period);
      this.timer.unref?.();
    };
    this.timer = setTimeout(() => void tick(), period);
    this.timer.unref?.();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
