import { describe, expect, it } from "vitest";
import { KeyedSlots, SlotPool, TokenBuckets } from "./counters.js";

describe("TokenBuckets", () => {
  it("grants the burst, then the rate; says how long until the next token", () => {
    const b = new TokenBuckets();
    for (let i = 0; i < 3; i++) expect(b.take("u", 2, 3, 0)).toBe(0);
    expect(b.take("u", 2, 3, 0)).toBeCloseTo(0.5);
    expect(b.take("u", 2, 3, 250)).toBeCloseTo(0.25);
    expect(b.take("u", 2, 3, 500)).toBe(0);
    // Another user has its own bucket.
    expect(b.take("v", 2, 3, 500)).toBe(0);
    // Idle time refills up to the burst, not beyond.
    for (let i = 0; i < 3; i++) expect(b.take("u", 2, 3, 60_000)).toBe(0);
    expect(b.take("u", 2, 3, 60_000)).toBeGreaterThan(0);
  });
});

describe("SlotPool", () => {
  it("holds at most `limit` slots; a release frees one, once; 0 means no limit", () => {
    const p = new SlotPool(1000);
    const a = p.tryAcquire(2, 0)!;
    const b = p.tryAcquire(2, 0)!;
    expect(p.tryAcquire(2, 0)).toBeUndefined();
    a();
    a();
    expect(p.size).toBe(1);
    expect(p.tryAcquire(2, 0)).toBeDefined();
    b();
    expect(new SlotPool(1000).tryAcquire(0, 0)).toBeDefined();
  });

  it("a slot held past its lapse no longer counts (a request the runtime abandoned)", () => {
    const p = new SlotPool(1000);
    p.tryAcquire(1, 0);
    expect(p.tryAcquire(1, 500)).toBeUndefined();
    expect(p.tryAcquire(1, 1500)).toBeDefined();
  });
});

describe("KeyedSlots", () => {
  it("counts per key and forgets empty keys", () => {
    const k = new KeyedSlots(1000);
    const a = k.tryAcquire("u", 1, 0)!;
    expect(k.tryAcquire("u", 1, 0)).toBeUndefined();
    expect(k.tryAcquire("v", 1, 0)).toBeDefined();
    expect(k.held("u")).toBe(1);
    a();
    expect(k.held("u")).toBe(0);
    expect(k.tryAcquire("u", 1, 0)).toBeDefined();
  });
});
