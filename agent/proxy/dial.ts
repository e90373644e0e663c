// How the proxy reaches an endpoint: directly when the pod is on this node (or its node has no
// relay, or the endpoint is the node's own address as with host-process pods), else through the
// relay of the endpoint's node.
import { createSocket } from "node:dgram";
import { connect, type Socket } from "node:net";
import { encodeTcpFrame, readTcpFrames } from "../dns/wire.js";
import type { ServiceEndpoint } from "./plan.js";
import { DATAGRAM_QUEUE_LIMIT, openRelay, type RelayAddress } from "./relay.js";

/** The relay of a node, from its Node object; undefined: connect to its pods directly. */
export type RelayFor = (nodeName: string) => RelayAddress | undefined;

/** One UDP flow to an endpoint: datagrams out, datagrams back, closed on error or by the proxy. */
export interface DatagramChannel {
  send(payload: Buffer): void;
  onMessage(listener: (payload: Buffer) => void): void;
  /** Once, when the channel closes for any reason other than close(). */
  onClose(listener: (err?: Error) => void): void;
  close(): void;
}

export interface EndpointDialer {
  /** A connected, paused TCP stream to the endpoint; rejects when refused, unreachable or slow. */
  stream(ep: ServiceEndpoint): Promise<Socket>;
  datagrams(ep: ServiceEndpoint): Promise<DatagramChannel>;
}

export interface DialerOptions {
  relayFor?: RelayFor;
  /** A connect that has not completed by then counts as refused (upstream userspace: 1 s). */
  connectTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 1000;

export function endpointDialer(o: DialerOptions = {}): EndpointDialer {
  const timeoutMs = o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const relayOf = (ep: ServiceEndpoint): RelayAddress | undefined => {
    if (ep.local || !ep.nodeName || !o.relayFor) return undefined;
    const relay = o.relayFor(ep.nodeName);
    return relay && relay.host !== ep.ip ? relay : undefined;
  };
  // Through a relay the connect is two hops (and the relay's own connect has timeoutMs).
  const relayTimeout = 2 * timeoutMs + 500;
  return {
    stream(ep) {
      const relay = relayOf(ep);
      return relay ? openRelay(relay, ep, "tcp", relayTimeout) : connectDirect(ep, timeoutMs);
    },
    async datagrams(ep) {
      const relay = relayOf(ep);
      return relay ? relayedChannel(await openRelay(relay, ep, "udp", relayTimeout)) : directChannel(ep);
    },
  };
}

function connectDirect(ep: ServiceEndpoint, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: ep.ip, port: ep.port, allowHalfOpen: true });
    const timer = setTimeout(() => socket.destroy(Object.assign(new Error(`connect ${ep.ip}:${ep.port}: no answer in ${timeoutMs} ms`), { code: "ETIMEDOUT" })), timeoutMs);
    socket.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(socket);
    });
  });
}

function directChannel(ep: ServiceEndpoint): Promise<DatagramChannel> {
  return new Promise((resolve, reject) => {
    const udp = createSocket("udp4");
    let closed = false;
    let onClose: (err?: Error) => void = () => {};
    /** Closes once; whether this call did. */
    const close = (): boolean => {
      if (closed) return false;
      closed = true;
      try {
        udp.close();
      } catch {
        // not running
      }
      return true;
    };
    udp.once("error", reject);
    udp.connect(ep.port, ep.ip, () => {
      udp.off("error", reject);
      // A connected UDP socket hears the ICMP port unreachable of a closed port as ECONNREFUSED.
      udp.on("error", (err) => {
        if (close()) onClose(err);
      });
      resolve({
        send: (payload) => {
          if (!closed) udp.send(payload);
        },
        onMessage: (listener) => void udp.on("message", listener),
        onClose: (listener) => void (onClose = listener),
        close: () => void close(),
      });
    });
  });
}

function relayedChannel(socket: Socket): DatagramChannel {
  let closed = false;
  let onClose: (err?: Error) => void = () => {};
  let error: Error | undefined;
  socket.on("error", (err) => (error = err));
  socket.on("close", () => {
    if (!closed) {
      closed = true;
      onClose(error);
    }
  });
  return {
    send: (payload) => {
      if (!closed && socket.writableLength < DATAGRAM_QUEUE_LIMIT) socket.write(encodeTcpFrame(payload));
    },
    onMessage: (listener) => readTcpFrames(socket, listener),
    onClose: (listener) => void (onClose = listener),
    close: () => {
      closed = true;
      socket.destroy();
    },
  };
}
