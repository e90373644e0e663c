// pods/binding (upstream BindingREST): sets spec.nodeName and PodScheduled=True in one write,
// refuses a bound or terminating pod with 409 on pods/binding, validates the Binding.
import { describe, expect, it } from "vitest";
import { del, get, newNs, pod, post } from "./helpers.js";
import { as, nodeToken } from "./tokens-helpers.js";

const binding = (name: string, node: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: "v1",
  kind: "Binding",
  metadata: { name, ...extra },
  target: { apiVersion: "v1", kind: "Node", name: node },
});

describe("pods/binding", () => {
  it("binds a pending pod: nodeName and PodScheduled=True at once, 201 Success", async () => {
    const ns = await newNs("bind");
    const created = await post(`/api/v1/namespaces/${ns}/pods`, pod("p"));
    expect(created.status).toBe(201);
    const r = await post(`/api/v1/namespaces/${ns}/pods/p/binding`, binding("p", "node-a", { uid: created.body.metadata.uid }));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ kind: "Status", apiVersion: "v1", status: "Success", code: 201 });
    const got = await get(`/api/v1/namespaces/${ns}/pods/p`);
    expect(got.body.spec.nodeName).toBe("node-a");
    const cond = got.body.status.conditions.find((c: any) => c.type === "PodScheduled");
    expect(cond).toMatchObject({ type: "PodScheduled", status: "True" });
    expect(cond.lastTransitionTime).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("refuses to bind a bound pod, with upstream's 409 message", async () => {
    const ns = await newNs("bind");
    await post(`/api/v1/namespaces/${ns}/pods`, pod("p", { nodeName: "node-a" }));
    const r = await post(`/api/v1/namespaces/${ns}/pods/p/binding`, binding("p", "node-b"));
    expect(r.status).toBe(409);
    expect(r.body).toMatchObject({ reason: "Conflict", details: { name: "p", kind: "pods/binding" } });
    expect(r.body.message).toBe('Operation cannot be fulfilled on pods/binding "p": pod p is already assigned to node "node-a"');
    expect((await get(`/api/v1/namespaces/${ns}/pods/p`)).body.spec.nodeName).toBe("node-a");
  });

  it("checks the uid precondition, the names and the target", async () => {
    const ns = await newNs("bind");
    await post(`/api/v1/namespaces/${ns}/pods`, pod("p"));
    const stale = await post(`/api/v1/namespaces/${ns}/pods/p/binding`, binding("p", "n", { uid: "00000000-0000-0000-0000-000000000000" }));
    expect(stale.status).toBe(409);
    expect(stale.body.message).toContain("Precondition failed: UID in precondition");
    const wrongName = await post(`/api/v1/namespaces/${ns}/pods/p/binding`, binding("q", "n"));
    expect(wrongName.status).toBe(400);
    expect(wrongName.body.message).toBe("name in URL does not match name in Binding object");
    const badTarget = await post(`/api/v1/namespaces/${ns}/pods/p/binding`, { kind: "Binding", apiVersion: "v1", metadata: { name: "p" }, target: { kind: "Pod" } });
    expect(badTarget.status).toBe(422);
    expect(badTarget.body.details.causes.map((c: any) => c.field).sort()).toEqual(["target.kind", "target.name"]);
    const missing = await post(`/api/v1/namespaces/${ns}/pods/nope/binding`, binding("nope", "n"));
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('pods "nope" not found');
    // Nothing was written by the refused requests.
    expect((await get(`/api/v1/namespaces/${ns}/pods/p`)).body.spec.nodeName).toBeUndefined();
  });

  it("dry run answers Success and writes nothing", async () => {
    const ns = await newNs("bind");
    const created = await post(`/api/v1/namespaces/${ns}/pods`, pod("p"));
    const r = await post(`/api/v1/namespaces/${ns}/pods/p/binding?dryRun=All`, binding("p", "node-a"));
    expect(r.status).toBe(201);
    const got = await get(`/api/v1/namespaces/${ns}/pods/p`);
    expect(got.body.spec.nodeName).toBeUndefined();
    expect(got.body.metadata.uid).toBe(created.body.metadata.uid);
    expect((got.body.status.conditions ?? []).some((c: any) => c.type === "PodScheduled" && c.status === "True")).toBe(false);
  });

  it("refuses a pod being deleted", async () => {
    const ns = await newNs("bind");
    await post(`/api/v1/namespaces/${ns}/pods`, { ...pod("p"), metadata: { name: "p", finalizers: ["example.com/hold"] } });
    expect((await del(`/api/v1/namespaces/${ns}/pods/p`)).status).toBe(200);
    const r = await post(`/api/v1/namespaces/${ns}/pods/p/binding`, binding("p", "node-a"));
    expect(r.status).toBe(409);
    expect(r.body.message).toBe('Operation cannot be fulfilled on pods/binding "p": pod p is being deleted, cannot be assigned to a host');
  });

  it("a node may not bind pods (only the scheduler and admins)", async () => {
    const ns = await newNs("bind");
    await post(`/api/v1/namespaces/${ns}/pods`, pod("p"));
    const r = await as(await nodeToken("node-a"), "POST", `/api/v1/namespaces/${ns}/pods/p/binding`, binding("p", "node-a"));
    expect(r.status).toBe(403);
    expect((await get(`/api/v1/namespaces/${ns}/pods/p`)).body.spec.nodeName).toBeUndefined();
  });
});
