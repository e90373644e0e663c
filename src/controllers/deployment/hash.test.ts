import { describe, expect, it } from "vitest";
import { type PodTemplateSpec } from "../../apis/core/v1/podspec.js";
import { canonicalJSON, computeHash, equalIgnoreHash, fnv32a, safeEncodeString } from "./hash.js";

const template = (image: string, extra: Partial<PodTemplateSpec> = {}) =>
  ({ metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "c", image }] }, ...extra }) as unknown as PodTemplateSpec;

describe("pod-template-hash", () => {
  it("encodes decimal digits with upstream's safe alphabet", () => {
    // '0' is byte 48 -> alphabet[48 % 27 = 21] = '4'; '9' is 57 -> alphabet[57 % 27 = 3] = 'f'.
    expect(safeEncodeString("0")).toBe("4");
    expect(safeEncodeString("0123456789")).toBe("456789bcdf");
    expect(safeEncodeString("9")).toBe("f");
  });

  it("uses FNV-32a (published test vectors)", () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(fnv32a(enc(""))).toBe(0x811c9dc5);
    expect(fnv32a(enc("a"))).toBe(0xe40c292c);
    expect(fnv32a(enc("foobar"))).toBe(0xbf9cf968);
  });

  it("is stable, independent of key order, and only uses the safe alphabet", () => {
    const a = computeHash(template("nginx:1"));
    const b = computeHash({ spec: { containers: [{ image: "nginx:1", name: "c" }] }, metadata: { labels: { app: "web" } } } as unknown as PodTemplateSpec);
    expect(a).toBe(b);
    expect(a).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(computeHash(template("nginx:1"))).toBe(a);
  });

  it("changes with the template and with collisionCount", () => {
    const a = computeHash(template("nginx:1"));
    expect(computeHash(template("nginx:2"))).not.toBe(a);
    expect(computeHash(template("nginx:1", { metadata: { labels: { app: "web" }, annotations: { "kubectl.kubernetes.io/restartedAt": "now" } } }))).not.toBe(a);
    expect(computeHash(template("nginx:1"), 0)).not.toBe(a);
    expect(computeHash(template("nginx:1"), 1)).not.toBe(computeHash(template("nginx:1"), 0));
  });

  it("treats empty maps and lists as absent, and ignores the hash label when comparing", () => {
    expect(canonicalJSON({ b: [], a: { x: 1, y: {} } })).toBe('{"a":{"x":1}}');
    const withHash = template("nginx:1", { metadata: { labels: { app: "web", "pod-template-hash": "abc" } } });
    expect(equalIgnoreHash(withHash, template("nginx:1"))).toBe(true);
    expect(equalIgnoreHash(withHash, template("nginx:2"))).toBe(false);
  });
});
