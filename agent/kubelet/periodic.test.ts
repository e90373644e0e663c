// The loop behind the lease renewal and the status update: its timing, its backoff, its log.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Backoff } from "../client/backoff.js";
import { ConnectionError } from "../client/errors.js";
import { Periodic } from "./periodic.js";

const INTERVAL = 1000;

beforeEach(() => {
  vi.useFakeTimers();
  // jittered() spreads by ±5 %: with random() = 0 the interval after a success is 950 ms.
  vi.spyOn(Math, "random").mockReturnValue(0);
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** A Periodic whose run() fails while `fail` says so; counts runs and collects log lines. */
function setup(fail: () => Error | undefined = () => undefined) {
  const errors: string[] = [];
  let runs = 0;
  const loop = new Periodic({
    run: async () => {
      runs++;
      const err = fail();
      if (err) throw err;
    },
    intervalMs: INTERVAL,
    errorMessage: (err) => `✗ cannot: ${(err as Error).message}`,
    log: { info: () => {}, error: (line) => errors.push(line) },
    // No spread: waits of 100, 200, 400, 800, 1600 ms…
    backoff: new Backoff({ initialMs: 100, maxMs: 10_000, jitter: 0 }),
  });
  return { loop, errors, runs: () => runs };
}

describe("Periodic", () => {
  it("runs after the first delay, then once per jittered interval", async () => {
    const { loop, runs } = setup();
    loop.start(300);
    await vi.advanceTimersByTimeAsync(299);
    expect(runs()).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs()).toBe(1);
    await vi.advanceTimersByTimeAsync(949);
    expect(runs()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs()).toBe(2);
    await vi.advanceTimersByTimeAsync(950);
    expect(runs()).toBe(3);
    loop.stop();
  });

  it("retries a failure with backoff capped at the interval, logs a repeated error once, and resets after a success", async () => {
    let failing = true;
    const { loop, errors, runs } = setup(() => (failing ? new Error("forbidden") : undefined));
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs()).toBe(1);
    // Backoff: 100, 200, 400, 800, then 1600 capped at the 1000 ms interval.
    for (const wait of [100, 200, 400, 800, 1000]) {
      const before = runs();
      await vi.advanceTimersByTimeAsync(wait - 1);
      expect(runs()).toBe(before);
      await vi.advanceTimersByTimeAsync(1);
      expect(runs()).toBe(before + 1);
    }
    expect(errors).toEqual(["✗ cannot: forbidden"]);

    // A success resets the backoff and the remembered error.
    failing = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs()).toBe(7);
    failing = true;
    await vi.advanceTimersByTimeAsync(950);
    expect(runs()).toBe(8);
    expect(errors).toEqual(["✗ cannot: forbidden", "✗ cannot: forbidden"]);
    await vi.advanceTimersByTimeAsync(99);
    expect(runs()).toBe(8);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs()).toBe(9);
    loop.stop();
  });

  it("logs each distinct error, and never a transient one", async () => {
    const failures = [new Error("a"), new Error("a"), new Error("b"), new ConnectionError("https://cp", "ECONNREFUSED", "refused"), new Error("a")];
    let i = 0;
    const { loop, errors, runs } = setup(() => failures[i++]);
    loop.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs()).toBeGreaterThan(failures.length);
    expect(errors).toEqual(["✗ cannot: a", "✗ cannot: b", "✗ cannot: a"]);
    loop.stop();
  });

  it("runs at once on runNow() while idle, but not a second time while a run is under way", async () => {
    let release!: () => void;
    let runs = 0;
    const loop = new Periodic({
      run: async () => {
        runs++;
        if (runs === 2) await new Promise<void>((r) => (release = r));
      },
      intervalMs: INTERVAL,
      errorMessage: () => "✗",
      log: { info: () => {}, error: () => {} },
      backoff: new Backoff(),
    });
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(1);

    // Idle, with the next run 950 ms away: runNow() runs it at once instead.
    await vi.advanceTimersByTimeAsync(500);
    loop.runNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(runs).toBe(2);

    // That run hangs: runNow() leaves it alone.
    loop.runNow();
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toBe(2);

    // Once it is done the loop goes on at its interval.
    release();
    await vi.advanceTimersByTimeAsync(949);
    expect(runs).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toBe(3);
    loop.stop();
  });

  it("stops: no further run, neither pending nor after a run under way, nor on runNow()", async () => {
    const { loop, runs } = setup();
    loop.start(100);
    loop.stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs()).toBe(0);
    loop.runNow();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(runs()).toBe(0);
    expect(vi.getTimerCount()).toBe(0);

    // Stopped while a run is under way: that run schedules nothing.
    let release!: () => void;
    let n = 0;
    const busy = new Periodic({
      run: async () => {
        n++;
        await new Promise<void>((r) => (release = r));
      },
      intervalMs: INTERVAL,
      errorMessage: () => "✗",
      log: { info: () => {}, error: () => {} },
      backoff: new Backoff(),
    });
    busy.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(n).toBe(1);
    busy.stop();
    release();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(n).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});
