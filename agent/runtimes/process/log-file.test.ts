// Reading CRI log files back: the edge cases a running process makes hard to produce on demand.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import type { LogOptions } from "../runtime.js";
import { parseLogRecord, readContainerLog } from "./log-file.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function logFile(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "ep-log-test-"));
  dirs.push(dir);
  const path = join(dir, "container.log");
  writeFileSync(path, lines.map((l) => `${l}\n`).join(""));
  return path;
}

async function text(stream: Readable): Promise<string> {
  let out = "";
  for await (const chunk of stream) out += (chunk as Buffer).toString("utf8");
  return out;
}

const read = (path: string, opts: LogOptions = {}, exited = () => true) => text(readContainerLog(path, opts, exited));

describe("CRI log files", () => {
  it("parses records, keeping the text byte for byte", () => {
    expect(parseLogRecord(Buffer.from("2024-05-01T10:00:00.123456789Z stderr F  two  spaces "))).toEqual({
      time: "2024-05-01T10:00:00.123456789Z",
      timeMs: Date.parse("2024-05-01T10:00:00.123Z"),
      stream: "stderr",
      partial: false,
      text: Buffer.from(" two  spaces "),
    });
    expect(parseLogRecord(Buffer.from("2024-05-01T10:00:00Z stdout P "))?.partial).toBe(true);
    expect(parseLogRecord(Buffer.from("garbage"))).toBeUndefined();
    expect(parseLogRecord(Buffer.from("yesterday stdout F hi"))).toBeUndefined();
  });

  it("joins partial records into one line, and counts it once for tailLines", async () => {
    const path = logFile([
      "2024-05-01T10:00:01Z stdout F first",
      "2024-05-01T10:00:02Z stdout P lo",
      "2024-05-01T10:00:02.5Z stdout P n",
      "2024-05-01T10:00:03Z stdout F g",
      "not a record",
      "2024-05-01T10:00:04Z stderr F last",
    ]);
    expect(await read(path)).toBe("first\nlong\nlast\n");
    expect(await read(path, { tailLines: 2 })).toBe("long\nlast\n");
    expect(await read(path, { tailLines: 1 })).toBe("last\n");
    expect(await read(path, { sinceTime: Date.parse("2024-05-01T10:00:02.5Z") })).toBe("ng\nlast\n");
    expect(await read(path, { timestamps: true, tailLines: 1 })).toBe("2024-05-01T10:00:04Z last\n");
    expect(await read(path, { limitBytes: 7 })).toBe("first\nl");
  });

  it("does not show a record still being written, and follows the file until the container has exited", async () => {
    const path = logFile(["2024-05-01T10:00:01Z stdout F one"]);
    appendFileSync(path, "2024-05-01T10:00:02Z stdout F tw");
    expect(await read(path)).toBe("one\n");

    let exited = false;
    const chunks: string[] = [];
    const stream = readContainerLog(path, { follow: true }, () => exited);
    stream.on("data", (c: Buffer) => chunks.push(c.toString()));
    const ended = new Promise((r) => stream.once("end", r));
    await new Promise((r) => setTimeout(r, 250));
    expect(chunks.join("")).toBe("one\n");
    appendFileSync(path, "o\n");
    await new Promise((r) => setTimeout(r, 250));
    expect(chunks.join("")).toBe("one\ntwo\n");
    // The last line lands just before the exit is recorded: it is still read.
    appendFileSync(path, "2024-05-01T10:00:03Z stdout F three\n");
    exited = true;
    await ended;
    expect(chunks.join("")).toBe("one\ntwo\nthree\n");
  });

  it("ends a follow when the stream is destroyed", async () => {
    const path = logFile(["2024-05-01T10:00:01Z stdout F one"]);
    const stream = readContainerLog(path, { follow: true }, () => false);
    const closed = new Promise((r) => stream.once("close", r));
    stream.once("data", () => stream.destroy());
    await closed;
    expect(stream.destroyed).toBe(true);
  });
});
