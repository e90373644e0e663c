// Shared helpers for the route tests inside workerd: requests through the Worker's own fetch
// handler with the admin token, fresh namespaces, and a line reader for watch streams.
import { createExecutionContext, runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index.js";

export const TOKEN = "test-token";

export interface Res<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export async function raw(method: string, path: string, init: { body?: BodyInit; headers?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${TOKEN}`, ...(init.headers ?? {}) };
  // The Worker's fetch handler called directly: going through the pool's `exports` gets slower
  // with every request a file makes (cloudflare/workers-sdk#15446).
  return worker.fetch(new Request(`http://x${path}`, { method, body: init.body, headers }), env as any, createExecutionContext());
}

export async function api<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> {
  const h: Record<string, string> = { ...headers };
  let b: BodyInit | undefined;
  if (body !== undefined) {
    b = typeof body === "string" ? body : JSON.stringify(body);
    h["content-type"] ??= "application/json";
  }
  const res = await raw(method, path, { body: b, headers: h });
  const text = await res.text();
  let parsed: any = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, headers: res.headers, body: parsed, text };
}

export const get = <T = any>(path: string) => api<T>("GET", path);
export const post = <T = any>(path: string, body: unknown, headers?: Record<string, string>) => api<T>("POST", path, body, headers);
export const put = <T = any>(path: string, body: unknown, headers?: Record<string, string>) => api<T>("PUT", path, body, headers);
export const del = <T = any>(path: string, body?: unknown) => api<T>("DELETE", path, body);
export const patch = <T = any>(path: string, type: "merge" | "json" | "strategic" | string, body: unknown) => {
  const ct =
    type === "merge" ? "application/merge-patch+json" : type === "json" ? "application/json-patch+json" : type === "strategic" ? "application/strategic-merge-patch+json" : type;
  return api<T>("PATCH", path, body, { "content-type": ct });
};

let counter = 0;
/** Creates a namespace with a unique name and returns it. */
export async function newNs(prefix = "t"): Promise<string> {
  const name = `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
  const r = await post("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name } });
  if (r.status !== 201) throw new Error(`namespace create: ${r.status} ${r.text}`);
  // Ready once the ServiceAccounts controller has made `default` (upstream's e2e framework waits
  // for it too), so that the controller's write does not land among the test's own.
  await eventually(["", name], async () => ((await get(`/api/v1/namespaces/${name}/serviceaccounts/default`)).status === 200 ? true : undefined));
  return name;
}

export const cm = (name: string, data: Record<string, string> = { k: "v" }, labels?: Record<string, string>) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: labels ? { name, labels } : { name },
  data,
});

export const pod = (name: string, extra: { labels?: Record<string, string>; nodeName?: string } = {}) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: extra.labels ? { name, labels: extra.labels } : { name },
  spec: { ...(extra.nodeName ? { nodeName: extra.nodeName } : {}), containers: [{ name: "c", image: "nginx:1.27" }] },
});

/** A workload of `kind` selecting and labelling its pods `app: <name>`; `spec` adds fields (strategy…). */
const workload = (kind: string, name: string, replicas: number, image: string, spec: Record<string, unknown>) => ({
  apiVersion: "apps/v1",
  kind,
  metadata: { name },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    ...spec,
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image }] } },
  },
});

export const deployment = (name: string, replicas = 1, image = "nginx:1.27", spec: Record<string, unknown> = {}) => workload("Deployment", name, replicas, image, spec);
export const replicaSet = (name: string, replicas = 1, image = "nginx:1.27") => workload("ReplicaSet", name, replicas, image, {});

export const names = (list: { items: Array<{ metadata: { name: string } }> }) => list.items.map((i) => i.metadata.name);

export interface WatchEvent {
  type: string;
  object: any;
}

/** A streaming watch: next() resolves with the next event or undefined at end of stream / timeout. */
export class Watch {
  private buf = "";
  private queue: WatchEvent[] = [];
  private done = false;
  constructor(
    readonly response: Response,
    private readonly reader: ReadableStreamDefaultReader<string>,
  ) {}

  static async open(path: string, headers: Record<string, string> = {}): Promise<Watch> {
    const res = await raw("GET", path, { headers });
    if (!res.body) throw new Error(`watch ${path}: no body (${res.status})`);
    return new Watch(res, res.body.pipeThrough(new TextDecoderStream()).getReader());
  }

  /** The next event, or undefined if the stream ends or nothing arrives within `ms`. */
  async next(ms = 2000): Promise<WatchEvent | undefined> {
    for (;;) {
      const q = this.queue.shift();
      if (q) return q;
      if (this.done) return undefined;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<"timeout">((r) => (timer = setTimeout(() => r("timeout"), ms)));
      const pending = this.pendingRead ?? (this.pendingRead = this.reader.read());
      const got = await Promise.race([pending, timedOut]);
      clearTimeout(timer);
      if (got === "timeout") return undefined;
      this.pendingRead = undefined;
      if (got.done) {
        this.done = true;
        continue;
      }
      this.buf += got.value;
      let i: number;
      while ((i = this.buf.indexOf("\n")) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        if (line.trim()) this.queue.push(JSON.parse(line));
      }
    }
  }
  private pendingRead: Promise<ReadableStreamReadResult<string>> | undefined;

  /** Collects `n` events (fails the caller if fewer arrive). */
  async take(n: number, ms = 2000): Promise<WatchEvent[]> {
    const out: WatchEvent[] = [];
    for (let i = 0; i < n; i++) {
      const e = await this.next(ms);
      if (!e) throw new Error(`expected ${n} events, got ${out.length}: ${JSON.stringify(out.map((x) => x.type))}`);
      out.push(e);
    }
    return out;
  }

  /**
   * Reads events until one satisfies `pred` and returns it (upstream's watchtools.Until): the
   * events a controller writes in between are skipped. Fails the caller, naming what it skipped,
   * if the stream ends or nothing arrives within `ms`.
   */
  async until(pred: (e: WatchEvent) => boolean, ms = 2000): Promise<WatchEvent> {
    const skipped: string[] = [];
    for (;;) {
      const e = await this.next(ms);
      if (!e) throw new Error(`no matching watch event; skipped ${JSON.stringify(skipped)}`);
      if (pred(e)) return e;
      skipped.push(`${e.type} ${e.object?.metadata?.name}@${e.object?.metadata?.resourceVersion}`);
    }
  }

  /** Events until the stream ends (or `ms` passes with nothing). */
  async rest(ms = 500): Promise<WatchEvent[]> {
    const out: WatchEvent[] = [];
    for (;;) {
      const e = await this.next(ms);
      if (!e) return out;
      out.push(e);
    }
  }

  get ended(): boolean {
    return this.done;
  }

  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }
}

/**
 * Polls `check` (undefined or a throw means not yet) until `timeoutMs`, firing the alarms of the
 * given stores between polls ("" is the cluster store) in case the pool has not fired them yet.
 */
export async function eventually<T>(stores: string | string[], check: () => Promise<T | undefined>, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ""}`);
    for (const ns of Array.isArray(stores) ? stores : [stores]) {
      await runDurableObjectAlarm((ns ? nsStub(ns) : env.NAMESPACE_STORE.get(env.NAMESPACE_STORE.idFromName("cluster"))) as any);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The namespace's Durable Object stub. */
export function nsStub(namespace: string) {
  return env.NAMESPACE_STORE.get(env.NAMESPACE_STORE.idFromName(`ns/${namespace}`));
}

/**
 * Runs the namespace store's controller alarm until nothing is left to do, so a test of the API
 * alone can read and write a ReplicaSet or a Deployment without racing the controllers' writes.
 * Done means: the store's revision stayed the same over two rounds of (run the alarm, wait 25 ms).
 * Running out of alarms is not enough: one that fired on its own may be running (none is
 * scheduled then), and a Deployment always leaves one for its progress deadline.
 */
export async function settle(namespace: string): Promise<void> {
  const stub = nsStub(namespace) as any;
  let last: number | undefined;
  for (let i = 0, stable = 0; stable < 2; i++) {
    if (i === 100) throw new Error(`namespace ${namespace}: the controllers did not settle`);
    await runDurableObjectAlarm(stub);
    await new Promise((r) => setTimeout(r, 25));
    const rev: number = await stub.revision();
    stable = rev === last ? stable + 1 : 0;
    last = rev;
  }
}

/** Collects a watch WebSocket's messages (parsed JSON); `until(n)` waits up to 3 s for n of them. */
export function collectSocket(ws: WebSocket): { got: any[]; until(n: number): Promise<void> } {
  const got: any[] = [];
  let wake: () => void = () => undefined;
  ws.addEventListener("message", (m) => {
    got.push(JSON.parse(m.data as string));
    wake();
  });
  ws.accept();
  const until = async (n: number) => {
    const deadline = Date.now() + 3000;
    while (got.length < n && Date.now() < deadline) await new Promise<void>((r) => ((wake = r), setTimeout(r, 100)));
  };
  return { got, until };
}
