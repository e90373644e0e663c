// One worker per pod (upstream's podWorkers): syncs of a pod never overlap, an update that
// arrives while a sync runs makes it run once more afterwards, a failed sync is retried with
// per-pod backoff, and a sync may ask to run again later. Idle pods cost no state here.
import { Backoff } from "../client/backoff.js";

export interface SyncResult {
  /** Run this pod's sync again after this long (the runtime is still getting there). */
  requeueAfterMs?: number;
}

interface WorkerState {
  working: boolean;
  dirty: boolean;
  timer?: NodeJS.Timeout;
  backoff?: Backoff;
}

export interface PodWorkersOptions {
  sync(key: string): Promise<SyncResult | void>;
  /** An update arrived while the pod's sync runs (e.g. a shorter grace period). */
  busyUpdate?(key: string): void;
  /** A sync failed (it will be retried). */
  onError?(key: string, err: unknown): void;
}

export class PodWorkers {
  private readonly states = new Map<string, WorkerState>();
  private stopped = false;
  private readonly idle = new Set<() => void>();

  constructor(private readonly o: PodWorkersOptions) {}

  /** The pod changed (or should be looked at again): sync it now, or after its running sync. */
  update(key: string): void {
    if (this.stopped) return;
    let st = this.states.get(key);
    if (!st) this.states.set(key, (st = { working: false, dirty: false }));
    if (st.timer) {
      clearTimeout(st.timer);
      st.timer = undefined;
    }
    if (st.working) {
      st.dirty = true;
      this.o.busyUpdate?.(key);
      return;
    }
    void this.run(key, st);
  }

  /** Pods with a sync running or scheduled. */
  get active(): number {
    return this.states.size;
  }

  /** Resolves when no sync runs (scheduled retries may remain). */
  async drain(): Promise<void> {
    while ([...this.states.values()].some((s) => s.working)) await new Promise<void>((r) => this.idle.add(r));
  }

  stop(): void {
    this.stopped = true;
    for (const st of this.states.values()) if (st.timer) clearTimeout(st.timer);
  }

  private async run(key: string, st: WorkerState): Promise<void> {
    st.working = true;
    let again: number | undefined;
    do {
      st.dirty = false;
      again = undefined;
      try {
        const result = await this.o.sync(key);
        st.backoff?.reset();
        again = result?.requeueAfterMs;
      } catch (err) {
        this.o.onError?.(key, err);
        st.backoff ??= new Backoff({ initialMs: 1000, maxMs: 30_000 });
        again = st.backoff.next();
      }
    } while (st.dirty && !this.stopped);
    st.working = false;
    for (const r of [...this.idle]) r();
    this.idle.clear();
    if (this.stopped) return;
    if (again !== undefined) {
      st.timer = setTimeout(() => {
        st.timer = undefined;
        this.update(key);
      }, again);
    } else if (!st.backoff?.attempts) {
      this.states.delete(key);
    }
  }
}
