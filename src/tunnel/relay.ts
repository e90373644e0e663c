// The control plane's half of the node tunnel (inside the node's NodeTunnel Durable Object):
// turns an API request into an "open" frame on the agent's socket, and the agent's frames back
// into the HTTP answer: a Status when the agent refuses, else a streaming text/plain body.
//
// Flow control stays simple: the agent holds back while its socket's buffer is full, and here
// a stream whose HTTP client reads slower than the agent writes may queue at most
// MAX_QUEUED_BYTES before it is cut (a `kubectl logs` that stopped reading).
import { failure, timeout as timeoutStatus, type Status, type StatusReason } from "../lib/status.js";
import { decodeDataFrame, parseControlFrame, type OpenLogsFrame, type ToAgentFrame } from "./frames.js";

/** What the relay needs of a WebSocket (workerd's satisfies it). */
export interface TunnelSocket {
  send(message: string | ArrayBuffer | ArrayBufferView): void;
}

export type LogsRequest = Omit<OpenLogsFrame, "type" | "id">;

/** How long the agent has to start a stream or refuse it. */
export const OPEN_TIMEOUT_MS = 30_000;
/** Bytes of one stream waiting for a slow HTTP client at most. */
export const MAX_QUEUED_BYTES = 8 * 1024 * 1024;

interface Stream {
  id: number;
  socket: TunnelSocket;
  node: string;
  /** Until the agent answers: settles the HTTP request. */
  answer?: (res: Response) => void;
  timer?: ReturnType<typeof setTimeout>;
  writer?: WritableStreamDefaultWriter<Uint8Array>;
  readable?: ReadableStream<Uint8Array>;
  queued: number;
}

/**
 * As the watch streams': "identity" and no-transform keep the edge (and wrangler dev) from
 * compressing the body, which would hold a follow's lines back until a compressor's block fills.
 */
const LOG_HEADERS = { "content-type": "text/plain", "cache-control": "no-cache, private, no-transform", "content-encoding": "identity" };

export function statusResponse(s: Status): Response {
  return new Response(JSON.stringify(s), { status: s.code, headers: { "content-type": "application/json", "cache-control": "no-cache, private" } });
}

/**
 * No agent to ask. Upstream answers 500 when it cannot dial the kubelet (its message is the
 * dial error, with no reason): the same code here, so clients and scripts see what they see
 * against kube-apiserver, and a message that says what to fix.
 */
export function agentNotConnected(node: string): Status {
  return failure(500, "", `cannot reach the agent of node "${node}": it is not connected to the control plane (is \`edgeplane agent\` running there?)`);
}

export class TunnelRelay {
  private readonly streams = new Map<number, Stream>();

  constructor(private readonly o: { openTimeoutMs?: number; maxQueuedBytes?: number } = {}) {}

  get openStreams(): number {
    return this.streams.size;
  }

  /** Asks the agent on `socket` for a stream; resolves with the HTTP answer once the agent has given one. */
  open(socket: TunnelSocket, node: string, req: LogsRequest, signal?: AbortSignal): Promise<Response> {
    const id = this.newId();
    const stream: Stream = { id, socket, node, queued: 0 };
    this.streams.set(id, stream);
    return new Promise<Response>((resolve) => {
      stream.answer = resolve;
      const waitMs = this.o.openTimeoutMs ?? OPEN_TIMEOUT_MS;
      stream.timer = setTimeout(() => {
        this.cancel(stream);
        this.settle(stream, statusResponse(timeoutStatus(`the agent of node "${node}" did not answer within ${Math.round(waitMs / 1000)}s`).status));
      }, waitMs);
      // The client left before the agent answered. Once answered, a client that goes away cancels
      // the body instead (see start()); the request's signal may also fire when the request is
      // done, which must not cut a stream whose bytes are still on their way.
      signal?.addEventListener("abort", () => stream.answer && this.cancel(stream), { once: true });
      try {
        this.send(socket, { type: "open", id, ...req });
      } catch {
        this.drop(stream);
        this.settle(stream, statusResponse(agentNotConnected(node)));
      }
    });
  }

  /** A frame from the agent on `socket`. */
  message(socket: TunnelSocket, data: string | ArrayBuffer): void {
    if (typeof data !== "string") {
      const frame = decodeDataFrame(data);
      if (!frame) return;
      const stream = this.streams.get(frame.id);
      if (!stream || stream.socket !== socket) {
        // A stream this side forgot (cancelled, or the object was evicted meanwhile): stop it.
        this.trySend(socket, { type: "cancel", id: frame.id });
        return;
      }
      this.write(stream, frame.bytes);
      return;
    }
    const frame = parseControlFrame(data);
    if (!frame) return;
    const stream = this.streams.get(frame.id);
    if (!stream || stream.socket !== socket) return;
    switch (frame.type) {
      case "started":
        this.start(stream);
        return;
      case "error":
        if (stream.answer) {
          this.drop(stream);
          this.settle(stream, statusResponse(failure(frame.code, frame.reason as StatusReason, frame.message)));
        } else {
          this.fail(stream, new Error(frame.message));
        }
        return;
      case "end":
        if (stream.answer) this.start(stream); // nothing to stream: an empty 200
        this.drop(stream);
        void stream.writer?.close().catch(() => undefined);
        return;
      default:
        return;
    }
  }

  /** The socket closed or was replaced: its streams end, with an error. */
  socketGone(socket: TunnelSocket): void {
    for (const stream of [...this.streams.values()]) {
      if (stream.socket !== socket) continue;
      if (stream.answer) {
        this.drop(stream);
        this.settle(stream, statusResponse(agentNotConnected(stream.node)));
      } else {
        this.fail(stream, new Error(`the connection to the agent of node "${stream.node}" was lost`));
      }
    }
  }

  private start(stream: Stream): void {
    if (!stream.answer) return;
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    stream.writer = writer;
    // The HTTP client went away (its body was cancelled): tell the agent to stop. The runtime
    // reports it when the next bytes are written, so a follow of a quiet container that lost
    // its client is stopped at the container's next output (or its exit).
    writer.closed.catch(() => this.cancel(stream));
    this.settle(stream, new Response(readable, { status: 200, headers: LOG_HEADERS }));
  }

  private write(stream: Stream, bytes: Uint8Array): void {
    if (!stream.writer) {
      // Data before "started": the agent started implicitly.
      this.start(stream);
    }
    const max = this.o.maxQueuedBytes ?? MAX_QUEUED_BYTES;
    if (stream.queued + bytes.byteLength > max) {
      this.cancel(stream);
      this.fail(stream, new Error("the client reads the stream too slowly"));
      return;
    }
    const copy = bytes.slice(); // the frame's buffer is not ours to keep
    stream.queued += copy.byteLength;
    stream.writer!.write(copy).then(
      () => (stream.queued -= copy.byteLength),
      () => this.cancel(stream),
    );
  }

  /** Stops the stream at the agent's end too (idempotent). */
  private cancel(stream: Stream): void {
    if (this.streams.get(stream.id) !== stream) return;
    this.drop(stream);
    this.trySend(stream.socket, { type: "cancel", id: stream.id });
    void stream.writer?.abort(new Error("cancelled")).catch(() => undefined);
    // Nobody waits for this answer any more (the client left before the agent answered).
    this.settle(stream, statusResponse(failure(500, "", "the request was cancelled")));
  }

  private fail(stream: Stream, err: Error): void {
    this.drop(stream);
    void stream.writer?.abort(err).catch(() => undefined);
  }

  private drop(stream: Stream): void {
    if (this.streams.get(stream.id) === stream) this.streams.delete(stream.id);
    if (stream.timer) clearTimeout(stream.timer);
    stream.timer = undefined;
  }

  private settle(stream: Stream, res: Response): void {
    const answer = stream.answer;
    stream.answer = undefined;
    if (stream.timer) clearTimeout(stream.timer);
    stream.timer = undefined;
    answer?.(res);
  }

  private send(socket: TunnelSocket, frame: ToAgentFrame): void {
    socket.send(JSON.stringify(frame));
  }

  private trySend(socket: TunnelSocket, frame: ToAgentFrame): void {
    try {
      this.send(socket, frame);
    } catch {
      // the socket is closing; its streams end with it
    }
  }

  /** Random ids: a frame of a stream from before an eviction never lands in a new one. */
  private newId(): number {
    for (;;) {
      const id = crypto.getRandomValues(new Uint32Array(1))[0];
      if (!this.streams.has(id)) return id;
    }
  }
}
