import { describe, expect, it } from "vitest";
import { DESCRIPTION, planRootCA } from "./plan.js";

const PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";

describe("root CA publisher plan", () => {
  it("creates kube-root-ca.crt with ca.crt and upstream's description", () => {
    expect(planRootCA(undefined, PEM)).toEqual({
      action: "create",
      object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "kube-root-ca.crt", annotations: { "kubernetes.io/description": DESCRIPTION } }, data: { "ca.crt": `${PEM}\n` } },
    });
  });

  it("leaves a current one alone, puts back edited data and a missing description, keeps another description", () => {
    const current = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "kube-root-ca.crt", resourceVersion: "7", annotations: { "kubernetes.io/description": DESCRIPTION } }, data: { "ca.crt": `${PEM}\n` } };
    expect(planRootCA(current, `${PEM}\n\n`)).toEqual({ action: "none" });
    const edited = planRootCA({ ...current, data: { "ca.crt": "x", extra: "y" } }, PEM);
    expect(edited).toMatchObject({ action: "update", object: { metadata: { resourceVersion: "7" }, data: { "ca.crt": `${PEM}\n` } } });
    expect((edited as any).object.data).toEqual({ "ca.crt": `${PEM}\n` });
    const bare = planRootCA({ ...current, metadata: { name: "kube-root-ca.crt", resourceVersion: "7" } }, PEM);
    expect(bare).toMatchObject({ action: "update", object: { metadata: { annotations: { "kubernetes.io/description": DESCRIPTION } } } });
    expect(planRootCA({ ...current, metadata: { ...current.metadata, annotations: { "kubernetes.io/description": "ours" } } }, PEM)).toEqual({ action: "none" });
  });
});
