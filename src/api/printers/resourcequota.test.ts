import { describe, expect, it } from "vitest";
import { H, M, ago, kubectlHeaders, one } from "./test-helpers.js";

describe("resourcequotas", () => {
  it("print NAME AGE REQUEST LIMIT, limits.* in LIMIT and the rest in REQUEST, sorted", () => {
    const t = one("", "ResourceQuota", {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: "compute-resources", namespace: "default", creationTimestamp: ago(5 * M) },
      spec: { hard: { pods: "4", "limits.cpu": "2", "requests.cpu": "1", "limits.memory": "2Gi" } },
      status: { hard: { pods: "4", "limits.cpu": "2", "requests.cpu": "1", "limits.memory": "2Gi" }, used: { pods: "1", "limits.cpu": "500m", "requests.cpu": "250m" } },
    });
    expect(kubectlHeaders(t.columnDefinitions)).toEqual(["NAME", "AGE", "REQUEST", "LIMIT"]);
    expect(t.rows[0].cells).toEqual(["compute-resources", "5m", "pods: 1/4, requests.cpu: 250m/1", "limits.cpu: 500m/2, limits.memory: 0/2Gi"]);
  });

  it("print empty columns before the quota has a status", () => {
    const t = one("", "ResourceQuota", { metadata: { name: "q", creationTimestamp: ago(2 * H) }, spec: { hard: { pods: "1" } } });
    expect(t.rows[0].cells).toEqual(["q", "120m", "", ""]);
  });
});

describe("limitranges", () => {
  it("print the default table: NAME CREATED AT", () => {
    const t = one("", "LimitRange", { metadata: { name: "limits", creationTimestamp: "2025-06-01T11:00:00Z" }, spec: { limits: [] } });
    expect(kubectlHeaders(t.columnDefinitions)).toEqual(["NAME", "CREATED AT"]);
    expect(t.rows[0].cells).toEqual(["limits", "2025-06-01T11:00:00Z"]);
  });
});
