// Registering the Node (upstream's registerWithAPIServer): POST /api/v1/nodes; when it already
// exists (409), read it and bring the labels, taints and pod CIDR the agent owns up to date,
// then post the status. Returns what the rest of the kubelet needs: the uid and the pod CIDR
// (one already set on the Node is kept, as spec.podCIDR never changes once set).
import type { ApiClient } from "../client/api-client.js";
import { ApiError } from "../client/errors.js";
import { newNode, nodeMetaPatch, ownedNodeStatus, type NodeConfig, type NodeCondition } from "./node-status.js";

export interface RegisteredNode {
  uid: string;
  podCIDR: string;
  created: boolean;
}

interface NodeObject {
  metadata: { uid?: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { podCIDR?: string; taints?: Array<{ key: string; value?: string; effect: string }> };
  status?: { conditions?: NodeCondition[] };
}

export async function registerNode(client: ApiClient, cfg: NodeConfig): Promise<RegisteredNode> {
  try {
    const node = await client.post<NodeObject>("/api/v1/nodes", newNode(cfg, Date.now()));
    return { uid: node.metadata.uid ?? "", podCIDR: node.spec?.podCIDR || cfg.podCIDR, created: true };
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 409)) throw err;
  }
  const path = `/api/v1/nodes/${encodeURIComponent(cfg.name)}`;
  let node = await client.get<NodeObject>(path);
  for (let attempt = 0; ; attempt++) {
    const patch = nodeMetaPatch(node, cfg);
    if (!patch) break;
    try {
      node = await client.mergePatch<NodeObject>(path, patch);
      break;
    } catch (err) {
      if (!(attempt < 3 && err instanceof ApiError && err.status === 409)) throw err;
      node = await client.get<NodeObject>(path);
    }
  }
  const podCIDR = node.spec?.podCIDR || cfg.podCIDR;
  const status = ownedNodeStatus({ ...cfg, podCIDR }, Date.now(), node.status?.conditions ?? []);
  await client.mergePatch(`${path}/status`, { status });
  return { uid: node.metadata.uid ?? "", podCIDR, created: false };
}
