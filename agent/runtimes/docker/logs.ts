// A container's output as `kubectl logs` wants it: the engine's log stream, demultiplexed, with
// each line's timestamp rewritten to the kubelet's fixed RFC 3339 nanosecond form (engines trim
// trailing zeros, podman gives whole seconds), cut at limitBytes. Ending it either way (the signal,
// the reader destroying it, the limit) closes the engine request.
import { Readable, Transform, type TransformCallback } from "node:stream";
import type { LogOptions } from "../runtime.js";
import { EngineClient, FrameDemuxer, type Query } from "./engine-client.js";

/** `2026-11-26T07:00:00.1234Z` or `…+01:00` → `2026-11-26T06:00:00.123400000Z`; undefined when it is not a timestamp. */
export function normalizeTimestamp(text: string): string | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) return undefined;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return undefined;
  return `${new Date(seconds).toISOString().slice(0, 19)}.${(m[2] ?? "").padEnd(9, "0")}Z`;
}

/** The engine's `since`: seconds with a nanosecond fraction. */
export function engineSince(unixMs: number): string {
  const ms = Math.max(0, Math.floor(unixMs));
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1_000_000).padStart(9, "0")}`;
}

const MAX_PREFIX = 48;

/** Rewrites the timestamp that starts each line; chunks may split a line or its prefix anywhere. */
export class TimestampNormalizer extends Transform {
  private head: Buffer | undefined = Buffer.alloc(0); // the line's start while its prefix is incomplete; undefined mid-line

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let rest = chunk;
    while (rest.length) {
      if (this.head) {
        const space = rest.indexOf(0x20);
        const nl = rest.indexOf(0x0a);
        const end = space >= 0 && (nl < 0 || space < nl) ? space : -1;
        if (end < 0 && nl < 0 && this.head.length + rest.length <= MAX_PREFIX) {
          this.head = Buffer.concat([this.head, rest]);
          break;
        }
        if (end >= 0 && this.head.length + end <= MAX_PREFIX) {
          const prefix = Buffer.concat([this.head, rest.subarray(0, end)]).toString("latin1");
          const normalized = normalizeTimestamp(prefix);
          this.push(normalized !== undefined ? Buffer.from(normalized, "latin1") : Buffer.from(prefix, "latin1"));
          rest = rest.subarray(end);
        } else if (this.head.length) {
          this.push(this.head); // not a timestamp: pass the line as it is
        }
        this.head = undefined;
        continue;
      }
      const nl = rest.indexOf(0x0a);
      if (nl < 0) {
        this.push(rest);
        break;
      }
      this.push(rest.subarray(0, nl + 1));
      rest = rest.subarray(nl + 1);
      this.head = Buffer.alloc(0);
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.head?.length) this.push(this.head);
    done();
  }
}

/** Passes the first `limit` bytes, then calls `reached` once. */
class ByteLimit extends Transform {
  private left: number;
  constructor(
    limit: number,
    private readonly reached: () => void,
  ) {
    super();
    this.left = limit;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.left <= 0) return done();
    const part = chunk.length > this.left ? chunk.subarray(0, this.left) : chunk;
    this.left -= part.length;
    this.push(part);
    done();
    if (this.left <= 0) this.reached();
  }
}

export function logsQuery(opts: LogOptions): Query {
  return {
    stdout: 1,
    stderr: 1,
    follow: opts.follow ? 1 : 0,
    tail: opts.tailLines !== undefined ? Math.max(0, Math.floor(opts.tailLines)) : "all",
    since: opts.sinceTime !== undefined ? engineSince(opts.sinceTime) : undefined,
    timestamps: opts.timestamps ? 1 : 0,
  };
}

/** The log stream of container `id`; `tty` says whether its output comes unframed. */
export async function openLogs(engine: EngineClient, id: string, tty: boolean, opts: LogOptions = {}): Promise<Readable> {
  if (opts.signal?.aborted || opts.limitBytes === 0) return Readable.from([]);
  const pending = new AbortController();
  const onAbortEarly = () => pending.abort();
  opts.signal?.addEventListener("abort", onAbortEarly, { once: true });
  let res;
  try {
    res = await engine.request("GET", `/containers/${encodeURIComponent(id)}/logs`, { query: logsQuery(opts), signal: pending.signal });
  } catch (err) {
    if (opts.signal?.aborted) return Readable.from([]);
    throw err;
  } finally {
    opts.signal?.removeEventListener("abort", onAbortEarly);
  }

  let closing = false;
  const stages: Transform[] = [];
  if (!tty) stages.push(new FrameDemuxer());
  if (opts.timestamps) stages.push(new TimestampNormalizer());
  const stop = () => {
    if (closing) return;
    closing = true;
    res.unpipe(stages[0]);
    res.destroy();
    stages[0].end();
  };
  stages.push(opts.limitBytes !== undefined ? new ByteLimit(opts.limitBytes, stop) : new Transform({ transform: (c, _e, done) => done(null, c) }));
  const out = stages[stages.length - 1];

  let upstream: NodeJS.ReadableStream = res;
  for (const s of stages) upstream = upstream.pipe(s);
  res.on("error", (err) => {
    if (!closing) out.destroy(err);
  });
  opts.signal?.addEventListener("abort", stop, { once: true });
  out.on("close", () => {
    opts.signal?.removeEventListener("abort", stop);
    closing = true;
    if (!res.complete) res.destroy();
  });
  return out;
}
