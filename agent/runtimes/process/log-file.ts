// Reading a container's CRI log (`<RFC3339Nano> <stdout|stderr> <F|P> <text>` per line, written
// by the monitor) back as `kubectl logs` shows it: the text, optionally with timestamps, the
// last N lines, since a time, up to a byte limit, and following the file while the container runs.
import { open, type FileHandle } from "node:fs/promises";
import { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import type { LogOptions } from "../runtime.js";

const CHUNK = 64 * 1024;
const FOLLOW_POLL_MS = 100;
const NEWLINE = 0x0a;
const SPACE = 0x20;

export interface LogRecord {
  /** As written (RFC 3339 with nanoseconds). */
  time: string;
  timeMs: number;
  stream: "stdout" | "stderr";
  /** A piece of a line longer than the runtime's record size; the line goes on in the next record. */
  partial: boolean;
  text: Buffer;
}

/** One record (a line of the file, without its newline); undefined for a line that is not one. */
export function parseLogRecord(line: Buffer): LogRecord | undefined {
  const a = line.indexOf(SPACE);
  const b = a === -1 ? -1 : line.indexOf(SPACE, a + 1);
  if (b === -1) return undefined;
  const time = line.toString("latin1", 0, a);
  const stream = line.toString("latin1", a + 1, b);
  const tag = line[b + 1];
  const timeMs = Date.parse(time);
  if ((stream !== "stdout" && stream !== "stderr") || Number.isNaN(timeMs)) return undefined;
  // "F" or "P", possibly followed by more tags after ":" (CRI reserves that); the text follows one space.
  const textAt = line.indexOf(SPACE, b + 1);
  return { time, timeMs, stream, partial: tag === 0x50 /* P */, text: textAt === -1 ? Buffer.alloc(0) : line.subarray(textAt + 1) };
}

/** A record as `kubectl logs` prints it. */
export function renderLogRecord(r: LogRecord, timestamps: boolean): Buffer {
  const parts = timestamps ? [Buffer.from(`${r.time} `), r.text] : [r.text];
  if (!r.partial) parts.push(Buffer.from("\n"));
  return Buffer.concat(parts);
}

/**
 * The log as a byte stream. `exited` says whether the container has stopped writing: a follow
 * ends once it is true and the file is drained (the monitor records the exit after its last line).
 */
export function readContainerLog(path: string, opts: LogOptions, exited: () => boolean): Readable {
  const abort = new AbortController();
  const onAbort = () => abort.abort();
  opts.signal?.addEventListener("abort", onAbort, { once: true });
  const stream = Readable.from(logChunks(path, opts, exited, abort.signal), { objectMode: false });
  stream.once("close", () => {
    opts.signal?.removeEventListener("abort", onAbort);
    abort.abort();
  });
  return stream;
}

async function* logChunks(path: string, opts: LogOptions, exited: () => boolean, signal: AbortSignal): AsyncGenerator<Buffer> {
  if (signal.aborted) return;
  let fh: FileHandle;
  try {
    fh = await open(path, "r");
  } catch {
    return; // never started, or removed: no output
  }
  try {
    const tail = opts.tailLines !== undefined && opts.tailLines >= 0 ? opts.tailLines : undefined;
    let pos = tail === undefined ? 0 : await tailOffset(fh, await completeEnd(fh, (await fh.stat()).size), tail);
    let budget = opts.limitBytes !== undefined && opts.limitBytes > 0 ? opts.limitBytes : Infinity;
    let carry = Buffer.alloc(0);
    let done = false;
    const buf = Buffer.alloc(CHUNK);
    while (!signal.aborted) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        let data = carry.length > 0 ? Buffer.concat([carry, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
        for (let nl = data.indexOf(NEWLINE); nl !== -1; nl = data.indexOf(NEWLINE)) {
          const r = parseLogRecord(data.subarray(0, nl));
          data = data.subarray(nl + 1);
          if (!r || (opts.sinceTime !== undefined && r.timeMs < opts.sinceTime)) continue;
          const out = renderLogRecord(r, !!opts.timestamps);
          if (out.length >= budget) {
            yield out.subarray(0, budget);
            return;
          }
          budget -= out.length;
          yield out;
        }
        carry = Buffer.from(data);
        continue;
      }
      if (!opts.follow || done) return;
      // Read once more after seeing the exit: the last lines were written before it was recorded.
      done = exited();
      if (!done) {
        try {
          await sleep(FOLLOW_POLL_MS, undefined, { signal });
        } catch {
          return;
        }
      }
    }
  } finally {
    await fh.close();
  }
}

/** The end of the last complete record at or before `size` (a record being written is not read yet). */
async function completeEnd(fh: FileHandle, size: number): Promise<number> {
  for await (const nl of newlinesBackward(fh, size)) return nl + 1;
  return 0;
}

/** Where the last `n` lines begin; a line cut into partial records counts once. */
export async function tailOffset(fh: FileHandle, end: number, n: number): Promise<number> {
  if (n <= 0) return end;
  let count = 0;
  let recordEnd = end;
  const isFull = async (start: number) => {
    const head = Buffer.alloc(80);
    const { bytesRead } = await fh.read(head, 0, head.length, start);
    const r = parseLogRecord(head.subarray(0, bytesRead));
    return r !== undefined && !r.partial;
  };
  // The newline that ends the last record is at end-1; the ones before it end earlier records.
  for await (const nl of newlinesBackward(fh, end - 1)) {
    const start = nl + 1;
    if ((await isFull(start)) && ++count === n + 1) return recordEnd;
    recordEnd = start;
  }
  if (recordEnd > 0 && (await isFull(0)) && ++count === n + 1) return recordEnd;
  return 0;
}

/** Offsets of the newlines before `before`, last first. */
async function* newlinesBackward(fh: FileHandle, before: number): AsyncGenerator<number> {
  const buf = Buffer.alloc(CHUNK);
  for (let pos = before; pos > 0; ) {
    const size = Math.min(CHUNK, pos);
    pos -= size;
    const { bytesRead } = await fh.read(buf, 0, size, pos);
    for (let i = bytesRead - 1; i >= 0; i--) if (buf[i] === NEWLINE) yield pos + i;
  }
}
