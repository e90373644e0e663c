// The namespace controller running in the cluster store, driven by its alarm: deleting a
// namespace has its store delete every object in it, the Namespace's conditions say what still
// holds it, and once nothing is left the "kubernetes" finalizer goes and the namespace with it.
import { createExecutionContext, createScheduledController, env, runDurableObjectAlarm, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import worker from "../../src/index.js";
import { api, cm, del, deployment, eventually, get, names, newNs, nsStub, patch, pod, post } from "./helpers.js";

const clusterStub = () => env.NAMESPACE_STORE.get(env.NAMESPACE_STORE.idFromName("cluster")) as any;

const items = async (path: string) => (await get(path)).body.items as any[];
const gone = (ns: string) => async () => ((await get(`/api/v1/namespaces/${ns}`)).status === 404 ? true : undefined);

/** Every list the namespace's content shows up in. */
const contentPaths = (ns: string) => [
  `/api/v1/namespaces/${ns}/configmaps`,
  `/api/v1/namespaces/${ns}/pods`,
  `/api/v1/namespaces/${ns}/events`,
  `/apis/events.k8s.io/v1/namespaces/${ns}/events`,
  `/apis/apps/v1/namespaces/${ns}/deployments`,
  `/apis/apps/v1/namespaces/${ns}/replicasets`,
];

const coreEvent = (name: string) => ({
  apiVersion: "v1",
  kind: "Event",
  metadata: { name },
  involvedObject: { kind: "ConfigMap", name: "a", apiVersion: "v1" },
  reason: "Tested",
  message: "hello",
  type: "Normal",
});

describe("namespace controller", () => {
  it("deletes configmaps, a deployment with its pods and the controllers' events, then the namespace", async () => {
    const ns = await newNs("nsc");
    for (const name of ["a", "b"]) expect((await post(`/api/v1/namespaces/${ns}/configmaps`, cm(name))).status).toBe(201);
    expect((await post(`/api/v1/namespaces/${ns}/events`, coreEvent("by-hand"))).status).toBe(201);
    expect((await post(`/apis/apps/v1/namespaces/${ns}/deployments`, deployment("web", 2))).status).toBe(201);
    // The Deployment and ReplicaSet controllers create a ReplicaSet, two pods and their events.
    await eventually([ns, ""], async () => ((await items(`/api/v1/namespaces/${ns}/pods`)).length === 2 ? true : undefined));
    const events = await items(`/api/v1/namespaces/${ns}/events`);
    expect(events.filter((e) => e.reason === "SuccessfulCreate")).toHaveLength(2);
    expect(events.some((e) => e.reason === "ScalingReplicaSet")).toBe(true);

    const d = await del(`/api/v1/namespaces/${ns}`);
    expect(d.status).toBe(200);
    expect(d.body.status.phase).toBe("Terminating");

    await eventually([ns, ""], gone(ns));
    for (const path of contentPaths(ns)) expect(await items(path), path).toEqual([]);
    // The namespace is not listed any more either.
    expect(names((await get(`/api/v1/namespaces`)).body)).not.toContain(ns);
  });

  it("waits for finalizers and graceful pods, with upstream's conditions, and refuses new content meanwhile", async () => {
    const ns = await newNs("nsf");
    const cms = `/api/v1/namespaces/${ns}/configmaps`;
    const pods = `/api/v1/namespaces/${ns}/pods`;
    expect((await post(cms, { ...cm("held"), metadata: { name: "held", finalizers: ["example.com/x"] } })).status).toBe(201);
    expect((await post(cms, cm("free"))).status).toBe(201);
    // Pods on a node are deleted gracefully: they stay until their kubelet confirms.
    for (const name of ["p1", "p2"]) expect((await post(pods, pod(name, { nodeName: "n1" }))).status).toBe(201);

    expect((await del(`/api/v1/namespaces/${ns}`)).status).toBe(200);
    const terminating = await eventually([ns, ""], async () => {
      const got = (await get(`/api/v1/namespaces/${ns}`)).body;
      return got.status?.conditions?.some((c: any) => c.type === "NamespaceFinalizersRemaining" && c.status === "True") ? got : undefined;
    });
    expect(terminating.status.phase).toBe("Terminating");
    expect(terminating.spec.finalizers).toEqual(["kubernetes"]);
    const conditions = terminating.status.conditions.map(({ lastTransitionTime, ...c }: any) => {
      expect(lastTransitionTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      return c;
    });
    expect(conditions).toEqual([
      { type: "NamespaceDeletionDiscoveryFailure", status: "False", reason: "ResourcesDiscovered", message: "All resources successfully discovered" },
      { type: "NamespaceDeletionGroupVersionParsingFailure", status: "False", reason: "ParsedGroupVersions", message: "All legacy kube types successfully parsed" },
      { type: "NamespaceDeletionContentFailure", status: "False", reason: "ContentDeleted", message: "All content successfully deleted, may be waiting on finalization" },
      { type: "NamespaceContentRemaining", status: "True", reason: "SomeResourcesRemain", message: "Some resources are remaining: configmaps. has 1 resource instances, pods. has 2 resource instances" },
      { type: "NamespaceFinalizersRemaining", status: "True", reason: "SomeFinalizersRemain", message: "Some content in the namespace has finalizers remaining: example.com/x in 1 resource instances" },
    ]);
    expect(names({ items: await items(cms) })).toEqual(["held"]);
    expect((await get(`${cms}/held`)).body.metadata.deletionTimestamp).toBeDefined();
    for (const p of await items(pods)) expect(p.metadata.deletionTimestamp).toBeDefined();

    // No new content while it terminates.
    const refused = await post(cms, cm("new"));
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ reason: "Forbidden", message: `configmaps "new" is forbidden: unable to create new content in namespace ${ns} because it is being terminated` });

    // The kubelet confirms the pods; only the finalizer holds the namespace now.
    for (const name of ["p1", "p2"]) expect((await api("DELETE", `${pods}/${name}`, { gracePeriodSeconds: 0 })).status).toBe(200);
    expect(await items(pods)).toEqual([]);
    await clusterStub().resync();
    const held = await eventually([ns, ""], async () => {
      const got = (await get(`/api/v1/namespaces/${ns}`)).body;
      const c = got.status.conditions.find((x: any) => x.type === "NamespaceContentRemaining");
      return c.message === "Some resources are remaining: configmaps. has 1 resource instances" ? got : undefined;
    });
    expect(held.status.phase).toBe("Terminating");

    // Releasing the finalizer removes the configmap; the cron resync picks the namespace up again.
    expect((await patch(`${cms}/held`, "merge", { metadata: { finalizers: null } })).status).toBe(200);
    expect(await items(cms)).toEqual([]);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: "* * * * *" }), env as any, ctx);
    await waitOnExecutionContext(ctx);
    await eventually([ns, ""], gone(ns));

    // The name can be used again, for an empty namespace.
    const again = await post(`/api/v1/namespaces`, { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
    expect(again.status).toBe(201);
    expect(again.body.status).toEqual({ phase: "Active" });
    expect(again.body.metadata.uid).not.toBe(terminating.metadata.uid);
    for (const path of contentPaths(ns)) expect(await items(path), path).toEqual([]);
    expect((await post(cms, cm("fresh"))).status).toBe(201);
  });

  it("deletes a Service with the namespace; the namespace re-created under the same name has none", async () => {
    const ns = await newNs("nss");
    const svcs = `/api/v1/namespaces/${ns}/services`;
    const svc = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "test-service" },
      spec: { type: "ClusterIP", selector: { foo: "bar" }, ports: [{ port: 80, targetPort: 80 }] },
    };
    expect((await post(svcs, svc)).status).toBe(201);
    expect(names({ items: await items(svcs) })).toEqual(["test-service"]);

    expect((await del(`/api/v1/namespaces/${ns}`)).status).toBe(200);
    await eventually([ns, ""], gone(ns));
    expect(await items(svcs)).toEqual([]);

    expect((await post(`/api/v1/namespaces`, { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } })).status).toBe(201);
    expect((await get(`${svcs}/test-service`)).status).toBe(404);
    expect(await items(svcs)).toEqual([]);
  });

  it("deletes a namespace whose store was never used", async () => {
    const ns = await newNs("nse");
    expect((await del(`/api/v1/namespaces/${ns}`)).status).toBe(200);
    await eventually([ns, ""], gone(ns));
  });

  it("leaves namespaces that are not being deleted alone", async () => {
    const ns = await newNs("nsa");
    expect((await post(`/api/v1/namespaces/${ns}/configmaps`, cm("a"))).status).toBe(201);
    await clusterStub().resync();
    await runDurableObjectAlarm(clusterStub());
    const got = (await get(`/api/v1/namespaces/${ns}`)).body;
    expect(got.status).toEqual({ phase: "Active" });
    expect(names({ items: await items(`/api/v1/namespaces/${ns}/configmaps`) })).toEqual(["a"]);
  });
});
