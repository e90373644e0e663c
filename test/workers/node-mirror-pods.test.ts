// Mirror pods through the whole API as a node (its own credentials): the Node authorizer lets a
// node create pods, NodeRestriction admits only mirror pods bound to itself and owned by its
// Node, with upstream's 403 messages; the node may then read, update the status of and delete
// its mirror pods, and nothing of another node's.
import { describe, expect, it } from "vitest";
import { newNs } from "./helpers.js";
import { as, nodeToken } from "./tokens-helpers.js";

const mirror = (name: string, nodeName: string, extra: { spec?: Record<string, unknown>; owner?: Record<string, unknown> } = {}) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name,
    annotations: { "kubernetes.io/config.mirror": "0123abcd", "kubernetes.io/config.hash": "0123abcd", "kubernetes.io/config.source": "file" },
    ownerReferences: [{ apiVersion: "v1", kind: "Node", name: nodeName, uid: "node-uid", controller: true, ...extra.owner }],
  },
  spec: { nodeName, containers: [{ name: "c", image: "busybox:1.36" }], ...extra.spec },
});

describe("mirror pods created by a node", () => {
  it("a node creates, reads, updates the status of and deletes its own mirror pod", async () => {
    const ns = await newNs("mirror");
    const n1 = await nodeToken("mp-n1");
    // Without its Node, a node cannot vouch for the owner reference's uid; with it, the uid must match.
    const noNode = await as(n1, "POST", `/api/v1/namespaces/${ns}/pods`, mirror("web-mp-n1", "mp-n1"));
    expect(noNode.status, noNode.text).toBe(404);
    const node = await as(n1, "POST", "/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name: "mp-n1" } });
    expect(node.status, node.text).toBe(201);
    const nodeUid = node.body.metadata.uid as string;
    const wrongUid = await as(n1, "POST", `/api/v1/namespaces/${ns}/pods`, mirror("web-mp-n1", "mp-n1"));
    expect(wrongUid.status, wrongUid.text).toBe(403);
    expect(wrongUid.body.message).toBe(`pods "web-mp-n1" is forbidden: node mp-n1 UID mismatch: expected node-uid got ${nodeUid}`);
    const created = await as(n1, "POST", `/api/v1/namespaces/${ns}/pods`, mirror("web-mp-n1", "mp-n1", { owner: { uid: nodeUid } }));
    expect(created.status, created.text).toBe(201);
    expect(created.body.metadata.annotations["kubernetes.io/config.mirror"]).toBe("0123abcd");
    expect(created.body.metadata.ownerReferences).toEqual([{ apiVersion: "v1", kind: "Node", name: "mp-n1", uid: nodeUid, controller: true }]);
    expect(created.body.metadata.uid).not.toBe("0123abcd");

    const path = `/api/v1/namespaces/${ns}/pods/web-mp-n1`;
    expect((await as(n1, "GET", path)).status).toBe(200);
    const status = await as(n1, "PATCH", `${path}/status`, { status: { phase: "Running", podIP: "10.0.0.9" } }, { "content-type": "application/merge-patch+json" });
    expect(status.status, status.text).toBe(200);
    expect(status.body.status.phase).toBe("Running");

    // Another node sees none of it.
    const n2 = await nodeToken("mp-n2");
    expect((await as(n2, "GET", path)).status).toBe(403);
    expect((await as(n2, "DELETE", path)).status).toBe(403);

    const deleted = await as(n1, "DELETE", path, { apiVersion: "v1", kind: "DeleteOptions", gracePeriodSeconds: 0, preconditions: { uid: created.body.metadata.uid } });
    expect(deleted.status, deleted.text).toBe(200);
    expect((await as(n1, "GET", path)).status).toBe(403); // gone: no longer related to the node
  });

  it("refuses a pod that is not a mirror pod, one bound to another node, and one referencing API objects", async () => {
    const ns = await newNs("mirror");
    const n1 = await nodeToken("mp-n1");
    const create = (body: unknown) => as(n1, "POST", `/api/v1/namespaces/${ns}/pods`, body);
    const refused = async (body: { metadata: { name: string } }, message: string) => {
      const r = await create(body);
      expect(r.status, r.text).toBe(403);
      expect(r.body).toMatchObject({ kind: "Status", status: "Failure", reason: "Forbidden", code: 403, message: `pods "${body.metadata.name}" is forbidden: ${message}` });
    };

    await refused(
      { apiVersion: "v1", kind: "Pod", metadata: { name: "plain" }, spec: { nodeName: "mp-n1", containers: [{ name: "c", image: "x" }] } } as never,
      'pod does not have "kubernetes.io/config.mirror" annotation, node "mp-n1" can only create mirror pods',
    );
    await refused(mirror("web-mp-n2", "mp-n2", { owner: { name: "mp-n1" } }), 'node "mp-n1" can only create pods with spec.nodeName set to itself');
    await refused(mirror("web-mp-n1", "mp-n1", { owner: { name: "mp-n2" } }), 'node "mp-n1" can only create pods with an owner reference set to itself');
    await refused(mirror("web-mp-n1", "mp-n1", { owner: { controller: false } }), 'node "mp-n1" can only create pods with a controller owner reference set to itself');
    await refused(mirror("web-mp-n1", "mp-n1", { spec: { volumes: [{ name: "s", secret: { secretName: "db-password" } }] } }), 'node "mp-n1" can not create pods that reference secrets');
    await refused(mirror("web-mp-n1", "mp-n1", { spec: { serviceAccountName: "builder" } }), 'node "mp-n1" can not create pods that reference a service account');
    // None of them was stored.
    const list = await as(await nodeToken("mp-n1"), "GET", `/api/v1/pods?fieldSelector=spec.nodeName%3Dmp-n1`);
    expect(list.status).toBe(200);
    expect(list.body.items.filter((p: { metadata: { namespace: string } }) => p.metadata.namespace === ns)).toEqual([]);
  });
});
