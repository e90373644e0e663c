// NodeRestriction admission, the part authorization cannot see: a node may create only its own
// Node and its own Lease (the name is in the body, not the URL), and may ask tokens only bound to
// its own pods. Upstream's messages.
import type { KindDef, KubeObject } from "../../../apis/types.js";
import { forbidden } from "../../../lib/status.js";
import type { UserInfo } from "../../user.js";
import { nodeNameOf } from "./index.js";

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
}

/** A node's TokenRequest must be bound to a pod scheduled on that node (upstream's NodeRestriction). */
export function admitNodeTokenRequest(user: UserInfo, serviceAccount: string, bound: { pod?: unknown; node?: { name: string } }): void {
  const node = nodeNameOf(user);
  if (!node) return;
  const gr = { group: "", resource: "serviceaccounts" };
  if (!bound.pod) throw forbidden(gr, serviceAccount, "node requested token not bound to a pod");
  if (bound.node?.name !== node) throw forbidden(gr, serviceAccount, "node requested token bound to a pod scheduled on a different node");
}
