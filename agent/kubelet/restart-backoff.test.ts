// CrashLoopBackOff timing as upstream's flowcontrol.Backoff: 10 s doubling to 300 s, reset after 10 minutes of quiet.
import { describe, expect, it } from "vitest";
import { Backoff, containerBackoffKey, formatDuration, formatPod } from "./restart-backoff.js";

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

describe("Backoff", () => {
  it("starts at 10 s and doubles to 300 s", () => {
    const c = clock();
    const b = new Backoff(c.now);
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) {
      b.next("k", c.t);
      seen.push(b.get("k"));
      c.t += b.get("k");
    }
    expect(seen).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });

  it("is in backoff for the current period counted from the container's exit", () => {
    const c = clock();
    const b = new Backoff(c.now);
    const exit = c.t;
    expect(b.isInBackOffSince("k", exit)).toBe(false); // never failed: restart at once
    b.next("k", exit);
    c.t += 9_999;
    expect(b.isInBackOffSince("k", exit)).toBe(true);
    expect(b.remainingSince("k", exit)).toBe(1);
    c.t += 1;
    expect(b.isInBackOffSince("k", exit)).toBe(false);
    expect(b.remainingSince("k", exit)).toBe(0);
  });

  it("resets once the key has been quiet for twice the maximum (a container that ran 10 minutes)", () => {
    const c = clock();
    const b = new Backoff(c.now);
    for (let i = 0; i < 4; i++) b.next("k", c.t);
    expect(b.get("k")).toBe(80_000);
    c.t += 600_001; // ran for more than 10 min, then crashed
    expect(b.isInBackOffSince("k", c.t)).toBe(false);
    b.next("k", c.t);
    expect(b.get("k")).toBe(10_000);
    c.t += 600_000; // exactly 10 min: not yet stable
    b.next("k", c.t);
    expect(b.get("k")).toBe(20_000);
  });

  it("measures image pull backoff from the last failure, and forgets quiet keys on gc", () => {
    const c = clock();
    const b = new Backoff(c.now);
    b.next("pull", c.t);
    expect(b.isInBackOffSinceUpdate("pull", c.t + 5_000)).toBe(true);
    c.t += 4_000;
    expect(b.remainingSinceUpdate("pull")).toBe(6_000);
    c.t += 6_000;
    expect(b.isInBackOffSinceUpdate("pull", c.t)).toBe(false);
    b.next("other", c.t);
    c.t += 600_001;
    b.gc();
    expect(b.size).toBe(0);
  });

  it("restores a key's state and forgets a pod's keys by prefix", () => {
    const c = clock();
    const b = new Backoff(c.now);
    b.restore("a_ns_u1_c", 40_000, c.t);
    b.restore("a_ns_u1_d", 1_000_000, c.t);
    expect(b.get("a_ns_u1_c")).toBe(40_000);
    expect(b.get("a_ns_u1_d")).toBe(300_000);
    b.next("b_ns_u2_c", c.t);
    b.resetPrefix("a_ns_u1_");
    expect(b.size).toBe(1);
  });
});

describe("formatting as upstream prints it", () => {
  it("prints durations as Go does", () => {
    expect([10_000, 20_000, 40_000, 80_000, 160_000, 300_000].map(formatDuration)).toEqual(["10s", "20s", "40s", "1m20s", "2m40s", "5m0s"]);
    expect(formatDuration(1234)).toBe("1.234s");
    expect(formatDuration(1200)).toBe("1.2s");
    expect(formatDuration(350)).toBe("350ms");
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(3_723_000)).toBe("1h2m3s");
  });

  it("names pods and backoff keys as upstream", () => {
    const pod = { name: "web", namespace: "default", uid: "u-1" };
    expect(formatPod(pod)).toBe("web_default(u-1)");
    expect(containerBackoffKey(pod, "app")).toBe("web_default_u-1_app");
  });
});
