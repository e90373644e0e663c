import { describe, expect, it } from "vitest";
import { missingServiceAccounts } from "./plan.js";
import { planTokenCleanup } from "../bootstrap/tokencleaner.js";

describe("ServiceAccounts controller plan", () => {
  it("creates `default` when it is missing, nothing otherwise", () => {
    expect(missingServiceAccounts(() => false)).toEqual(["default"]);
    expect(missingServiceAccounts((n) => n === "default")).toEqual([]);
  });
});

describe("token cleaner plan", () => {
  const secret = (expiration?: string, type = "bootstrap.kubernetes.io/token") => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "bootstrap-token-abcdef" },
    type,
    data: (expiration === undefined ? {} : { expiration: btoa(expiration) }) as Record<string, string>,
  });
  const now = Date.UTC(2030, 0, 1);

  it("deletes an expired token, waits for one that expires later, leaves others alone", () => {
    expect(planTokenCleanup(secret("2029-12-31T00:00:00Z"), now)).toEqual({ action: "delete" });
    expect(planTokenCleanup(secret("2030-01-01T00:00:30Z"), now)).toEqual({ action: "requeue", afterMs: 30_000 });
    expect(planTokenCleanup(secret(), now)).toEqual({ action: "none" });
    expect(planTokenCleanup(secret("garbage"), now)).toEqual({ action: "none" });
    expect(planTokenCleanup(secret("2029-12-31T00:00:00Z", "Opaque"), now)).toEqual({ action: "none" });
  });
});
