// The frames of the node tunnel: the one WebSocket each node's agent keeps open to the control
// plane (it never listens itself), over which the API server reaches what upstream reaches at
// the kubelet's port 10250. Shared by the Worker and the agent; pure.
//
// Control frames are JSON text; data is binary. One socket carries many streams, each named by
// a 32-bit id the control plane picks:
//   control plane → agent   {type:"open", id, op:"logs", …}   start a stream
//                           {type:"cancel", id}               the HTTP client went away
//   agent → control plane   {type:"started", id}              the stream is good: answer 200 now
//                           {type:"error", id, code, reason, message}  refused (before "started")
//                                                             or broken (after): the HTTP status
//                           {type:"end", id}                  the stream is complete
//                           binary: id (4 bytes, big-endian) + bytes of the stream
// "started" exists so that a follow of a quiet container answers at once (clients such as
// client-node's Log resolve on the response's headers), while refusals still become statuses.
// Keepalive: the agent sends PING as a text frame and the control plane answers PONG without
// waking its Durable Object (a hibernation auto-response).

export const TUNNEL_GROUP = "tunnel.edgeplane.dev";
export const TUNNEL_VERSION = "v1";

/** Where a node's agent connects (GET with Upgrade: websocket and its node credentials). */
export function tunnelConnectPath(nodeName: string): string {
  return `/apis/${TUNNEL_GROUP}/${TUNNEL_VERSION}/nodes/${encodeURIComponent(nodeName)}/connect`;
}

export const PING = '{"type":"ping"}';
export const PONG = '{"type":"pong"}';

/** What a log stream asks of the container's output (upstream's PodLogOptions as the kubelet gets them). */
export interface LogStreamOptions {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  /** Relative to the agent's clock, as the kubelet reads sinceSeconds against its own. */
  sinceSeconds?: number;
  /** Unix milliseconds. */
  sinceTime?: number;
  limitBytes?: number;
}

export interface OpenLogsFrame {
  type: "open";
  id: number;
  op: "logs";
  namespace: string;
  pod: string;
  uid: string;
  container: string;
  /** The instance the pod's status names for this request (upstream's validateContainerLogStatus), without its runtime:// scheme. */
  containerId?: string;
  options: LogStreamOptions;
}

export interface CancelFrame {
  type: "cancel";
  id: number;
}

export interface StartedFrame {
  type: "started";
  id: number;
}

export interface ErrorFrame {
  type: "error";
  id: number;
  /** The HTTP status the API answers with (400 for the kubelet's refusals, as upstream's apiserver relays them). */
  code: number;
  reason: string;
  message: string;
}

export interface EndFrame {
  type: "end";
  id: number;
}

export type ToAgentFrame = OpenLogsFrame | CancelFrame;
export type FromAgentFrame = StartedFrame | ErrorFrame | EndFrame;
export type ControlFrame = ToAgentFrame | FromAgentFrame;

/** Bytes in one data frame at most (the agent splits larger chunks). */
export const MAX_DATA_FRAME_BYTES = 64 * 1024;

const MAX_ID = 0xffffffff;

/** A control frame from its text, or undefined for anything else (unknown types are ignored, for later versions). */
export function parseControlFrame(text: string): ControlFrame | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== "object" || v === null) return undefined;
  const f = v as Record<string, unknown>;
  if (!isStreamId(f.id)) return undefined;
  switch (f.type) {
    case "open":
      if (f.op !== "logs" || typeof f.options !== "object" || f.options === null) return undefined;
      if (![f.namespace, f.pod, f.uid, f.container].every((s) => typeof s === "string")) return undefined;
      if (f.containerId !== undefined && typeof f.containerId !== "string") return undefined;
      return f as unknown as OpenLogsFrame;
    case "error":
      if (typeof f.code !== "number" || typeof f.message !== "string") return undefined;
      return { type: "error", id: f.id, code: f.code, reason: typeof f.reason === "string" ? f.reason : "", message: f.message };
    case "cancel":
    case "started":
    case "end":
      return { type: f.type, id: f.id };
    default:
      return undefined;
  }
}

export function isStreamId(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= MAX_ID;
}

/** A data frame: the stream id, big-endian, then the bytes. */
export function encodeDataFrame(id: number, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + bytes.byteLength);
  new DataView(out.buffer).setUint32(0, id);
  out.set(bytes, 4);
  return out;
}

/** A data frame's stream id and bytes (a view, not a copy), or undefined when it is too short. */
export function decodeDataFrame(frame: ArrayBuffer | Uint8Array): { id: number; bytes: Uint8Array } | undefined {
  const view = frame instanceof Uint8Array ? frame : new Uint8Array(frame);
  if (view.byteLength < 4) return undefined;
  const id = new DataView(view.buffer, view.byteOffset, 4).getUint32(0);
  return { id, bytes: view.subarray(4) };
}
