// One NodeTunnel per node (idFromName(nodeName)): holds the WebSocket the node's agent keeps open
// to the control plane, and relays the API's requests for that node over it (src/tunnel/).
// The socket is accepted with the hibernation API, so an idle node costs nothing: keepalive
// pings are answered without waking the object, and only a request or a frame wakes it.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../src/env.js";
import { PING, PONG } from "../src/tunnel/frames.js";
import { TunnelRelay, agentNotConnected, statusResponse } from "../src/tunnel/relay.js";
import { LOGS_URL_PATH, OPEN_HEADER, type TunnelOpen } from "../src/tunnel/stub.js";

interface Attachment {
  connectedAt: number;
}

export class NodeTunnel extends DurableObject<Env> {
  private readonly relay = new TunnelRelay();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() === "websocket") return this.acceptAgent();
    if (new URL(request.url).pathname === LOGS_URL_PATH) {
      const open = JSON.parse(request.headers.get(OPEN_HEADER) ?? "{}") as TunnelOpen;
      const socket = this.current();
      if (!socket) return statusResponse(agentNotConnected(open.node));
      return this.relay.open(socket, open.node, open.logs, request.signal);
    }
    return new Response("not found", { status: 404 });
  }

  /** The agent's new connection replaces any older one (a reconnect after a network change). */
  private acceptAgent(): Response {
    for (const old of this.ctx.getWebSockets()) {
      this.relay.socketGone(old);
      try {
        old.close(4000, "replaced by a newer connection of the node");
      } catch {
        // already closed
      }
    }
    const pair = new WebSocketPair();
    this.ctx.acceptWebSocket(pair[1]);
    pair[1].serializeAttachment({ connectedAt: Date.now() } satisfies Attachment);
    return new Response(null, { status: 101, webSocket: pair[0] });
  }

  /** The newest open socket (an older one may linger while it closes). */
  private current(): WebSocket | undefined {
    let best: { ws: WebSocket; at: number } | undefined;
    for (const ws of this.ctx.getWebSockets()) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      const at = (ws.deserializeAttachment() as Attachment | null)?.connectedAt ?? 0;
      if (!best || at > best.at) best = { ws, at };
    }
    return best?.ws;
  }

  async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.relay.message(ws, message);
  }

  async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.relay.socketGone(ws);
    try {
      ws.close(code === 1005 ? 1000 : code, "closed");
    } catch {
      // already closed
    }
  }

  async webSocketError(ws: WebSocket): Promise<void> {
    this.relay.socketGone(ws);
  }
}
