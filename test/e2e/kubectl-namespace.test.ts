// Real kubectl against `edgeplane up`: deleting a namespace. `kubectl delete namespace` waits
// until the namespace controller has emptied it and removed it; a finalizer on its content keeps
// it Terminating, with upstream's conditions, until the finalizer goes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEdgeplane, type Edgeplane } from "./harness.js";
import { until } from "./helpers.js";
import { hasKubectl, kubectlFor, rowOf, table, warnIfNoKubectl, type Kubectl } from "./kubectl-helpers.js";

warnIfNoKubectl("kubectl-namespace");

let h: Edgeplane;
let k: Kubectl;

const notFound = (ns: string) => ({ code: 1, stdout: "", stderr: `Error from server (NotFound): namespaces "${ns}" not found\n` });

describe.skipIf(!hasKubectl)("kubectl and namespace deletion", () => {
  beforeAll(async () => {
    h = await startEdgeplane();
    k = kubectlFor(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("delete namespace waits until its content and then the namespace are gone", async () => {
    expect(await k.ok(["create", "namespace", "doomed"])).toBe("namespace/doomed created\n");
    await k.ok(["create", "configmap", "settings", "-n", "doomed", "--from-literal=a=1"]);
    await k.ok(["create", "secret", "generic", "pw", "-n", "doomed", "--from-literal=p=x"]);
    await k.ok(["create", "deployment", "web", "-n", "doomed", "--image=nginx:1.25", "--replicas=2"]);
    // The controllers create the ReplicaSet, its pods and their events.
    await until("two pods", async () => ((await k.ok(["get", "pods", "-n", "doomed", "-o", "name"])).trim().split("\n").filter(Boolean).length === 2 ? true : undefined));
    expect((await k.ok(["get", "events", "-n", "doomed", "-o", "name"])).trim()).not.toBe("");

    const r = await k(["delete", "namespace", "doomed"], { timeoutMs: 60_000 });
    expect(r).toEqual({ code: 0, stdout: 'namespace "doomed" deleted\n', stderr: "" });
    expect(await k(["get", "ns", "doomed"])).toEqual(notFound("doomed"));
    const left = await k(["get", "configmaps,secrets,pods,deployments,replicasets,events", "-n", "doomed", "-o", "name"]);
    expect(left).toMatchObject({ code: 0, stdout: "" });

    // The name is free again, for an empty namespace (but for what every namespace gets: its CA bundle).
    expect(await k.ok(["create", "namespace", "doomed"])).toBe("namespace/doomed created\n");
    const fresh = ["get", "configmaps,pods,deployments", "-n", "doomed", "-o", "name", "--field-selector", "metadata.name!=kube-root-ca.crt"];
    expect(await k(fresh)).toMatchObject({ code: 0, stdout: "" });
  });

  it("a finalizer keeps the namespace Terminating until it is removed", async () => {
    await k.ok(["create", "namespace", "held"]);
    const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keep\n  finalizers: [example.com/hold]\ndata: {a: '1'}\n";
    expect(await k.ok(["create", "-n", "held", "-f", "-"], { stdin: cm })).toBe("configmap/keep created\n");

    expect(await k.ok(["delete", "namespace", "held", "--wait=false"])).toBe('namespace "held" deleted\n');
    const message = await until("NamespaceFinalizersRemaining", async () => {
      const m = await k.ok(["get", "ns", "held", "-o", 'jsonpath={.status.conditions[?(@.type=="NamespaceFinalizersRemaining")].message}']);
      return m.startsWith("Some") ? m : undefined;
    });
    expect(message).toBe("Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances");
    expect(await k.ok(["get", "ns", "held", "-o", 'jsonpath={.status.conditions[?(@.type=="NamespaceContentRemaining")].reason}'])).toBe("SomeResourcesRemain");
    expect(rowOf(table(await k.ok(["get", "ns"])), "held").STATUS).toBe("Terminating");

    const refused = await k(["create", "configmap", "late", "-n", "held"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('configmaps "late" is forbidden: unable to create new content in namespace held because it is being terminated');

    await k.ok(["patch", "configmap", "keep", "-n", "held", "--type=merge", "-p", '{"metadata":{"finalizers":null}}']);
    // The controller looks again after its wait (15 s / 2 + 1 for content held by finalizers).
    const w = await k(["wait", "--for=delete", "namespace/held", "--timeout=60s"], { timeoutMs: 70_000 });
    expect(w.code, w.stderr).toBe(0);
    expect(await k(["get", "ns", "held"])).toEqual(notFound("held"));
  }, 120_000);
});
