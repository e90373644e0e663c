// Retry timing: doubling up to a cap, spread by jitter, reset by success.
import { describe, expect, it } from "vitest";
import { Backoff, jittered, sleep } from "./backoff.js";

describe("Backoff", () => {
  it("doubles from the initial wait up to the cap, without jitter", () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0 });
    expect([1, 2, 3, 4, 5, 6].map(() => b.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(b.attempts).toBe(6);
  });

  it("starts over after reset", () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0 });
    b.next();
    b.next();
    b.reset();
    expect(b.attempts).toBe(0);
    expect(b.next()).toBe(100);
  });

  it("spreads each wait by the jitter around its value and never past the cap", () => {
    const low = new Backoff({ initialMs: 1000, maxMs: 10_000, jitter: 0.5, random: () => 0 });
    const high = new Backoff({ initialMs: 1000, maxMs: 10_000, jitter: 0.5, random: () => 0.999999 });
    expect(low.next()).toBe(750);
    expect(high.next()).toBe(1250);
    const capped = new Backoff({ initialMs: 8000, maxMs: 10_000, jitter: 0.5, random: () => 0.999999 });
    capped.next();
    expect(capped.next()).toBe(10_000);
  });

  it("uses the default random source to spread many retriers apart", () => {
    const waits = new Set(Array.from({ length: 50 }, () => new Backoff().next()));
    expect(waits.size).toBeGreaterThan(10);
    for (const w of waits) {
      expect(w).toBeGreaterThanOrEqual(375);
      expect(w).toBeLessThanOrEqual(625);
    }
  });

  it("does not overflow after very many failures", () => {
    const b = new Backoff({ initialMs: 500, maxMs: 10_000, jitter: 0 });
    for (let i = 0; i < 2000; i++) b.next();
    expect(b.next()).toBe(10_000);
  });
});

describe("jittered", () => {
  it("spreads a period by ±fraction/2", () => {
    expect(jittered(10_000, 0.1, () => 0)).toBe(9500);
    expect(jittered(10_000, 0.1, () => 0.5)).toBe(10_000);
    expect(jittered(10_000, 0.1, () => 1)).toBe(10_500);
  });
});

describe("sleep", () => {
  it("resolves true after the wait, false at once when aborted", async () => {
    expect(await sleep(1)).toBe(true);
    const ac = new AbortController();
    const started = Date.now();
    const p = sleep(10_000, ac.signal);
    ac.abort();
    expect(await p).toBe(false);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await sleep(10, ac.signal)).toBe(false);
  });
});
