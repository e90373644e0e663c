// Pod addresses out of a node's pod CIDR (host-local IPAM, as the CNI plugin of that name):
// one bit per address, handed out round-robin so a freed address is not reused at once.
// Runtimes without a network of their own (simulated, process) use it.

import { type Cidr, ipToNumber, numberToIp, parseCidr } from "../../src/lib/ipv4.js";

export { type Cidr, cidrContains, ipToNumber, numberToIp, parseCidr } from "../../src/lib/ipv4.js";

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
