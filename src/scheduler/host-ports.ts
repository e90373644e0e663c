// The host ports in use on a node, as upstream's framework.HostPortInfo: keyed by host IP, then
// by protocol/port. 0.0.0.0 (and an empty hostIP) binds every address, so it conflicts with any
// IP for the same protocol and port. Reference-counted so that two pods placed on the node
// without the scheduler (spec.nodeName set directly) release their ports independently.

export interface HostPort {
  protocol: string;
  hostIP: string;
  port: number;
}

export const BIND_ALL_HOST_IP = "0.0.0.0";

/** HostPortInfo.sanitize: empty IP means all addresses, empty protocol means TCP. */
export function sanitizeHostPort(hostIP: string | undefined, protocol: string | undefined, port: number): HostPort {
  return { hostIP: hostIP || BIND_ALL_HOST_IP, protocol: protocol || "TCP", port };
}

const ppKey = (p: HostPort) => `${p.protocol}/${p.port}`;

export class HostPortInfo {
  private readonly byIP = new Map<string, Map<string, number>>();

  add(p: HostPort): void {
    if (p.port <= 0) return;
    let m = this.byIP.get(p.hostIP);
    if (!m) this.byIP.set(p.hostIP, (m = new Map()));
    const k = ppKey(p);
    m.set(k, (m.get(k) ?? 0) + 1);
  }

  remove(p: HostPort): void {
    const m = this.byIP.get(p.hostIP);
    const k = ppKey(p);
    const n = m?.get(k);
    if (!m || n === undefined) return;
    if (n > 1) m.set(k, n - 1);
    else {
      m.delete(k);
      if (m.size === 0) this.byIP.delete(p.hostIP);
    }
  }

  /** HostPortInfo.CheckConflict. */
  conflicts(p: HostPort): boolean {
    if (p.port <= 0) return false;
    const k = ppKey(p);
    if (p.hostIP === BIND_ALL_HOST_IP) {
      for (const m of this.byIP.values()) if (m.has(k)) return true;
      return false;
    }
    return !!(this.byIP.get(BIND_ALL_HOST_IP)?.has(k) || this.byIP.get(p.hostIP)?.has(k));
  }

  get size(): number {
    let n = 0;
    for (const m of this.byIP.values()) n += m.size;
    return n;
  }
}
