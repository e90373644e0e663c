// Server-side apply with real kubectl (`kubectl apply --server-side`) against `edgeplane up`:
// creation, no-op re-apply, managedFields, conflicts between managers and --force-conflicts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEdgeplane, type Edgeplane } from "./harness.js";
import { settled } from "./helpers.js";
import { hasKubectl, kubectlFor, manifestDir, warnIfNoKubectl, type Kubectl } from "./kubectl-helpers.js";

warnIfNoKubectl("kubectl-ssa");

const deployment = (replicas: number, image = "nginx:1.27") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ssa
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: ssa}
  template:
    metadata:
      labels: {app: ssa}
    spec:
      containers:
      - name: web
        image: ${image}
`;

describe.skipIf(!hasKubectl)("kubectl apply --server-side", () => {
  let h: Edgeplane;
  let k: Kubectl;
  const files = manifestDir("edgeplane-ssa-");
  beforeAll(async () => {
    h = await startEdgeplane();
    k = kubectlFor(h);
  });
  afterAll(async () => {
    files.remove();
    await h?.stop();
  });

  it("creates, re-applies as a no-op, and records an Apply entry for kubectl", async () => {
    const file = files.write("d1.yaml", deployment(2));
    expect((await k.ok(["apply", "--server-side", "-f", file])).trim()).toBe("deployment.apps/ssa serverside-applied");
    // The Deployment controller writes the object after the create: the no-op re-apply is checked
    // against the object it left.
    const first = await settled(async () => JSON.parse(await k.ok(["get", "deploy", "ssa", "-o", "json", "--show-managed-fields"])));
    expect((await k.ok(["apply", "--server-side", "-f", file])).trim()).toBe("deployment.apps/ssa serverside-applied");
    const again = JSON.parse(await k.ok(["get", "deploy", "ssa", "-o", "json", "--show-managed-fields"]));
    expect(again.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    const entry = again.metadata.managedFields.find((m: any) => m.manager === "kubectl" && m.operation === "Apply");
    expect(entry).toMatchObject({ apiVersion: "apps/v1", fieldsType: "FieldsV1" });
    expect(entry.fieldsV1["f:spec"]["f:replicas"]).toEqual({});
    expect(Object.keys(entry.fieldsV1["f:spec"]["f:template"]["f:spec"]["f:containers"])).toContain('k:{"name":"web"}');
    // Hidden unless asked for, as kubectl does.
    expect(await k.ok(["get", "deploy", "ssa", "-o", "yaml"])).not.toContain("managedFields");
  });

  it("reports a conflict with another manager's field, and takes it with --force-conflicts", async () => {
    const file = files.write("d2.yaml", deployment(5));
    const r = await k(["apply", "--server-side", "--field-manager=ci", "-f", file]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas');
    expect((await k.ok(["get", "deploy", "ssa", "-o", "jsonpath={.spec.replicas}"])).trim()).toBe("2");
    const forced = await k.ok(["apply", "--server-side", "--field-manager=ci", "--force-conflicts", "-f", file]);
    expect(forced.trim()).toBe("deployment.apps/ssa serverside-applied");
    const obj = JSON.parse(await k.ok(["get", "deploy", "ssa", "-o", "json", "--show-managed-fields"]));
    expect(obj.spec.replicas).toBe(5);
    const owners = obj.metadata.managedFields.filter((m: any) => m.fieldsV1?.["f:spec"]?.["f:replicas"]).map((m: any) => m.manager);
    expect(owners).toEqual(["ci"]);
  });

  it("removes a field the applier dropped from its configuration", async () => {
    const file = files.write("d3.yaml", deployment(5).replace("  replicas: 5\n", "").replace("kind: Deployment", "kind: Deployment").replace("name: ssa", "name: ssa"));
    // "ci" owns replicas now: applying without it as "ci" gives it up and the default comes back.
    await k.ok(["apply", "--server-side", "--field-manager=ci", "--force-conflicts", "-f", file]);
    const obj = JSON.parse(await k.ok(["get", "deploy", "ssa", "-o", "json", "--show-managed-fields"]));
    expect(obj.metadata.managedFields.some((m: any) => m.manager === "ci" && m.fieldsV1?.["f:spec"]?.["f:replicas"])).toBe(false);
  });

  it("refuses an unknown field with the strict decoding error", async () => {
    const file = files.write("d4.yaml", deployment(1).replace("image: nginx:1.27", "image: nginx:1.27\n        imagee: typo"));
    const r = await k(["apply", "--server-side", "--field-manager=typo", "-f", file]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('unknown field "spec.template.spec.containers[0].imagee"');
  });
});
