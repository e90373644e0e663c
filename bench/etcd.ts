// Why: the reference store. Starts Debian's etcd (3.4) on loopback with a temp data dir and speaks
// the same Target interface through etcd's JSON gRPC gateway (/v3/kv/put, /v3/kv/range, /v3/watch).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { HttpClient } from "./client.js";
import { configMap } from "./objects.js";
import type { Target } from "./workloads.js";

/** Debian's etcd-server; BENCH_ETCD_BINARY points elsewhere (or at nothing, to try the no-etcd path). */
export const ETCD_BINARY = process.env.BENCH_ETCD_BINARY || "/usr/bin/etcd";

export interface Etcd {
  url: string;
  pid: number;
  dataDir: string;
  version: string;
  stop(): Promise<void>;
}

export function etcdInstalled(): boolean {
  return existsSync(ETCD_BINARY);
}

/** etcd on 127.0.0.1 with free ports and a fresh data dir under `parent`; ready when /health says so. */
export async function startEtcd(parent: string, clientPort: number, peerPort: number): Promise<Etcd> {
  const dataDir = mkdtempSync(join(parent, "etcd-"));
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const child = spawn(
    ETCD_BINARY,
    [
      "--name", "bench",
      "--data-dir", dataDir,
      "--listen-client-urls", url,
      "--advertise-client-urls", url,
      "--listen-peer-urls", peer,
      "--initial-advertise-peer-urls", peer,
      "--initial-cluster", `bench=${peer}`,
      "--initial-cluster-state", "new",
      "--logger", "zap",
      "--log-level", "warn",
    ],
    { detached: true, stdio: ["ignore", "ignore", "pipe"] },
  );
  const output: string[] = [];
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (c: string) => {
    output.push(c);
    if (output.length > 50) output.shift();
  });
  let exited = false;
  const gone = new Promise<void>((r) => child.on("exit", () => ((exited = true), r())));
  const stop = async () => {
    if (!exited) {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // already gone
      }
      const t = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // already gone
        }
      }, 5_000);
      await gone;
      clearTimeout(t);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  const http = new HttpClient(url, { maxSockets: 2 });
  try {
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (exited) throw new Error(`etcd exited while starting:\n${output.join("").slice(-2000)}`);
      try {
        const r = await http.request("GET", "/health");
        if (r.status === 200 && /"health":\s*"true"/.test(r.body.toString())) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`etcd was not healthy after 20 s:\n${output.join("").slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const v = await http.json("GET", "/version");
    return { url, pid: child.pid!, dataDir, version: String(v.value.etcdserver), stop };
  } catch (e) {
    await stop();
    throw e;
  } finally {
    http.close();
  }
}

const b64 = (s: string) => Buffer.from(s).toString("base64");
/** The end of a prefix range: the prefix with its last byte incremented, as etcdctl --prefix does. */
function prefixEnd(prefix: string): string {
  const b = Buffer.from(prefix);
  b[b.length - 1]++;
  return b.toString("base64");
}

/** Keys laid out as kube-apiserver lays them out in etcd: /registry/<resource>/<namespace>/<name>. */
export class EtcdTarget implements Target {
  readonly label = "etcd";
  constructor(private readonly http: HttpClient) {}

  private key(ns: string, name: string) {
    return `/registry/configmaps/${ns}/${name}`;
  }

  async prepareNamespace(): Promise<void> {
    // A namespace is only a key prefix in etcd.
  }

  private async put(ns: string, name: string, i: number): Promise<void> {
    const value = JSON.stringify(configMap(ns, name, i));
    await this.http.json("POST", "/v3/kv/put", { key: b64(this.key(ns, name)), value: b64(value) });
  }

  create(ns: string, name: string, i: number): Promise<void> {
    return this.put(ns, name, i);
  }

  update(ns: string, name: string, i: number): Promise<void> {
    return this.put(ns, name, i);
  }

  async get(ns: string, name: string): Promise<void> {
    const { value } = await this.http.json("POST", "/v3/kv/range", { key: b64(this.key(ns, name)) });
    if (!value.kvs?.length) throw new Error(`etcd get ${ns}/${name}: not found`);
  }

  async list(ns: string): Promise<number> {
    const prefix = `/registry/configmaps/${ns}/`;
    const r = await this.http.request("POST", "/v3/kv/range", JSON.stringify({ key: b64(prefix), range_end: prefixEnd(prefix) }), {
      "content-type": "application/json",
    });
    if (r.status !== 200) throw new Error(`etcd range ${ns}: HTTP ${r.status}`);
    return r.body.length;
  }

  async count(ns: string): Promise<number> {
    const prefix = `/registry/configmaps/${ns}/`;
    const { value } = await this.http.json("POST", "/v3/kv/range", { key: b64(prefix), range_end: prefixEnd(prefix), count_only: true });
    return Number(value.count ?? 0);
  }

  async watch(ns: string, onEvent: (name: string) => void): Promise<{ close(): void; ended: Promise<void> }> {
    const prefix = `/registry/configmaps/${ns}/`;
    let created!: () => void;
    const ready = new Promise<void>((r) => (created = r));
    const s = await this.http.stream(
      "POST",
      "/v3/watch",
      (line) => {
        const msg = JSON.parse(line) as { result?: { created?: boolean; events?: { kv?: { key?: string } }[] } };
        if (msg.result?.created) created();
        for (const ev of msg.result?.events ?? []) {
          if (!ev.kv?.key) continue;
          const key = Buffer.from(ev.kv.key, "base64").toString();
          onEvent(key.slice(key.lastIndexOf("/") + 1));
        }
      },
      JSON.stringify({ create_request: { key: b64(prefix), range_end: prefixEnd(prefix) } }),
    );
    if (s.status !== 200) {
      s.close();
      throw new Error(`etcd watch: HTTP ${s.status}`);
    }
    const timer = setTimeout(() => created(), 5_000);
    await ready;
    clearTimeout(timer);
    return s;
  }

  /** A raw put of a value, for the memory fill. */
  async putRaw(key: string, value: string): Promise<void> {
    await this.http.json("POST", "/v3/kv/put", { key: b64(key), value: b64(value) });
  }
}
