// Log lines as the kubelet prints them: timestamps rewritten to nine fractional digits in UTC,
// wherever the engine's chunks split the line, and `since` in the engine's form.
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EngineClient, readAll } from "./engine-client.js";
import { engineSince, logsQuery, normalizeTimestamp, openLogs, TimestampNormalizer } from "./logs.js";

// An engine that follows forever: one stdout frame every 20 ms, until the client goes away.
let dir: string;
let server: http.Server;
let engine: EngineClient;
let closed: Array<() => void> = [];
const requestClosed = () => new Promise<void>((r) => closed.push(r));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edgeplane-logs-"));
  server = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "application/vnd.docker.multiplexed-stream" });
    let n = 0;
    const tick = setInterval(() => {
      const line = Buffer.from(`2026-11-26T07:00:00.5Z line ${n++}\n`);
      const h = Buffer.alloc(8);
      h[0] = 1;
      h.writeUInt32BE(line.length, 4);
      res.write(Buffer.concat([h, line]));
    }, 20);
    req.socket.on("close", () => {
      clearInterval(tick);
      for (const f of closed.splice(0)) f();
    });
  });
  await new Promise<void>((r) => server.listen(join(dir, "engine.sock"), r));
  engine = new EngineClient(join(dir, "engine.sock"));
});

afterAll(async () => {
  engine.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

describe("following logs", () => {
  it("closes the engine request when the reader destroys the stream", async () => {
    const stream = await openLogs(engine, "c1", false, { follow: true, timestamps: true });
    const gone = requestClosed();
    let first = "";
    for await (const chunk of stream) {
      first += String(chunk);
      if (first.includes("\n")) break; // leaving the loop destroys the stream
    }
    expect(first).toMatch(/^2026-11-26T07:00:00\.500000000Z line 0\n/);
    stream.destroy();
    await gone;
  });

  it("ends the stream and closes the request when the signal aborts", async () => {
    const ac = new AbortController();
    const stream = await openLogs(engine, "c1", false, { follow: true, signal: ac.signal });
    const gone = requestClosed();
    setTimeout(() => ac.abort(), 100);
    const text = (await readAll(stream)).toString();
    expect(text).toMatch(/^(2026-11-26T07:00:00.5Z line \d+\n)+$/);
    await gone;
  });

  it("stops at limitBytes, closing the request", async () => {
    const stream = await openLogs(engine, "c1", false, { follow: true, limitBytes: 30 });
    const gone = requestClosed();
    expect((await readAll(stream)).toString()).toBe("2026-11-26T07:00:00.5Z line 0\n2026-11-26T07:00:00.5Z line 1\n".slice(0, 30));
    await gone;
  });
});

describe("log timestamps", () => {
  it("normalizes RFC 3339 timestamps to the nanosecond form in UTC", () => {
    expect(normalizeTimestamp("2026-11-26T07:00:00Z")).toBe("2026-11-26T07:00:00.000000000Z");
    expect(normalizeTimestamp("2026-11-26T07:00:00.1234Z")).toBe("2026-11-26T07:00:00.123400000Z");
    expect(normalizeTimestamp("2026-11-26T07:00:00.123456789Z")).toBe("2026-11-26T07:00:00.123456789Z");
    expect(normalizeTimestamp("2026-11-26T08:30:00.5+01:30")).toBe("2026-11-26T07:00:00.500000000Z");
    expect(normalizeTimestamp("hello")).toBeUndefined();
  });

  it("rewrites the prefix of every line, whatever the chunking", async () => {
    const input = "2026-11-26T07:00:00.12Z one\n2026-11-26T07:00:01Z two words\nno stamp here\n\n2026-11-26T07:00:02.000000001Z three";
    for (const size of [1, 3, 17, input.length]) {
      const t = new TimestampNormalizer();
      const out = readAll(t);
      for (let i = 0; i < input.length; i += size) t.write(Buffer.from(input.slice(i, i + size)));
      t.end();
      expect((await out).toString()).toBe(
        "2026-11-26T07:00:00.120000000Z one\n2026-11-26T07:00:01.000000000Z two words\nno stamp here\n\n2026-11-26T07:00:02.000000001Z three",
      );
    }
  });

  it("asks the engine for since in seconds with nanoseconds, tail and follow", () => {
    expect(engineSince(1_795_676_673_467)).toBe("1795676673.467000000");
    expect(logsQuery({})).toMatchObject({ tail: "all", follow: 0, timestamps: 0, since: undefined });
    expect(logsQuery({ tailLines: 3, follow: true, timestamps: true, sinceTime: 1000 })).toMatchObject({ tail: 3, follow: 1, timestamps: 1, since: "1.000000000" });
  });
});
