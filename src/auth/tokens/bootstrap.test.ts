import { describe, expect, it } from "vitest";
import { bootstrapExpiry, bootstrapGroups, bootstrapSecret, generateBootstrapToken, isExpired, parseBootstrapToken } from "./bootstrap.js";

const data = (o: Record<string, string>) => ({ data: Object.fromEntries(Object.entries(o).map(([k, v]) => [k, btoa(v)])) });

describe("bootstrap tokens", () => {
  it("are kubeadm's [a-z0-9]{6}.[a-z0-9]{16}", () => {
    for (let i = 0; i < 50; i++) {
      const t = generateBootstrapToken();
      expect(t.token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
      expect(parseBootstrapToken(t.token)).toEqual({ id: t.id, secret: t.secret });
    }
    for (const bad of ["abcdef.0123456789abcde", "ABCDEF.0123456789abcdef", "abcdef0123456789abcdef", "abcdef.0123456789abcdef.x"]) expect(parseBootstrapToken(bad)).toBeUndefined();
  });

  it("are kept as Secret kube-system/bootstrap-token-<id> with upstream's keys", () => {
    const s = bootstrapSecret({ id: "abcdef", secret: "0123456789abcdef", expiresAt: Date.UTC(2030, 0, 2, 3, 4, 5, 678), description: "rack 4" });
    expect(s).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "bootstrap-token-abcdef", namespace: "kube-system" },
      type: "bootstrap.kubernetes.io/token",
      stringData: {
        "token-id": "abcdef",
        "token-secret": "0123456789abcdef",
        "usage-bootstrap-authentication": "true",
        expiration: "2030-01-02T03:04:05Z",
        description: "rack 4",
        "auth-extra-groups": "system:bootstrappers:edgeplane:default-node-token",
      },
    });
  });

  it("expire at their RFC 3339 expiration; an unreadable one counts as expired", () => {
    const now = Date.UTC(2030, 0, 1);
    expect(bootstrapExpiry(data({}))).toBeNull();
    expect(isExpired(data({}), now)).toBe(false);
    expect(isExpired(data({ expiration: "2030-01-01T00:00:01Z" }), now)).toBe(false);
    expect(isExpired(data({ expiration: "2029-12-31T23:59:59Z" }), now)).toBe(true);
    expect(isExpired(data({ expiration: "2030-01-01T01:00:00+02:00" }), now)).toBe(true);
    expect(isExpired(data({ expiration: "tomorrow" }), now)).toBe(true);
  });

  it("put the user in system:bootstrappers and valid extra groups only", () => {
    expect(bootstrapGroups(data({}))).toEqual(["system:bootstrappers"]);
    expect(bootstrapGroups(data({ "auth-extra-groups": "system:bootstrappers:a,system:bootstrappers:b" }))).toEqual(["system:bootstrappers", "system:bootstrappers:a", "system:bootstrappers:b"]);
    expect(bootstrapGroups(data({ "auth-extra-groups": "system:masters" }))).toBeUndefined();
    expect(bootstrapGroups(data({ "auth-extra-groups": "system:bootstrappers:" }))).toBeUndefined();
  });
});
