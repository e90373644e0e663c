// Audit events leave the isolate in batches, after the response: the first event of a batch
// schedules a flush (ctx.waitUntil of the request that added it) a few milliseconds out, and
// events that arrive before it fires ride along. Only finished events (plain data) cross from
// one request to another's flush; no request ever waits on another request's promise.
import type { Env } from "../env.js";
import { auditLog, type AuditRecord } from "./log.js";

/** How long the first event of a batch waits for company. */
export const BATCH_DELAY_MS = 50;
/** A batch this large is sent at once. */
export const MAX_BATCH = 200;

type WaitUntil = ((p: Promise<unknown>) => void) | undefined;

export class AuditBatcher {
  private buffer: AuditRecord[] = [];
  /** A timer is pending that has not yet taken the buffer. */
  private scheduled = false;

  constructor(private readonly send: (env: Env, batch: AuditRecord[]) => Promise<void>) {}

  add(record: AuditRecord, env: Env, waitUntil: WaitUntil): void {
    this.buffer.push(record);
    if (this.buffer.length >= MAX_BATCH) {
      keep(waitUntil, this.flush(env));
      return;
    }
    if (this.scheduled) return;
    this.scheduled = true;
    keep(
      waitUntil,
      new Promise<void>((resolve) => setTimeout(resolve, BATCH_DELAY_MS)).then(() => this.flush(env)),
    );
  }

  /** Sends whatever is buffered now. */
  async flush(env: Env): Promise<void> {
    this.scheduled = false;
    const batch = this.buffer.splice(0);
    if (batch.length === 0) return;
    try {
      await this.send(env, batch);
    } catch (e) {
      // Best effort, as upstream's batching backend when its buffer is full: count and move on.
      console.warn(`audit: dropped ${batch.length} events:`, e instanceof Error ? e.message : e);
    }
  }

  get pending(): number {
    return this.buffer.length;
  }
}

function keep(waitUntil: WaitUntil, p: Promise<void>): void {
  if (waitUntil) waitUntil(p);
  else void p;
}

/** This isolate's batcher. */
export const batcher = new AuditBatcher(async (env, batch) => {
  await auditLog(env)?.append(batch);
});
