// Why: the workloads (CRUD at several concurrencies, list, watch delivery, fill) are written once,
// over a small Target interface, so edgeplane and etcd run exactly the same loops with the same payloads.
import { now, summarize, type Summary } from "./stats.js";

/** What a store must offer to be benchmarked. A "namespace" is a Kubernetes namespace or an etcd key prefix. */
export interface Target {
  readonly label: string;
  prepareNamespace(ns: string): Promise<void>;
  create(ns: string, name: string, i: number): Promise<void>;
  get(ns: string, name: string): Promise<void>;
  /** Reads every object of the namespace in one request; answers the body size in bytes. */
  list(ns: string): Promise<number>;
  /** Objects a list of the namespace holds (checked once, outside timed loops). */
  count(ns: string): Promise<number>;
  /** Replaces the object (Kubernetes: PUT carrying the last resourceVersion). */
  update(ns: string, name: string, i: number): Promise<void>;
  /** A watch from "now" on the namespace; resolves once the stream is established. */
  watch(ns: string, onEvent: (name: string) => void): Promise<{ close(): void; ended: Promise<void> }>;
}

export interface OpResult extends Summary {
  firstError?: string;
}

/**
 * Runs op(0..n-1) with `concurrency` in flight and measures each call from send to complete answer.
 * Bounded: exactly n calls; errors are counted, not retried.
 */
export async function runOps(n: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<OpResult> {
  const start = now();
  const r = await runOpsCollect(n, concurrency, op);
  return { ...summarize(r.samples, now() - start, r.errors), firstError: r.firstError };
}

/** The same op run on several namespaces at once; samples are pooled, throughput is the sum. */
export async function runOpsAcross(
  namespaces: string[],
  n: number,
  concurrency: number,
  op: (ns: string, i: number) => Promise<unknown>,
): Promise<OpResult> {
  const start = now();
  const results = await Promise.all(namespaces.map((ns) => runOpsCollect(n, concurrency, (i) => op(ns, i))));
  const samples = results.flatMap((r) => r.samples);
  const errors = results.reduce((a, r) => a + r.errors, 0);
  return { ...summarize(samples, now() - start, errors), firstError: results.find((r) => r.firstError)?.firstError };
}

async function runOpsCollect(n: number, concurrency: number, op: (i: number) => Promise<unknown>) {
  const samples: number[] = [];
  let next = 0;
  let errors = 0;
  let firstError: string | undefined;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      const t = now();
      try {
        await op(i);
        samples.push(now() - t);
      } catch (e) {
        errors++;
        firstError ??= (e as Error).message;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return { samples, errors, firstError };
}

export interface CrudConfig {
  sequentialOps: number;
  concurrentOps: number;
  concurrency: number;
  listObjects: number;
  listRepeats: number;
  namespaces: number;
  perNamespaceOps: number;
  perNamespaceConcurrency: number;
}

export interface Row {
  scenario: string;
  op: string;
  result: OpResult;
  /** Response size, for lists. */
  bytes?: number;
}

const pick = (i: number, n: number) => `cm-${(i * 7919) % n}`; // a spread of reads over the objects

/** create → get → update in one namespace sequentially, then with concurrency, then over several namespaces, and list. */
export async function crudSuite(t: Target, cfg: CrudConfig, run: string, log: (s: string) => void): Promise<Row[]> {
  const rows: Row[] = [];
  const add = (scenario: string, op: string, result: OpResult, bytes?: number) => {
    rows.push({ scenario, op, result, bytes });
    log(`  ${t.label.padEnd(9)} ${scenario.padEnd(26)} ${op.padEnd(7)} p50 ${result.p50.toFixed(2)} ms  p99 ${result.p99.toFixed(2)} ms  ${result.opsPerSec.toFixed(0)} ops/s${result.errors ? `  errors ${result.errors}: ${result.firstError}` : ""}`);
  };

  // One namespace, one request at a time.
  const seq = `${run}-seq`;
  await t.prepareNamespace(seq);
  const s = "1 ns, sequential";
  add(s, "create", await runOps(cfg.sequentialOps, 1, (i) => t.create(seq, `cm-${i}`, i)));
  add(s, "get", await runOps(cfg.sequentialOps, 1, (i) => t.get(seq, pick(i, cfg.sequentialOps))));
  add(s, "update", await runOps(cfg.sequentialOps, 1, (i) => t.update(seq, `cm-${i}`, i + 1)));

  // One namespace, `concurrency` in flight; it ends up holding listObjects objects for the list test.
  const con = `${run}-con`;
  await t.prepareNamespace(con);
  const c = `1 ns, ${cfg.concurrency} in flight`;
  add(c, "create", await runOps(cfg.concurrentOps, cfg.concurrency, (i) => t.create(con, `cm-${i}`, i)));
  add(c, "get", await runOps(cfg.concurrentOps, cfg.concurrency, (i) => t.get(con, pick(i, cfg.concurrentOps))));
  add(c, "update", await runOps(cfg.concurrentOps, cfg.concurrency, (i) => t.update(con, `cm-${i}`, i + 1)));
  if (cfg.listObjects > cfg.concurrentOps) {
    await runOps(cfg.listObjects - cfg.concurrentOps, cfg.concurrency, (i) => t.create(con, `cm-${cfg.concurrentOps + i}`, i));
  }
  const held = await t.count(con);
  if (held !== cfg.listObjects) log(`  warning: ${t.label} namespace ${con} holds ${held} objects, expected ${cfg.listObjects}`);
  let bytes = 0;
  const listed = await runOps(cfg.listRepeats, 1, async () => (bytes = await t.list(con)));
  add(`list of ${held} objects, sequential`, "list", listed, bytes);

  // Several namespaces at once: on Cloudflare each is its own Durable Object.
  const nss = Array.from({ length: cfg.namespaces }, (_, k) => `${run}-ns${k}`);
  for (const ns of nss) await t.prepareNamespace(ns);
  const m = `${cfg.namespaces} ns × ${cfg.perNamespaceConcurrency} in flight`;
  const n = cfg.perNamespaceOps;
  const k = cfg.perNamespaceConcurrency;
  add(m, "create", await runOpsAcross(nss, n, k, (ns, i) => t.create(ns, `cm-${i}`, i)));
  add(m, "get", await runOpsAcross(nss, n, k, (ns, i) => t.get(ns, pick(i, n))));
  add(m, "update", await runOpsAcross(nss, n, k, (ns, i) => t.update(ns, `cm-${i}`, i + 1)));
  return rows;
}

export interface WatchRow {
  watchers: number;
  writes: number;
  /** Events expected (watchers × writes) and received in time. */
  expected: number;
  received: number;
  result: Summary;
  /** Why the row stopped early, if it did. */
  error?: string;
}

/**
 * Delivery latency: `watchers` streams on one namespace; each write (one at a time, the next only
 * once every watcher saw the previous one or after timeoutMs) is timed from request sent to each
 * watcher's receipt of the event, matched by object name.
 */
export async function watchLatency(
  t: Target,
  ns: string,
  watchers: number,
  writes: number,
  timeoutMs = 5_000,
): Promise<WatchRow> {
  await t.prepareNamespace(ns);
  const sentAt = new Map<string, number>();
  const samples: number[] = [];
  let waiting: { name: string; left: number; done: () => void } | undefined;
  const onEvent = (name: string) => {
    const t0 = sentAt.get(name);
    if (t0 === undefined) return;
    samples.push(now() - t0);
    if (waiting && waiting.name === name && --waiting.left === 0) waiting.done();
  };
  const streams: { close(): void; ended: Promise<void> }[] = [];
  let finished = false;
  try {
    // Open the streams a few at a time: a hundred at once would measure connection setup.
    for (let i = 0; i < watchers; i += 10) {
      streams.push(...(await Promise.all(Array.from({ length: Math.min(10, watchers - i) }, () => t.watch(ns, onEvent)))));
    }
    // A stream that ends early (the server restarted) would leave every later write waiting out its timeout.
    const lost = new Promise<never>((_, reject) => {
      for (const s of streams) void s.ended.then(() => finished || reject(new Error(`a ${t.label} watch stream ended during the run`)));
    });
    lost.catch(() => {});
    const start = now();
    for (let i = 0; i < writes; i++) {
      const name = `w-${i}`;
      let timer: NodeJS.Timeout | undefined;
      const all = new Promise<void>((done) => {
        waiting = { name, left: watchers, done };
        timer = setTimeout(done, timeoutMs);
      });
      sentAt.set(name, now());
      await Promise.race([t.create(ns, name, i), lost]);
      await Promise.race([all, lost]);
      clearTimeout(timer);
    }
    const wall = now() - start;
    finished = true;
    return { watchers, writes, expected: watchers * writes, received: samples.length, result: summarize(samples, wall) };
  } finally {
    finished = true;
    for (const s of streams) s.close();
  }
}
