// The engine client against a real HTTP server on a unix socket: JSON, the engine's error messages
// as typed errors, endpoints, and the frame demultiplexer fed in arbitrary pieces.
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EngineClient, EngineError, FrameDemuxer, isNotFound, readAll, socketPathOf } from "./engine-client.js";

let dir: string;
let server: http.Server;
const seen: Array<{ method?: string; url?: string; body: string; type?: string }> = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edgeplane-engine-"));
  server = http.createServer(async (req, res) => {
    const body = (await readAll(req)).toString("utf8");
    seen.push({ method: req.method, url: req.url, body, type: req.headers["content-type"] });
    if (req.url?.startsWith("/v1.41/missing")) {
      res.writeHead(404, { "content-type": "application/json" });
      return res.end(JSON.stringify({ message: "no such container: missing" }));
    }
    if (req.url?.startsWith("/v1.41/empty")) return res.writeHead(204).end();
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ ok: true }));
  });
  await new Promise<void>((r) => server.listen(join(dir, "engine.sock"), r));
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await rm(dir, { recursive: true, force: true });
});

const frame = (kind: number, text: string) => {
  const payload = Buffer.from(text);
  const h = Buffer.alloc(8);
  h[0] = kind;
  h.writeUInt32BE(payload.length, 4);
  return Buffer.concat([h, payload]);
};

describe("EngineClient", () => {
  it("speaks JSON over the socket with the API version in front", async () => {
    const engine = new EngineClient(`unix://${join(dir, "engine.sock")}`);
    expect(await engine.json("POST", "/containers/create", { query: { name: "a b", skip: undefined }, body: { Image: "x" } })).toEqual({ ok: true });
    expect(seen.at(-1)).toEqual({ method: "POST", url: "/v1.41/containers/create?name=a+b", body: '{"Image":"x"}', type: "application/json" });
    expect(await engine.json("DELETE", "/empty")).toBeUndefined();
    await engine.json("POST", "/images/create", { body: Buffer.from("tar bytes"), contentType: "application/x-tar" });
    expect(seen.at(-1)).toMatchObject({ body: "tar bytes", type: "application/x-tar" });
    engine.close();
  });

  it("turns error answers into EngineError with the engine's message", async () => {
    const engine = new EngineClient(join(dir, "engine.sock"));
    const err = await engine.json("GET", "/missing/json").catch((e) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ statusCode: 404, message: "no such container: missing" });
    expect(isNotFound(err)).toBe(true);
    engine.close();
  });

  it("counts Podman's 500 for a container being removed as not found, and no other 500", () => {
    expect(isNotFound(new EngineError(500, "container 00d0ad67 does not exist in database: no such container"))).toBe(true);
    expect(isNotFound(new EngineError(500, "runc: error setting rlimit type 7: operation not permitted"))).toBe(false);
    expect(isNotFound(new Error("no such container"))).toBe(false);
  });

  it("accepts unix:// endpoints and bare paths, nothing else", () => {
    expect(socketPathOf("unix:///run/podman/podman.sock")).toBe("/run/podman/podman.sock");
    expect(socketPathOf("/var/run/docker.sock")).toBe("/var/run/docker.sock");
    expect(socketPathOf()).toBe("/var/run/docker.sock");
    expect(() => socketPathOf("tcp://127.0.0.1:2375")).toThrow(/unix/);
  });
});

describe("FrameDemuxer", () => {
  it("reassembles stdout and stderr frames in order, however the bytes arrive", async () => {
    const bytes = Buffer.concat([frame(1, "out 1\n"), frame(2, "err 1\n"), frame(1, ""), frame(1, "x".repeat(70_000))]);
    const demux = new FrameDemuxer();
    const done = readAll(demux);
    for (let i = 0; i < bytes.length; i += 7) demux.write(bytes.subarray(i, i + 7));
    demux.end();
    expect((await done).toString()).toBe(`out 1\nerr 1\n${"x".repeat(70_000)}`);
  });
});
