// How the Worker reaches a node's NodeTunnel Durable Object (one per node, by name): the
// agent's upgrade is forwarded as it came, and a stream is asked for with a fetch whose answer
// is the HTTP response itself (a Status, or the streaming body).
import type { Env } from "../env.js";
import type { LogsRequest } from "./relay.js";

export const LOGS_URL_PATH = "/logs";
/** The stream asked for, as JSON (headers, so that the fetch needs no body). */
export const OPEN_HEADER = "x-edgeplane-tunnel-open";

export interface TunnelOpen {
  node: string;
  logs: LogsRequest;
}

type NodeTunnelStub = { fetch(request: Request): Promise<Response> };

/** The node's tunnel object; undefined where the binding is missing (unit tests). */
export function nodeTunnel(env: Env, nodeName: string): NodeTunnelStub | undefined {
  const ns = env.NODE_TUNNEL;
  return ns ? (ns.get(ns.idFromName(nodeName)) as unknown as NodeTunnelStub) : undefined;
}

/** Opens a log stream on the node's tunnel; the answer is the API's response (status, headers, body). */
export function openLogs(stub: NodeTunnelStub, open: TunnelOpen, signal?: AbortSignal): Promise<Response> {
  const headers = new Headers({ [OPEN_HEADER]: JSON.stringify(open) });
  return stub.fetch(new Request(`https://tunnel${LOGS_URL_PATH}`, { headers, signal }));
}
