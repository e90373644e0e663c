// Pod workers: one sync at a time per pod, a rerun for updates that arrive meanwhile, retries.
import { afterEach, describe, expect, it, vi } from "vitest";
import { PodWorkers } from "./pod-workers.js";

afterEach(() => {
  vi.useRealTimers();
});

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("PodWorkers", () => {
  it("never runs two syncs of a pod at once, and runs once more for updates that came meanwhile", async () => {
    const gates = [deferred(), deferred()];
    let running = 0;
    let maxRunning = 0;
    const calls: string[] = [];
    const busy: string[] = [];
    const w = new PodWorkers({
      sync: async (key) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        calls.push(key);
        await gates[calls.length - 1]?.promise;
        running--;
      },
      busyUpdate: (key) => busy.push(key),
    });
    w.update("ns/a");
    w.update("ns/a");
    w.update("ns/a");
    w.update("ns/b");
    expect(calls).toEqual(["ns/a", "ns/b"]);
    expect(busy).toEqual(["ns/a", "ns/a"]);
    gates[0].resolve();
    gates[1].resolve();
    await w.drain();
    expect(calls).toEqual(["ns/a", "ns/b", "ns/a"]);
    expect(maxRunning).toBe(2); // two pods side by side, never one pod twice
    expect(w.active).toBe(0);
  });

  it("runs a sync again when it asks to, and retries a failed one with backoff", async () => {
    vi.useFakeTimers();
    let n = 0;
    const errors: unknown[] = [];
    const w = new PodWorkers({
      sync: async () => {
        n++;
        if (n === 1) return { requeueAfterMs: 1000 };
        if (n === 2) throw new Error("boom");
      },
      onError: (_key, err) => errors.push(err),
    });
    w.update("ns/a");
    await vi.advanceTimersByTimeAsync(0);
    expect(n).toBe(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(n).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(n).toBe(2);
    expect(errors).toHaveLength(1);
    expect(w.active).toBe(1);
    await vi.advanceTimersByTimeAsync(2_000); // first retry within 0.5–1.5 s
    expect(n).toBe(3);
    expect(w.active).toBe(0);
  });

  it("runs nothing after stop", async () => {
    vi.useFakeTimers();
    let n = 0;
    const w = new PodWorkers({ sync: async () => ({ requeueAfterMs: 10 }) });
    const w2 = new PodWorkers({ sync: async () => void n++ });
    w.update("a");
    await vi.advanceTimersByTimeAsync(0);
    w.stop();
    await vi.advanceTimersByTimeAsync(100);
    w2.stop();
    w2.update("a");
    expect(n).toBe(0);
  });
});
