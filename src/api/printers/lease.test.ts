import { describe, expect, it } from "vitest";
import { D, ago, kubectlHeaders, one } from "./test-helpers.js";

describe("leases", () => {
  it("print NAME HOLDER AGE", () => {
    const t = one("coordination.k8s.io", "Lease", {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "node-a", namespace: "kube-node-lease", creationTimestamp: ago(6 * D) },
      spec: { holderIdentity: "node-a", leaseDurationSeconds: 40, renewTime: ago(0) },
    });
    expect(kubectlHeaders(t.columnDefinitions)).toEqual(["NAME", "HOLDER", "AGE"]);
    expect(kubectlHeaders(t.columnDefinitions, true)).toEqual(["NAME", "HOLDER", "AGE"]);
    expect(t.rows[0].cells).toEqual(["node-a", "node-a", "6d"]);
  });
  it("print an empty holder for an unheld lease", () => {
    expect(one("coordination.k8s.io", "Lease", { metadata: { name: "x", creationTimestamp: ago(0) }, spec: {} }).rows[0].cells).toEqual(["x", "", "0s"]);
  });
});
