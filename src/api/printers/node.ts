// Nodes as upstream's printNode: STATUS from the Ready condition (+ SchedulingDisabled), ROLES
// from node-role.kubernetes.io/<role> and kubernetes.io/role labels, VERSION; wide addresses
// and node info.
import { since } from "./duration.js";
import { ageCol, arr, col, compareStrings, nameCol, rec, str, type Json } from "./helpers.js";
import type { Printer, PrintContext, PrintedRow } from "./types.js";

const LABEL_NODE_ROLE_PREFIX = "node-role.kubernetes.io/";
const NODE_LABEL_ROLE = "kubernetes.io/role";

const addressesDescription =
  "List of addresses reachable to the node. Queried from cloud provider, if available. More info: https://kubernetes.io/docs/reference/node/node-status/#addresses Note: This field is declared as mergeable, but the merge key is not sufficiently unique, which can cause data corruption when it is merged. Callers should instead use a full-replacement patch. See https://pr.k8s.io/79391 for an example. Consumers should assume that addresses can change during the lifetime of a Node. However, there are some exceptions where this may not be possible, such as Pods that inherit a Node's address in its own status or consumers of the downward API (status.hostIP).";

export const nodeColumns = [
  nameCol(),
  col("Status", "string", "The status of the node"),
  col("Roles", "string", "The roles of the node"),
  ageCol(),
  col("Version", "string", "Kubelet Version reported by the node."),
  col("Internal-IP", "string", addressesDescription, 1),
  col("External-IP", "string", addressesDescription, 1),
  col("OS-Image", "string", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1),
  col("Kernel-Version", "string", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
  col("Container-Runtime", "string", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", 1),
];

/** findNodeRoles: sorted, distinct. */
export function nodeRoles(labels: unknown): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(rec(labels))) {
    if (k.startsWith(LABEL_NODE_ROLE_PREFIX)) {
      const role = k.slice(LABEL_NODE_ROLE_PREFIX.length);
      if (role.length > 0) roles.add(role);
    } else if (k === NODE_LABEL_ROLE && str(v) !== "") {
      roles.add(str(v));
    }
  }
  return [...roles].sort(compareStrings);
}

function nodeAddress(status: Json, type: string): string {
  const found = arr(status.addresses)
    .map(rec)
    .find((a) => a.type === type);
  return found ? str(found.address) : "<none>";
}

export function printNode(obj: Json, { now }: PrintContext): PrintedRow {
  const spec = rec(obj.spec);
  const status = rec(obj.status);
  const meta = rec(obj.metadata);

  // The last condition of a type wins (upstream builds a map by type); only Ready is shown.
  let ready: Json | undefined;
  for (const c of arr(status.conditions).map(rec)) if (c.type === "Ready") ready = c;
  const statuses: string[] = [];
  if (ready) statuses.push(ready.status === "True" ? "Ready" : "NotReady");
  if (statuses.length === 0) statuses.push("Unknown");
  if (spec.unschedulable === true) statuses.push("SchedulingDisabled");

  const roles = nodeRoles(meta.labels).join(",") || "<none>";
  const info = rec(status.nodeInfo);
  return {
    cells: [
      str(meta.name),
      statuses.join(","),
      roles,
      since(meta.creationTimestamp, now),
      str(info.kubeletVersion),
      nodeAddress(status, "InternalIP"),
      nodeAddress(status, "ExternalIP"),
      str(info.osImage) || "<unknown>",
      str(info.kernelVersion) || "<unknown>",
      str(info.containerRuntimeVersion) || "<unknown>",
    ],
  };
}

export const nodePrinter: Printer = { columns: nodeColumns, print: printNode };
