// Pod addresses out of a node's pod CIDR (host-local IPAM, as the CNI plugin of that name):
// one bit per address, handed out round-robin so a freed address is not reused at once.
// Runtimes without a network of their own (simulated, process) use it.

export interface Cidr {
  /** The network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

export function ipToNumber(ip: string): number | undefined {
  const parts = ip.split(".");
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

export function numberToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** Parses `a.b.c.d/p` (IPv4); the address must be the network's first. */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const base = ipToNumber(m[1]);
  const prefix = Number(m[2]);
  if (base === undefined || prefix > 30) return undefined;
  const size = 2 ** (32 - prefix);
  if (base % size !== 0) return undefined;
  return { base, prefix };
}

export function cidrContains(cidr: Cidr, ip: string): boolean {
  const n = ipToNumber(ip);
  return n !== undefined && n >= cidr.base && n < cidr.base + 2 ** (32 - cidr.prefix);
}

export class PodIPAllocator {
  private readonly cidr: Cidr;
  private readonly used: Uint8Array;
  /** Host offsets handed out: from 2 (1 is the bridge's, as cni0) to size - 2 (the last is broadcast). */
  private readonly first = 2;
  private readonly last: number;
  private next: number;

  constructor(podCIDR: string) {
    const cidr = parseCidr(podCIDR);
    if (!cidr) throw new Error(`invalid pod CIDR ${JSON.stringify(podCIDR)}`);
    this.cidr = cidr;
    const size = 2 ** (32 - cidr.prefix);
    this.last = size - 2;
    this.used = new Uint8Array(Math.ceil(size / 8));
    this.next = this.first;
  }

  /** The next free address; throws when the range is full. */
  allocate(): string {
    const span = this.last - this.first + 1;
    for (let i = 0; i < span; i++) {
      const offset = this.first + ((this.next - this.first + i) % span);
      if (!this.isUsed(offset)) {
        this.mark(offset, true);
        this.next = offset + 1 > this.last ? this.first : offset + 1;
        return numberToIp(this.cidr.base + offset);
      }
    }
    throw new Error(`no free pod address left in ${numberToIp(this.cidr.base)}/${this.cidr.prefix}`);
  }

  release(ip: string): void {
    const n = ipToNumber(ip);
    if (n === undefined) return;
    const offset = n - this.cidr.base;
    if (offset >= this.first && offset <= this.last) this.mark(offset, false);
  }

  private isUsed(offset: number): boolean {
    return (this.used[offset >> 3] & (1 << (offset & 7))) !== 0;
  }

  private mark(offset: number, on: boolean): void {
    if (on) this.used[offset >> 3] |= 1 << (offset & 7);
    else this.used[offset >> 3] &= ~(1 << (offset & 7));
  }
}
