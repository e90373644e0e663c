// A step the node repeats against the control plane (the lease renewal, the status update):
// after a success the next run is one jittered interval away, after a failure it is a backoff
// capped at the interval. A failure that is not transient is logged once per distinct message,
// not once per attempt. runNow() runs the step at once unless it is already running.
import { type Backoff, jittered } from "../client/backoff.js";
import { isTransient } from "../client/errors.js";
import type { Logger } from "../log.js";

export interface PeriodicOptions {
  /** One step; throws when it failed. */
  run(): Promise<void>;
  /** The wait after a success (spread by jitter), and the longest wait after a failure. */
  intervalMs: number;
  /** The log line for a failure that is not transient. */
  errorMessage(err: unknown): string;
  log: Logger;
  backoff: Backoff;
}

export class Periodic {
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private running = false;
  private lastError = "";

  constructor(private readonly o: PeriodicOptions) {}

  /** Run after `firstDelayMs`, then on and on until stop(). */
  start(firstDelayMs = 0): void {
    this.schedule(firstDelayMs);
  }

  /** Run at once, unless a run is under way. */
  runNow(): void {
    if (!this.running) this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    this.running = true;
    let next: number;
    try {
      await this.o.run();
      this.o.backoff.reset();
      this.lastError = "";
      next = jittered(this.o.intervalMs);
    } catch (err) {
      if (!isTransient(err)) {
        const message = this.o.errorMessage(err);
        if (message !== this.lastError) this.o.log.error(message);
        this.lastError = message;
      }
      next = Math.min(this.o.backoff.next(), this.o.intervalMs);
    } finally {
      this.running = false;
    }
    this.schedule(next);
  }
}
