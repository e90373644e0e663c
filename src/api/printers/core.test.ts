import { describe, expect, it } from "vitest";
import { D, H, M, S, ago, kubectlHeaders, one } from "./test-helpers.js";

const meta = (name: string, age: number) => ({ name, namespace: "default", creationTimestamp: ago(age) });

describe("namespaces", () => {
  it("print NAME STATUS AGE", () => {
    const t = one("", "Namespace", { apiVersion: "v1", kind: "Namespace", metadata: { name: "kube-system", creationTimestamp: ago(400 * D) }, status: { phase: "Active" } });
    expect(kubectlHeaders(t.columnDefinitions)).toEqual(["NAME", "STATUS", "AGE"]);
    expect(kubectlHeaders(t.columnDefinitions, true)).toEqual(["NAME", "STATUS", "AGE"]);
    expect(t.rows[0].cells).toEqual(["kube-system", "Active", "400d"]);
    const terminating = one("", "Namespace", { metadata: { name: "old", creationTimestamp: ago(2 * H) }, status: { phase: "Terminating" } });
    expect(terminating.rows[0].cells).toEqual(["old", "Terminating", "120m"]);
  });
});

describe("configmaps", () => {
  it("print NAME DATA AGE, counting data and binaryData", () => {
    const t = one("", "ConfigMap", { apiVersion: "v1", kind: "ConfigMap", metadata: meta("settings", 90 * S), data: { a: "1", b: "2" }, binaryData: { c: "AA==" } });
    expect(kubectlHeaders(t.columnDefinitions)).toEqual(["NAME", "DATA", "AGE"]);
    expect(t.rows[0].cells).toEqual(["settings", 3, "90s"]);
    expect(one("", "ConfigMap", { metadata: meta("empty", 0) }).rows[0].cells).toEqual(["empty", 0, "0s"]);
  });
});

describe("secrets", () => {
  it("print NAME TYPE DATA AGE", () => {
    const t = one("", "Secret", { apiVersion: "v1", kind: "Secret", metadata: meta("tls", 5 * M), type: "kubernetes.io/tls", data: { "tls.crt": "x", "tls.key": "y" } });
    expect(kubectlHeaders(t.columnDefinitions)).toEqual(["NAME", "TYPE", "DATA", "AGE"]);
    expect(kubectlHeaders(t.columnDefinitions, true)).toEqual(["NAME", "TYPE", "DATA", "AGE"]);
    expect(t.rows[0].cells).toEqual(["tls", "kubernetes.io/tls", 2, "5m"]);
  });
  it("count stringData keys merged into data", () => {
    const t = one("", "Secret", { metadata: meta("s", 5 * M), type: "Opaque", data: { a: "eA==" }, stringData: { a: "x", b: "y" } });
    expect(t.rows[0].cells).toEqual(["s", "Opaque", 2, "5m"]);
  });
});

describe("serviceaccounts", () => {
  it("print NAME SECRETS AGE", () => {
    const t = one("", "ServiceAccount", { apiVersion: "v1", kind: "ServiceAccount", metadata: meta("default", 30 * D) });
    expect(kubectlHeaders(t.columnDefinitions)).toEqual(["NAME", "SECRETS", "AGE"]);
    expect(t.rows[0].cells).toEqual(["default", 0, "30d"]);
    expect(one("", "ServiceAccount", { metadata: meta("builder", 3 * D + 5 * H), secrets: [{ name: "builder-token" }] }).rows[0].cells).toEqual(["builder", 1, "3d5h"]);
  });
});
