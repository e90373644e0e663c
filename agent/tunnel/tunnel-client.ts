// The agent's half of the node tunnel (frames in src/tunnel/frames.ts): one outbound WebSocket
// per node to the control plane, over which the API server asks what upstream asks the
// kubelet's port 10250 (today: container logs). The agent never listens, so a node behind NAT
// or a firewall is reachable as long as it can reach the control plane.
//
// The socket is reconnected with backoff whenever it drops, with a fresh token each time (the
// node's credentials rotate). A ping every pingIntervalMs keeps NATs open and finds a dead
// connection: without any frame for three intervals the socket is dropped and dialled again.
// A stream holds back while the socket's send buffer is over HIGH_WATER_BYTES.
import type { Readable } from "node:stream";
import WebSocket from "ws";
import { parseControlFrame, encodeDataFrame, tunnelConnectPath, MAX_DATA_FRAME_BYTES, PING, PONG, type FromAgentFrame, type OpenLogsFrame } from "../../src/tunnel/frames.js";
import { Backoff, sleep, type BackoffOptions } from "../client/backoff.js";
import type { Logger } from "../log.js";
import { TunnelRequestError } from "./request-error.js";

/** A log stream asked for through the tunnel: the open frame without its framing. */
export type LogRequest = Pick<OpenLogsFrame, "namespace" | "pod" | "uid" | "container" | "containerId" | "options">;

export interface TunnelHandlers {
  /** The container's output; throw a TunnelRequestError to refuse with a status. `signal` aborts when the client leaves. */
  logs(req: LogRequest, signal: AbortSignal): Promise<Readable>;
}

export interface TunnelClientOptions {
  /** https://host:port of the control plane. */
  server: string;
  nodeName: string;
  /** The node's current bearer token, asked again at every connect. */
  token: () => Promise<string> | string;
  tls?: { ca?: string; insecureSkipTLSVerify?: boolean };
  log: Logger;
  handlers: TunnelHandlers;
  /** The token was refused (401): the credentials should renew. */
  unauthorized?: () => void;
  /** Default 20 s. */
  pingIntervalMs?: number;
  backoff?: BackoffOptions;
}

/** Bytes queued on the socket before a stream waits for them to be written out. */
export const HIGH_WATER_BYTES = 1024 * 1024;
const HANDSHAKE_TIMEOUT_MS = 30_000;

interface SessionEnd {
  opened: boolean;
  reason: string;
}

export class TunnelClient {
  private ws?: WebSocket;
  private readonly streams = new Map<number, AbortController>();
  private readonly stopping = new AbortController();
  private readonly backoff: Backoff;
  private running?: Promise<void>;
  private sessions = 0;
  private lastError = "";

  constructor(private readonly o: TunnelClientOptions) {
    this.backoff = new Backoff({ initialMs: 500, maxMs: 30_000, ...o.backoff });
  }

  /** Whether the tunnel is open now. */
  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** How many times the tunnel has opened (a reconnect counts once more). */
  get connects(): number {
    return this.sessions;
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.ws?.close(1000, "the agent is stopping");
    for (const s of this.streams.values()) s.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      const end = await this.session().catch((err: unknown) => ({ opened: false, reason: err instanceof Error ? err.message : String(err) }));
      if (this.stopping.signal.aborted) return;
      this.report(end);
      await sleep(this.backoff.next(), this.stopping.signal);
    }
  }

  /** Logs a change: the first failure after a working tunnel, or a different failure. */
  private report(end: SessionEnd): void {
    const line = `✗ node ${this.o.nodeName}: tunnel to the control plane ${end.opened ? "lost" : "cannot open"}: ${end.reason}; retrying`;
    if (line !== this.lastError) this.o.log.error(line);
    this.lastError = line;
  }

  /** One connection, from dial to close. */
  private async session(): Promise<SessionEnd> {
    const token = await this.o.token();
    if (this.stopping.signal.aborted) return { opened: false, reason: "stopped" };
    const url = this.o.server.replace(/\/+$/, "").replace(/^http/, "ws") + tunnelConnectPath(this.o.nodeName);
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${token}`, "user-agent": "edgeplane-agent" },
      ca: this.o.tls?.ca,
      rejectUnauthorized: !this.o.tls?.insecureSkipTLSVerify,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      perMessageDeflate: false,
    });
    this.ws = ws;
    return new Promise<SessionEnd>((resolve) => {
      let opened = false;
      let reason = "";
      let pinger: NodeJS.Timeout | undefined;
      const done = (end: SessionEnd) => {
        if (pinger) clearInterval(pinger);
        for (const s of this.streams.values()) s.abort();
        this.streams.clear();
        resolve(end);
      };
      ws.on("unexpected-response", (req, res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body = (body + c).slice(0, 4096)));
        res.on("end", () => {
          const status = res.statusCode ?? 0;
          if (status === 401) this.o.unauthorized?.();
          let message = body.trim();
          try {
            message = (JSON.parse(body) as { message?: string }).message ?? message;
          } catch {
            // not a Status
          }
          reason = `the control plane answered ${status}: ${message}`;
          req.destroy();
          ws.terminate();
          done({ opened: false, reason });
        });
      });
      ws.on("open", () => {
        opened = true;
        this.sessions++;
        this.backoff.reset();
        if (this.lastError) this.o.log.info(`✓ node ${this.o.nodeName}: tunnel to the control plane open again`);
        this.lastError = "";
        let lastSeen = Date.now();
        ws.on("message", (data, isBinary) => {
          lastSeen = Date.now();
          if (!isBinary) this.onControl(ws, data.toString());
        });
        const every = this.o.pingIntervalMs ?? 20_000;
        pinger = setInterval(() => {
          if (Date.now() - lastSeen > 3 * every) {
            ws.terminate(); // no pong for three intervals: the connection is dead
            return;
          }
          ws.send(PING);
        }, every);
        pinger.unref();
      });
      ws.on("error", (err) => (reason = err.message));
      ws.on("close", (code, why) => {
        if (!reason) reason = `closed (${code}${why.length ? `: ${why.toString()}` : ""})`;
        done({ opened, reason });
      });
    });
  }

  private onControl(ws: WebSocket, text: string): void {
    if (text === PONG) return;
    const frame = parseControlFrame(text);
    if (!frame) return;
    if (frame.type === "cancel") this.streams.get(frame.id)?.abort();
    else if (frame.type === "open") void this.serve(ws, frame);
  }

  private async serve(ws: WebSocket, f: OpenLogsFrame): Promise<void> {
    const ac = new AbortController();
    this.streams.get(f.id)?.abort();
    this.streams.set(f.id, ac);
    const { signal } = ac;
    let started = false;
    try {
      const readable = await this.o.handlers.logs({ namespace: f.namespace, pod: f.pod, uid: f.uid, container: f.container, ...(f.containerId ? { containerId: f.containerId } : {}), options: f.options }, signal);
      if (signal.aborted) {
        readable.destroy();
        return;
      }
      signal.addEventListener("abort", () => readable.destroy(), { once: true });
      this.send(ws, { type: "started", id: f.id });
      started = true;
      for await (const chunk of readable) {
        const bytes: Buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
        for (let off = 0; off < bytes.byteLength && !signal.aborted; off += MAX_DATA_FRAME_BYTES) {
          await this.sendData(ws, encodeDataFrame(f.id, bytes.subarray(off, off + MAX_DATA_FRAME_BYTES)));
        }
        if (signal.aborted) return;
      }
      if (!signal.aborted) this.send(ws, { type: "end", id: f.id });
    } catch (err) {
      if (signal.aborted) return; // cancelled, or the socket closed: nobody to tell
      // A refusal is the client's answer; anything else is a fault of this agent worth a line.
      const e = err instanceof TunnelRequestError ? err : new TunnelRequestError(500, "InternalError", err instanceof Error ? err.message : String(err));
      if (!(err instanceof TunnelRequestError)) this.o.log.error(`✗ node ${this.o.nodeName}: logs of ${f.namespace}/${f.pod}/${f.container}${started ? " broke" : ""}: ${e.message}`);
      this.send(ws, { type: "error", id: f.id, code: e.code, reason: e.reason, message: e.message });
    } finally {
      if (this.streams.get(f.id) === ac) this.streams.delete(f.id);
    }
  }

  private send(ws: WebSocket, frame: FromAgentFrame): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
  }

  /** Sends at once while the socket keeps up; past the high-water mark, waits until this frame is written out. */
  private sendData(ws: WebSocket, frame: Uint8Array): Promise<void> {
    if (ws.readyState !== WebSocket.OPEN) return Promise.resolve();
    if (ws.bufferedAmount < HIGH_WATER_BYTES) {
      ws.send(frame);
      return Promise.resolve();
    }
    return new Promise((resolve) => ws.send(frame, () => resolve()));
  }
}
