import { describe, expect, it } from "vitest";
import { silentLogger, type Logger } from "../../log.js";
import { FakeApiObjectSource } from "./fake-object-source.js";
import { TokenManager } from "./token-manager.js";

const T0 = Date.UTC(2026, 10, 26, 7, 0, 0);
const req = (more: Partial<{ audience: string; expirationSeconds: number; podName: string; podUid: string }> = {}) => ({
  expirationSeconds: 3600,
  podName: "web-1",
  podUid: "uid-1",
  ...more,
});

function setup(random = () => 0, log: Logger = silentLogger) {
  let now = T0;
  const clock = { now: () => now, set: (t: number) => (now = t) };
  const source = new FakeApiObjectSource(clock.now);
  const tokens = new TokenManager({ source, now: clock.now, random, log });
  return { clock, source, tokens };
}

describe("TokenManager", () => {
  it("reuses the token until 80% of its lifetime has passed, then asks again", async () => {
    const { clock, source, tokens } = setup();
    expect(await tokens.getServiceAccountToken("shop", "builder", req())).toBe("token-1");
    expect(source.tokenRequests).toEqual([{ namespace: "shop", serviceAccount: "builder", expirationSeconds: 3600, podName: "web-1", podUid: "uid-1" }]);
    clock.set(T0 + 2880_000); // exactly 80% of 3600 s
    expect(await tokens.getServiceAccountToken("shop", "builder", req())).toBe("token-1");
    clock.set(T0 + 2880_000 + 1);
    expect(await tokens.getServiceAccountToken("shop", "builder", req())).toBe("token-2");
    expect(source.tokenRequests).toHaveLength(2);
    // The new token's lifetime counts from when it came.
    clock.set(T0 + 2880_001 + 2880_000);
    expect(await tokens.getServiceAccountToken("shop", "builder", req())).toBe("token-2");
  });

  it("refreshes a day-long token after 24 h even though 80% is further off", async () => {
    const { clock, tokens } = setup();
    await tokens.getServiceAccountToken("shop", "builder", req({ expirationSeconds: 7 * 86400 }));
    clock.set(T0 + 86400_000);
    expect(await tokens.getServiceAccountToken("shop", "builder", req({ expirationSeconds: 7 * 86400 }))).toBe("token-1");
    clock.set(T0 + 86400_000 + 1);
    expect(await tokens.getServiceAccountToken("shop", "builder", req({ expirationSeconds: 7 * 86400 }))).toBe("token-2");
  });

  it("refreshes up to 10 s early with jitter", async () => {
    const { clock, tokens } = setup(() => 0.99);
    await tokens.getServiceAccountToken("shop", "builder", req());
    clock.set(T0 + 2880_000 - 9_000 + 1);
    expect(await tokens.getServiceAccountToken("shop", "builder", req())).toBe("token-2");
  });

  it("asks again when the clock went back before the token was issued", async () => {
    const { clock, tokens } = setup();
    await tokens.getServiceAccountToken("shop", "builder", req());
    clock.set(T0 - 1000);
    expect(await tokens.getServiceAccountToken("shop", "builder", req())).toBe("token-2");
  });

  it("caches per pod, account, audience and lifetime", async () => {
    const { source, tokens } = setup();
    await tokens.getServiceAccountToken("shop", "builder", req());
    await tokens.getServiceAccountToken("shop", "builder", req({ audience: "vault" }));
    await tokens.getServiceAccountToken("shop", "builder", req({ expirationSeconds: 7200 }));
    await tokens.getServiceAccountToken("shop", "default", req());
    await tokens.getServiceAccountToken("shop", "builder", req({ podName: "web-2", podUid: "uid-2" }));
    await tokens.getServiceAccountToken("shop", "builder", req({ audience: "vault" }));
    expect(source.tokenRequests).toHaveLength(5);
    tokens.deletePodTokens("uid-1");
    expect(tokens.size).toBe(1);
  });

  it("keeps the old token while it is valid when a refresh fails, then fails as upstream", async () => {
    const errors: string[] = [];
    const { clock, source, tokens } = setup(() => 0, { info: () => {}, error: (l) => errors.push(l) });
    source.tokenError = new Error("connection refused");
    await expect(tokens.getServiceAccountToken("shop", "builder", req())).rejects.toThrow("failed to fetch token: connection refused");
    source.tokenError = undefined;
    await tokens.getServiceAccountToken("shop", "builder", req());
    source.tokenError = new Error("connection refused");
    clock.set(T0 + 3000_000);
    expect(await tokens.getServiceAccountToken("shop", "builder", req())).toBe("token-1");
    expect(errors).toHaveLength(1);
    clock.set(T0 + 3600_001);
    await expect(tokens.getServiceAccountToken("shop", "builder", req())).rejects.toThrow(/^token .* expired and refresh failed: connection refused$/);
  });

  it("drops expired tokens on cleanup", async () => {
    const { clock, tokens } = setup();
    await tokens.getServiceAccountToken("shop", "builder", req());
    await tokens.getServiceAccountToken("shop", "builder", req({ expirationSeconds: 7200 }));
    clock.set(T0 + 3600_001);
    tokens.cleanup();
    expect(tokens.size).toBe(1);
  });
});
