// `edgeplane audit` against `edgeplane up`: the requests kubectl just made are in the table, with
// the admin as their user, the right verb, resource, namespace, name and code; -o json is an
// audit.k8s.io/v1 EventList.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runEdgeplane, startEdgeplane, type Edgeplane } from "./harness.js";
import { hasKubectl, kubectlFor, table, warnIfNoKubectl, type Kubectl } from "./kubectl-helpers.js";

warnIfNoKubectl("audit-cli");

let h: Edgeplane;
let k: Kubectl;

describe.skipIf(!hasKubectl)("edgeplane audit", () => {
  beforeAll(async () => {
    h = await startEdgeplane();
    k = kubectlFor(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("prints the requests kubectl just made", async () => {
    await k.ok(["create", "namespace", "audited"]);
    await k.ok(["create", "configmap", "settings", "-n", "audited", "--from-literal=a=1"]);
    expect((await k(["get", "configmap", "missing", "-n", "audited"])).code).toBe(1);

    const r = await runEdgeplane(["audit", "--kubeconfig", h.kubeconfigPath, "--since", "10m"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const t = table(r.stdout);
    expect(t.headers).toEqual(["TIME", "USER", "VERB", "RESOURCE", "NAMESPACE", "NAME", "CODE", "LATENCY"]);
    const find = (verb: string, resource: string, name: string) => t.rows.find((row) => row.VERB === verb && row.RESOURCE === resource && row.NAME === name);
    expect(find("create", "namespaces", "audited")).toMatchObject({ USER: "edgeplane-admin", NAMESPACE: "<none>", CODE: "201" });
    expect(find("create", "configmaps", "settings")).toMatchObject({ USER: "edgeplane-admin", NAMESPACE: "audited", CODE: "201" });
    expect(find("get", "configmaps", "missing")).toMatchObject({ NAMESPACE: "audited", CODE: "404" });
    for (const row of t.rows) {
      expect(row.TIME).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(row.LATENCY).toMatch(/^\d+(\.\d)?m?s$/);
    }

    const j = await runEdgeplane(["audit", "--kubeconfig", h.kubeconfigPath, "--user", "edgeplane-admin", "-o", "json"]);
    expect(j.code).toBe(0);
    const list = JSON.parse(j.stdout);
    expect(list).toMatchObject({ kind: "EventList", apiVersion: "audit.k8s.io/v1" });
    const created = list.items.find((e: any) => e.verb === "create" && e.objectRef?.name === "settings");
    expect(created).toMatchObject({ level: "Metadata", stage: "ResponseComplete", objectRef: { resource: "configmaps", namespace: "audited" }, responseStatus: { code: 201 } });
    expect(created.userAgent).toMatch(/^kubectl\//);
  });
});
