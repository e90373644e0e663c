// NodeRestriction admission, the part authorization cannot see: a node may create only its own
// Node and its own Lease (the name is in the body, not the URL), only mirror pods of its static
// pods (mirror-pods.ts), and may ask tokens only bound to its own pods. Upstream's messages.
import type { KindDef, KubeObject } from "../../../apis/types.js";
import { clusterStore } from "../../../api/stores.js";
import type { Env } from "../../../env.js";
import { forbidden, notFound } from "../../../lib/status.js";
import type { UserInfo } from "../../user.js";
import { nodeNameOf } from "./index.js";
import { mirrorPodOwnerUid, mirrorPodRefusal, ownerUidRefusal } from "./mirror-pods.js";

const isPods = (def: KindDef) => def.group === "" && def.plural === "pods";

export function admitNodeCreate(user: UserInfo, def: KindDef, body: unknown): void {
  const node = nodeNameOf(user);
  if (!node) return;
  const name = ((body as KubeObject)?.metadata?.name as string | undefined) ?? "";
  if (def.group === "" && def.plural === "nodes" && name !== node) {
    throw forbidden({ group: "", resource: "nodes" }, name, `node ${JSON.stringify(node)} is not allowed to modify node ${JSON.stringify(name)}`);
  }
  if (def.group === "coordination.k8s.io" && def.plural === "leases" && name !== node) {
    throw forbidden({ group: "coordination.k8s.io", resource: "leases" }, name, "can only access node lease with the same name as the requesting node");
  }
  if (isPods(def)) {
    const why = mirrorPodRefusal(node, body);
    if (why) throw forbidden({ group: "", resource: "pods" }, name, why);
  }
}

/**
 * The rest of NodeRestriction on a node's pod create, which reads the Node: the mirror pod's
 * owner reference must carry the uid of the Node as it is now. Run after admitNodeCreate.
 */
export async function admitNodeMirrorPodOwner(user: UserInfo, def: KindDef, body: unknown, nodeUid: (node: string) => Promise<string | undefined>): Promise<void> {
  const node = nodeNameOf(user);
  if (!node || !isPods(def)) return;
  const uid = await nodeUid(node);
  if (uid === undefined) throw notFound({ group: "", resource: "nodes" }, node);
  const why = ownerUidRefusal(node, mirrorPodOwnerUid(body), uid);
  if (why) throw forbidden({ group: "", resource: "pods" }, ((body as KubeObject)?.metadata?.name as string | undefined) ?? "", why);
}

/** The uid of a Node as the cluster store has it (undefined when there is no such Node). */
export async function storedNodeUid(env: Env, node: string): Promise<string | undefined> {
  const got = await clusterStore(env).get({ group: "", version: "v1", resource: "nodes", namespace: "", name: node });
  if (!got.ok) {
    if (got.status.code === 404) return undefined;
    throw forbidden({ group: "", resource: "pods" }, "", `error looking up node ${node} to verify uid: ${got.status.message}`);
  }
  return ((got.body as KubeObject).metadata.uid as string | undefined) ?? "";
}

/** A node's TokenRequest must be bound to a pod scheduled on that node (upstream's NodeRestriction). */
export function admitNodeTokenRequest(user: UserInfo, serviceAccount: string, bound: { pod?: unknown; node?: { name: string } }): void {
  const node = nodeNameOf(user);
  if (!node) return;
  const gr = { group: "", resource: "serviceaccounts" };
  if (!bound.pod) throw forbidden(gr, serviceAccount, "node requested token not bound to a pod");
  if (bound.node?.name !== node) throw forbidden(gr, serviceAccount, "node requested token bound to a pod scheduled on a different node");
}
