import { describe, expect, it } from "vitest";
import { auditIdFrom, configuredLevel, levelFor, microTime, responseStatusOf, sourceIPs, userAgentOf } from "./event.js";
import { requestInfo } from "./request-info.js";

const info = (path: string) => requestInfo("POST", new URL(`http://x${path}`));

describe("the audit policy", () => {
  it("AUDIT_LEVEL: the four levels, Metadata when unset or unknown", () => {
    expect(["None", "metadata", "Request", "REQUESTRESPONSE"].map(configuredLevel)).toEqual(["None", "Metadata", "Request", "RequestResponse"]);
    expect(configuredLevel(undefined)).toBe("Metadata");
    expect(configuredLevel("Everything")).toBe("Metadata");
  });

  it("Secrets, ConfigMaps, TokenRequests, TokenReviews and non-resource requests never go beyond Metadata", () => {
    for (const p of ["/api/v1/namespaces/n/secrets", "/api/v1/secrets", "/api/v1/namespaces/n/configmaps/c", "/api/v1/namespaces/n/serviceaccounts/sa/token", "/apis/authentication.k8s.io/v1/tokenreviews", "/version"]) {
      expect(levelFor("RequestResponse", info(p)), p).toBe("Metadata");
    }
    expect(levelFor("RequestResponse", info("/api/v1/namespaces/n/serviceaccounts/sa"))).toBe("RequestResponse");
    expect(levelFor("Request", info("/api/v1/namespaces/n/pods"))).toBe("Request");
    expect(levelFor("None", info("/api/v1/namespaces/n/pods"))).toBe("None");
  });
});

describe("event fields", () => {
  it("MicroTime has six fractional digits", () => {
    expect(microTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678))).toBe("2026-01-02T03:04:05.678000Z");
  });

  it("source IPs: X-Forwarded-For, X-Real-IP, then CF-Connecting-IP; junk dropped", () => {
    const h = new Headers({ "x-forwarded-for": "203.0.113.1, 10.0.0.1, not-an-ip", "x-real-ip": "10.0.0.1", "cf-connecting-ip": "2001:db8::1" });
    expect(sourceIPs(h)).toEqual(["203.0.113.1", "10.0.0.1", "2001:db8::1"]);
    expect(sourceIPs(new Headers())).toEqual([]);
  });

  it("a user agent over 1024 characters is truncated as upstream does", () => {
    expect(userAgentOf(new Headers({ "user-agent": "a".repeat(2000) }))).toBe(`${"a".repeat(1024)}...TRUNCATED`);
    expect(userAgentOf(new Headers())).toBeUndefined();
  });

  it("a client's sane Audit-ID is kept, anything else replaced by a UUID", () => {
    expect(auditIdFrom("abc-123")).toBe("abc-123");
    expect(auditIdFrom("bad id\n")).toMatch(/^[0-9a-f-]{36}$/);
    expect(auditIdFrom(null)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("responseStatus: the code, and a failure's reason and message", () => {
    expect(responseStatusOf(200, undefined)).toEqual({ metadata: {}, code: 200 });
    const s = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "nope", reason: "NotFound", code: 404 } as const;
    expect(responseStatusOf(404, s)).toEqual({ metadata: {}, code: 404, status: "Failure", message: "nope", reason: "NotFound" });
  });
});
