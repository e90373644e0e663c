// Whether the control plane is reachable, shared by every node of the process: the first
// failure after a success is logged once (not once per node and attempt), the first success
// after failures is logged once and tells the nodes, which then post their status at once.
// Failures before the first answer are the caller's to report (joining fails with its own error).
import type { Logger } from "../log.js";

export class Connectivity {
  private down = false;
  private answered = false;
  private downSince = 0;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly server: string,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  get reachable(): boolean {
    return !this.down;
  }

  /** A request failed because the control plane could not be reached. */
  failed(message: string): void {
    if (this.down || !this.answered) return;
    this.down = true;
    this.downSince = this.now();
    this.log.error(`✗ ${message}: the nodes keep their pods as they are and retry`);
  }

  /** A request got an answer. */
  succeeded(): void {
    this.answered = true;
    if (!this.down) return;
    this.down = false;
    const seconds = Math.round((this.now() - this.downSince) / 100) / 10;
    this.log.info(`✓ control plane at ${this.server} reachable again after ${seconds}s`);
    for (const l of [...this.listeners]) l();
  }

  /** Called on every recovery; returns the unsubscribe function. */
  onRecovered(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
