// Helpers shared by the @kubernetes/client-node end-to-end suites: errors as metav1.Status,
// watch recorders, waiting, unique names.
import { ApiException, KubeConfig, Watch } from "@kubernetes/client-node";
import { request as httpsRequest } from "node:https";
import { expect } from "vitest";

export interface StatusBody {
  kind: string;
  apiVersion: string;
  metadata: Record<string, unknown>;
  status: string;
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: Array<{ reason?: string; message?: string; field?: string }> };
  code: number;
}

let counter = 0;
/** A DNS-label name unique within this test process. */
export function uniq(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The body of an ApiException, parsed (client-node 1.x hands it over as text). */
export function statusOf(e: unknown): StatusBody {
  if (!(e instanceof ApiException)) throw new Error(`expected an ApiException, got ${String((e as Error)?.stack ?? e)}`);
  const b = e.body as unknown;
  if (typeof b === "string") return JSON.parse(b) as StatusBody;
  return b as StatusBody;
}

/** Awaits a client call that must fail; returns the ApiException's code and parsed Status body. */
export async function apiError(p: Promise<unknown>): Promise<{ code: number; status: StatusBody }> {
  try {
    const v = await p;
    throw new Error(`expected the call to fail, it returned ${JSON.stringify(v)?.slice(0, 300)}`);
  } catch (e) {
    if (!(e instanceof ApiException)) throw e;
    return { code: e.code, status: statusOf(e) };
  }
}

/** Asserts a metav1.Status failure with the given code and reason. */
export function expectFailure(s: StatusBody, code: number, reason: string): void {
  expect(s.kind).toBe("Status");
  expect(s.apiVersion).toBe("v1");
  expect(s.status).toBe("Failure");
  expect(s.code).toBe(code);
  expect(s.reason).toBe(reason);
  expect(typeof s.message).toBe("string");
}

export async function expectApiError(p: Promise<unknown>, code: number, reason: string): Promise<StatusBody> {
  const { code: got, status } = await apiError(p);
  expect(got).toBe(code);
  expectFailure(status, code, reason);
  return status;
}

export interface RecordedEvent {
  type: string;
  object: any;
}

export interface WatchRecorder {
  events: RecordedEvent[];
  /** Resolves with the done callback's argument once the stream ended. */
  ended: Promise<unknown>;
  isEnded(): boolean;
  stop(): void;
  /** Waits until `pred(events)` holds. */
  until(pred: (events: RecordedEvent[]) => boolean, timeoutMs?: number, what?: string): Promise<RecordedEvent[]>;
  /** Waits until at least n events (not counting BOOKMARKs unless `withBookmarks`). */
  count(n: number, opts?: { timeoutMs?: number; withBookmarks?: boolean }): Promise<RecordedEvent[]>;
}

/** Starts a client-node Watch on `path` and records every event (raw objects, as sent). */
export async function recordWatch(kc: KubeConfig, path: string, query: Record<string, string | number | boolean | undefined> = {}): Promise<WatchRecorder> {
  const events: RecordedEvent[] = [];
  let ended = false;
  let endResolve!: (v: unknown) => void;
  const endedP = new Promise<unknown>((r) => (endResolve = r));
  const w = new Watch(kc);
  const ctl = await w.watch(
    path,
    query,
    (_type, _obj, raw) => {
      events.push({ type: raw.type, object: raw.object });
    },
    (err) => {
      ended = true;
      endResolve(err);
    },
  );
  const until = async (pred: (e: RecordedEvent[]) => boolean, timeoutMs = 10_000, what = "condition") => {
    const deadline = Date.now() + timeoutMs;
    while (!pred(events)) {
      if (Date.now() > deadline) {
        throw new Error(`watch ${path}: timed out waiting for ${what}; got ${JSON.stringify(events.map((e) => [e.type, e.object?.metadata?.name, e.object?.metadata?.resourceVersion]))}`);
      }
      await sleep(25);
    }
    return events;
  };
  return {
    events,
    ended: endedP,
    isEnded: () => ended,
    stop: () => ctl.abort(),
    until,
    count: (n, opts = {}) =>
      until((ev) => ev.filter((e) => opts.withBookmarks || e.type !== "BOOKMARK").length >= n, opts.timeoutMs, `${n} events`),
  };
}

/** Events without BOOKMARKs, as [type, name] pairs. */
export const summary = (events: RecordedEvent[]) =>
  events.filter((e) => e.type !== "BOOKMARK").map((e) => [e.type, e.object?.metadata?.name as string]);

export async function eventually<T>(fn: () => Promise<T> | T, timeoutMs = 10_000, intervalMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(intervalMs);
    }
  }
}

/** What settled() reads: any object with metadata (client-node's typed objects, raw JSON bodies). */
export interface Observed {
  metadata?: { generation?: number; resourceVersion?: string };
  status?: { observedGeneration?: number } | null;
}

/**
 * Reads an object until the controllers are done with it: status.observedGeneration has caught
 * up with metadata.generation and the resourceVersion stayed the same for `quietMs`. A test that
 * compares resourceVersions (or checks that nothing was written) on a kind a controller writes
 * (Deployments, ReplicaSets) takes the object from here first. Fails after `timeoutMs`.
 */
export async function settled<T extends Observed>(read: () => Promise<T>, { quietMs = 300, timeoutMs = 15_000 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  let since = Date.now();
  for (;;) {
    const done = last.status?.observedGeneration === last.metadata?.generation && Date.now() - since >= quietMs;
    if (done) return last;
    if (Date.now() > deadline) {
      const m = last.metadata;
      throw new Error(`not settled after ${timeoutMs} ms: generation ${m?.generation}, observedGeneration ${last.status?.observedGeneration}, resourceVersion ${m?.resourceVersion}`);
    }
    await sleep(50);
    const o = await read();
    if (o.metadata?.resourceVersion !== last.metadata?.resourceVersion) since = Date.now();
    last = o;
  }
}

/**
 * A KubeConfig whose requests ask for an uncompressed response (`Accept-Encoding: identity`),
 * where client-node's fetch would ask for gzip: the watch suite checks both kinds of client.
 */
export class IdentityEncodingKubeConfig extends KubeConfig {
  override async applyToFetchOptions(opts: Parameters<KubeConfig["applyToFetchOptions"]>[0]) {
    const out = await super.applyToFetchOptions(opts);
    (out.headers as unknown as { set(k: string, v: string): void }).set("Accept-Encoding", "identity");
    return out;
  }
}

export function kubeClientIdentity(h: { kubeconfigPath: string }): KubeConfig {
  const kc = new IdentityEncodingKubeConfig();
  kc.loadFromFile(h.kubeconfigPath);
  return kc;
}

/**
 * One HTTPS request whose path goes on the wire exactly as given: no URL parsing on the
 * client, so dot segments (`.`, `..`, `%2E`) and escapes reach the server untouched (as
 * `curl --path-as-is` sends them). Returns status and parsed JSON (or text).
 */
export function rawRequest(
  h: { port: number; token: string; ca: string },
  method: string,
  rawPath: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: any; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolveReq, reject) => {
    const hdrs: Record<string, string> = { authorization: `Bearer ${h.token}`, ...headers };
    if (body !== undefined) hdrs["content-type"] ??= "application/json";
    const req = httpsRequest(
      { host: "127.0.0.1", port: h.port, method, path: rawPath, headers: hdrs, ca: h.ca, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON
          }
          resolveReq({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Polls `check` every 100 ms until it returns a value (`ms` at most). */
export async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms / 1000}s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
