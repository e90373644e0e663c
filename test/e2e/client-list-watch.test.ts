// Lists and watches through @kubernetes/client-node against a real `edgeplane up`: selectors,
// pagination over a consistent snapshot, watch from a resourceVersion and resume, bookmarks,
// selector transitions, 410 Expired after compaction, cross-namespace watches, informers.
//
// One instance for the file. It runs with a 1 s bookmark interval and aggressive compaction
// (every 64 writes of a store keeps only its newest 10 log rows), so each test keeps to its own
// namespace and writes fewer than 64 objects there, except the compaction test.
import { CoreV1Api, PatchStrategy, makeInformer, setHeaderOptions, type KubeConfig, type V1ConfigMap } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, kubeClient, startEdgeplane, type Edgeplane } from "./harness.js";
import { eventually, expectApiError, kubeClientIdentity, recordWatch, sleep, summary, uniq, type RecordedEvent } from "./helpers.js";

let h: Edgeplane;
let kc: KubeConfig;
/** A client that asks for uncompressed responses (the last describe compares it with the stock one). */
let wkc: KubeConfig;
let core: CoreV1Api;

beforeAll(async () => {
  // KUBE_ROOT_CA_CERT "": the tests count the ConfigMaps and events of fresh namespaces, so no kube-root-ca.crt.
  h = await startEdgeplane({ vars: { BOOKMARK_INTERVAL_SECONDS: "1", WATCH_LOG_MIN_AGE_SECONDS: "0", WATCH_LOG_MAX_ROWS: "10", KUBE_ROOT_CA_CERT: "" } });
  kc = kubeClient(h);
  wkc = kubeClientIdentity(h);
  core = kc.makeApiClient(CoreV1Api);
});
afterAll(async () => {
  await h?.stop();
});

async function namespace(prefix: string): Promise<string> {
  const ns = uniq(prefix);
  await core.createNamespace({ body: { metadata: { name: ns } } });
  return ns;
}

const cm = (name: string, labels?: Record<string, string>, data: Record<string, string> = {}) => ({ metadata: { name, labels }, data });
const names = (items: Array<{ metadata?: { name?: string } }>) => items.map((i) => i.metadata!.name!).sort();
const rvOf = (e: RecordedEvent) => Number(e.object.metadata.resourceVersion);

describe("list selectors", () => {
  let ns: string;
  beforeAll(async () => {
    ns = await namespace("sel");
    await core.createNamespacedConfigMap({ namespace: ns, body: cm("a", { env: "prod", tier: "web" }) });
    await core.createNamespacedConfigMap({ namespace: ns, body: cm("b", { env: "dev", tier: "web" }) });
    await core.createNamespacedConfigMap({ namespace: ns, body: cm("c", { env: "prod" }) });
    await core.createNamespacedConfigMap({ namespace: ns, body: cm("d") });
  });

  const cases: Array<[string, string[]]> = [
    ["env=prod", ["a", "c"]],
    ["env==prod", ["a", "c"]],
    ["env!=prod", ["b", "d"]], // != matches objects without the label
    ["env in (prod,dev)", ["a", "b", "c"]],
    ["env notin (prod)", ["b", "d"]],
    ["tier", ["a", "b"]],
    ["!tier", ["c", "d"]],
    ["env=prod,tier=web", ["a"]],
    ["env=prod,!tier", ["c"]],
    ["env in (staging)", []],
    ["", ["a", "b", "c", "d"]],
  ];
  for (const [selector, want] of cases) {
    it(`labelSelector ${JSON.stringify(selector)} → ${JSON.stringify(want)}`, async () => {
      const list = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: selector });
      expect(names(list.items)).toEqual(want);
    });
  }

  it("rejects a malformed label selector with 400", async () => {
    const s = await expectApiError(core.listNamespacedConfigMap({ namespace: ns, labelSelector: "env in prod" }), 400, "BadRequest");
    expect(s.message).toMatch(/unable to parse requirement|found 'prod', expected: '\('/);
  });

  it("selects pods by metadata.name, spec.nodeName and status.phase", async () => {
    const pns = await namespace("fields");
    const pod = (name: string, nodeName?: string) => ({ metadata: { name }, spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: "c", image: "nginx:1.25" }] } });
    await core.createNamespacedPod({ namespace: pns, body: pod("p1", "node-1") });
    await core.createNamespacedPod({ namespace: pns, body: pod("p2", "node-2") });
    await core.createNamespacedPod({ namespace: pns, body: pod("p3") });
    await core.patchNamespacedPodStatus(
      { name: "p1", namespace: pns, body: { status: { phase: "Running" } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    const sel = async (fieldSelector: string) => names((await core.listNamespacedPod({ namespace: pns, fieldSelector })).items);
    expect(await sel("metadata.name=p2")).toEqual(["p2"]);
    expect(await sel("metadata.name!=p2")).toEqual(["p1", "p3"]);
    expect(await sel("spec.nodeName=node-1")).toEqual(["p1"]);
    expect(await sel("spec.nodeName=")).toEqual(["p3"]); // unscheduled pods, as the scheduler asks
    expect(await sel("spec.nodeName!=")).toEqual(["p1", "p2"]);
    expect(await sel("status.phase=Running")).toEqual(["p1"]);
    expect(await sel("status.phase=Pending")).toEqual(["p2", "p3"]);
    expect(await sel("status.phase!=Running,spec.nodeName=node-2")).toEqual(["p2"]);
    expect(await sel(`metadata.namespace=${pns}`)).toEqual(["p1", "p2", "p3"]);
    // Across namespaces, as `kubectl get pods -A --field-selector spec.nodeName=node-1`.
    const all = await core.listPodForAllNamespaces({ fieldSelector: "spec.nodeName=node-1" });
    expect(all.items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`)).toEqual([`${pns}/p1`]);

    const s = await expectApiError(core.listNamespacedPod({ namespace: pns, fieldSelector: "spec.foo=bar" }), 400, "BadRequest");
    expect(s.message).toBe("field label not supported: spec.foo");
  });
});

describe("pagination", () => {
  it("returns every object exactly once over a consistent snapshot, whatever is written meanwhile", async () => {
    const ns = await namespace("page");
    for (let i = 0; i < 23; i++) await core.createNamespacedConfigMap({ namespace: ns, body: cm(`cm-${String(i).padStart(2, "0")}`, { i: String(i) }) });
    const full = await core.listNamespacedConfigMap({ namespace: ns });
    const snapshot = new Map(full.items.map((i) => [i.metadata!.name!, i.metadata!.resourceVersion!]));
    expect(snapshot.size).toBe(23);

    const first = await core.listNamespacedConfigMap({ namespace: ns, limit: 5 });
    expect(first.items).toHaveLength(5);
    expect(first.metadata?._continue).toBeTruthy();
    const listRv = first.metadata?.resourceVersion;
    expect(listRv).toBe(full.metadata?.resourceVersion);

    // Writes after the first page: none of them may show up in later pages.
    await core.createNamespacedConfigMap({ namespace: ns, body: cm("cm-99-late") });
    await core.createNamespacedConfigMap({ namespace: ns, body: cm("cm-00a-late") });
    await core.deleteNamespacedConfigMap({ name: "cm-20", namespace: ns });
    await core.patchNamespacedConfigMap(
      { name: "cm-15", namespace: ns, body: { data: { changed: "yes" } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );

    const seen: Array<{ name: string; rv: string; data?: Record<string, string> }> = first.items.map((i) => ({ name: i.metadata!.name!, rv: i.metadata!.resourceVersion!, data: i.data }));
    let cont = first.metadata?._continue;
    let pages = 1;
    while (cont) {
      const page = await core.listNamespacedConfigMap({ namespace: ns, limit: 5, _continue: cont });
      pages++;
      expect(page.metadata?.resourceVersion).toBe(listRv); // every page is the same snapshot
      expect(page.items.length).toBeLessThanOrEqual(5);
      for (const i of page.items) seen.push({ name: i.metadata!.name!, rv: i.metadata!.resourceVersion!, data: i.data });
      cont = page.metadata?._continue;
      expect(pages).toBeLessThan(10);
    }
    expect(pages).toBe(5); // 23 objects, 5 a page
    expect(seen.map((s) => s.name)).toEqual([...snapshot.keys()].sort()); // in name order, each once
    for (const s of seen) expect(s.rv).toBe(snapshot.get(s.name)); // as they were at the snapshot
    expect(seen.find((s) => s.name === "cm-15")?.data).toEqual({});

    // A fresh list sees the writes.
    const now = names((await core.listNamespacedConfigMap({ namespace: ns })).items);
    expect(now).toContain("cm-99-late");
    expect(now).not.toContain("cm-20");
  });

  it("paginates a list across namespaces too", async () => {
    const a = await namespace("pga");
    const b = await namespace("pgb");
    for (let i = 0; i < 4; i++) {
      await core.createNamespacedConfigMap({ namespace: a, body: cm(`x${i}`, { pg: "1" }) });
      await core.createNamespacedConfigMap({ namespace: b, body: cm(`y${i}`, { pg: "1" }) });
    }
    const got: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const page = await core.listConfigMapForAllNamespaces({ labelSelector: "pg=1", limit: 3, _continue: cont });
      for (const i of page.items) got.push(`${i.metadata?.namespace}/${i.metadata?.name}`);
      cont = page.metadata?._continue;
      if (pages === 0) await core.createNamespacedConfigMap({ namespace: b, body: cm("y9-late", { pg: "1" }) });
      pages++;
    } while (cont && pages < 10);
    expect(got.sort()).toEqual([...[0, 1, 2, 3].map((i) => `${a}/x${i}`), ...[0, 1, 2, 3].map((i) => `${b}/y${i}`)].sort());
  });

  it("reports remainingItemCount on a page of an unfiltered list (upstream does)", async () => {
    const ns = await namespace("remain");
    for (let i = 0; i < 4; i++) await core.createNamespacedConfigMap({ namespace: ns, body: cm(`r${i}`) });
    const page = await core.listNamespacedConfigMap({ namespace: ns, limit: 1 });
    expect(page.metadata?.remainingItemCount).toBe(3);
  });
});

describe("watch", () => {
  it("from a resourceVersion delivers exactly the later events, in order; resume gets only what follows", async () => {
    const ns = await namespace("watch");
    await core.createNamespacedConfigMap({ namespace: ns, body: cm("before") });
    const list = await core.listNamespacedConfigMap({ namespace: ns });
    const from = list.metadata!.resourceVersion!;
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const w = await recordWatch(kc, path, { resourceVersion: from });

    const a = await core.createNamespacedConfigMap({ namespace: ns, body: cm("a", undefined, { v: "1" }) });
    const a2 = await core.replaceNamespacedConfigMap({ name: "a", namespace: ns, body: { ...a, data: { v: "2" } } });
    const b = await core.createNamespacedConfigMap({ namespace: ns, body: cm("b") });
    await core.deleteNamespacedConfigMap({ name: "a", namespace: ns });
    await w.count(4);
    await sleep(200);
    w.stop();
    expect(summary(w.events)).toEqual([
      ["ADDED", "a"],
      ["MODIFIED", "a"],
      ["ADDED", "b"],
      ["DELETED", "a"],
    ]);
    const ev = w.events.filter((e) => e.type !== "BOOKMARK");
    expect(ev[0].object.metadata.resourceVersion).toBe(a.metadata!.resourceVersion);
    expect(ev[1].object.metadata.resourceVersion).toBe(a2.metadata!.resourceVersion);
    expect(ev[1].object.data).toEqual({ v: "2" });
    expect(ev[2].object.metadata.resourceVersion).toBe(b.metadata!.resourceVersion);
    // DELETED carries the last state at the revision of the delete.
    expect(rvOf(ev[3])).toBeGreaterThan(rvOf(ev[2]));
    expect(ev[3].object.data).toEqual({ v: "2" });
    expect(ev[3].object.metadata.uid).toBe(a.metadata!.uid);
    for (const e of ev) {
      expect(e.object.kind).toBe("ConfigMap");
      expect(e.object.apiVersion).toBe("v1");
    }

    // Resume from the second event: exactly events 3 and 4, then whatever comes next.
    const r = await recordWatch(kc, path, { resourceVersion: ev[1].object.metadata.resourceVersion });
    await r.count(2);
    await core.createNamespacedConfigMap({ namespace: ns, body: cm("c") });
    await r.count(3);
    await sleep(200);
    r.stop();
    expect(summary(r.events)).toEqual([
      ["ADDED", "b"],
      ["DELETED", "a"],
      ["ADDED", "c"],
    ]);

    // Resume from the last event received: only later events, no duplicates.
    const last = r.events.filter((e) => e.type !== "BOOKMARK").at(-1)!;
    const r2 = await recordWatch(kc, path, { resourceVersion: last.object.metadata.resourceVersion });
    await sleep(300);
    expect(summary(r2.events)).toEqual([]);
    await core.deleteNamespacedConfigMap({ name: "b", namespace: ns });
    await r2.count(1);
    await sleep(200);
    r2.stop();
    expect(summary(r2.events)).toEqual([["DELETED", "b"]]);
  });

  it("without a resourceVersion starts with ADDED for every existing object", async () => {
    const ns = await namespace("wstate");
    await core.createNamespacedConfigMap({ namespace: ns, body: cm("x") });
    await core.createNamespacedConfigMap({ namespace: ns, body: cm("y") });
    const w = await recordWatch(kc, `/api/v1/namespaces/${ns}/configmaps`, {});
    await w.count(2);
    await core.createNamespacedConfigMap({ namespace: ns, body: cm("z") });
    await w.count(3);
    await sleep(200);
    w.stop();
    expect(summary(w.events)).toEqual([
      ["ADDED", "x"],
      ["ADDED", "y"],
      ["ADDED", "z"],
    ]);
  });

  it("ends the stream after timeoutSeconds (namespaced and across namespaces)", async () => {
    const ns = await namespace("wtimeout");
    const from = (await core.listNamespacedConfigMap({ namespace: ns })).metadata!.resourceVersion!;
    const started = Date.now();
    const w = await recordWatch(kc, `/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: from, timeoutSeconds: 1 });
    const x = await recordWatch(kc, "/api/v1/configmaps", { timeoutSeconds: 1, labelSelector: "none-such" });
    await Promise.race([Promise.all([w.ended, x.ended]), sleep(8_000)]);
    expect(w.isEnded()).toBe(true);
    expect(x.isEnded()).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(summary(w.events)).toEqual([]);
  });

  it("sends BOOKMARKs only when allowed, carrying the current resourceVersion", async () => {
    const ns = await namespace("bm");
    const from = (await core.listNamespacedConfigMap({ namespace: ns })).metadata!.resourceVersion!;
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const withBm = await recordWatch(kc, path, { resourceVersion: from, allowWatchBookmarks: true });
    const without = await recordWatch(kc, path, { resourceVersion: from });
    await withBm.until((ev) => ev.some((e) => e.type === "BOOKMARK"), 5_000, "a bookmark");
    const created = await core.createNamespacedConfigMap({ namespace: ns, body: cm("after") });
    // A bookmark after the write carries at least the write's revision.
    await withBm.until(
      (ev) => ev.some((e) => e.type === "BOOKMARK" && rvOf(e) >= Number(created.metadata!.resourceVersion) && ev.indexOf(e) > ev.findIndex((x) => x.type === "ADDED")),
      5_000,
      "a bookmark after the write",
    );
    await sleep(300);
    withBm.stop();
    without.stop();
    const bms = withBm.events.filter((e) => e.type === "BOOKMARK");
    expect(bms.length).toBeGreaterThanOrEqual(2);
    for (const b of bms) {
      expect(b.object.kind).toBe("ConfigMap");
      expect(b.object.apiVersion).toBe("v1");
      expect(b.object.metadata.resourceVersion).toMatch(/^\d+$/);
      expect(rvOf(b)).toBeGreaterThanOrEqual(Number(from));
    }
    // Bookmark revisions never go backwards and never precede an event already sent.
    let max = 0;
    for (const e of withBm.events) {
      expect(rvOf(e)).toBeGreaterThanOrEqual(max);
      max = rvOf(e);
    }
    expect(summary(withBm.events)).toEqual([["ADDED", "after"]]);
    expect(without.events.map((e) => e.type)).toEqual(["ADDED"]);
  });

  it("with a label selector: DELETED when an object stops matching, ADDED when it matches again", async () => {
    const ns = await namespace("wsel");
    const from = (await core.listNamespacedConfigMap({ namespace: ns })).metadata!.resourceVersion!;
    const w = await recordWatch(kc, `/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: from, labelSelector: "app=web" });
    const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
    await core.createNamespacedConfigMap({ namespace: ns, body: cm("m", { app: "web" }) });
    await core.createNamespacedConfigMap({ namespace: ns, body: cm("other", { app: "db" }) });
    await core.patchNamespacedConfigMap({ name: "m", namespace: ns, body: { data: { k: "1" } } }, merge);
    const left = await core.patchNamespacedConfigMap({ name: "m", namespace: ns, body: { metadata: { labels: { app: "db" } } } }, merge);
    await core.patchNamespacedConfigMap({ name: "m", namespace: ns, body: { data: { k: "2" } } }, merge); // not matching: nothing
    await core.patchNamespacedConfigMap({ name: "m", namespace: ns, body: { metadata: { labels: { app: "web" } } } }, merge);
    await core.patchNamespacedConfigMap({ name: "other", namespace: ns, body: { data: { k: "1" } } }, merge); // never matches
    await core.deleteNamespacedConfigMap({ name: "m", namespace: ns });
    await w.count(5);
    await sleep(300);
    w.stop();
    expect(summary(w.events)).toEqual([
      ["ADDED", "m"],
      ["MODIFIED", "m"],
      ["DELETED", "m"],
      ["ADDED", "m"],
      ["DELETED", "m"],
    ]);
    const del = w.events.filter((e) => e.type !== "BOOKMARK")[2];
    // Upstream sends the last state that matched, at the revision of the change that made it leave.
    expect(del.object.metadata.labels).toEqual({ app: "web" });
    expect(del.object.metadata.resourceVersion).toBe(left.metadata!.resourceVersion);
    const readd = w.events.filter((e) => e.type !== "BOOKMARK")[3];
    expect(readd.object.data).toEqual({ k: "2" });
  });

  it("with a field selector: pods entering and leaving status.phase=Running", async () => {
    const ns = await namespace("wfield");
    const from = (await core.listNamespacedPod({ namespace: ns })).metadata!.resourceVersion!;
    const w = await recordWatch(kc, `/api/v1/namespaces/${ns}/pods`, { resourceVersion: from, fieldSelector: "status.phase=Running" });
    const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
    await core.createNamespacedPod({ namespace: ns, body: { metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "nginx:1.25" }] } } });
    await core.patchNamespacedPodStatus({ name: "p", namespace: ns, body: { status: { phase: "Running" } } }, merge);
    await core.patchNamespacedPodStatus({ name: "p", namespace: ns, body: { status: { phase: "Succeeded" } } }, merge);
    await w.count(2);
    await sleep(300);
    w.stop();
    expect(summary(w.events)).toEqual([
      ["ADDED", "p"],
      ["DELETED", "p"],
    ]);
    expect(w.events.filter((e) => e.type === "DELETED")[0].object.status.phase).toBe("Running");
  });

  it("from a compacted revision: one ERROR event with a 410 Expired Status; an old continue token gets 410 too", async () => {
    const ns = await namespace("compact");
    for (let i = 0; i < 72; i++) await core.createNamespacedConfigMap({ namespace: ns, body: cm(`c${String(i).padStart(2, "0")}`) });
    // The store compacted at its 64th write, keeping only the newest 10 log rows.
    const w = await recordWatch(kc, `/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: "1" });
    await w.count(1);
    await w.ended;
    expect(w.events).toHaveLength(1);
    expect(w.events[0].type).toBe("ERROR");
    expect(w.events[0].object).toMatchObject({ kind: "Status", apiVersion: "v1", status: "Failure", code: 410, reason: "Expired" });
    expect(w.events[0].object.message).toMatch(/too old resource version/);

    // A watch from a recent revision still works.
    const cur = (await core.listNamespacedConfigMap({ namespace: ns })).metadata!.resourceVersion!;
    const ok = await recordWatch(kc, `/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: cur });
    await core.createNamespacedConfigMap({ namespace: ns, body: cm("fresh") });
    await ok.count(1);
    ok.stop();
    expect(summary(ok.events)).toEqual([["ADDED", "fresh"]]);

    // A continue token whose snapshot revision has been compacted away: 410 Expired.
    const page = await core.listNamespacedConfigMap({ namespace: ns, limit: 5 });
    const token = page.metadata!._continue!;
    expect(token).toBeTruthy();
    const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
    for (let i = 0; i < 66; i++) {
      await core.patchNamespacedConfigMap({ name: `c${String(i % 72).padStart(2, "0")}`, namespace: ns, body: { data: { n: String(i) } } }, merge);
    }
    const s = await expectApiError(core.listNamespacedConfigMap({ namespace: ns, limit: 5, _continue: token }), 410, "Expired");
    expect(s.message).toContain("The provided continue parameter is too old to display a consistent list result.");

    // An exact list at a compacted revision: 410 as well.
    const exact = await api(h, "GET", `/api/v1/namespaces/${ns}/configmaps?resourceVersion=2&resourceVersionMatch=Exact`);
    expect(exact.status).toBe(410);
    expect(exact.body).toMatchObject({ kind: "Status", code: 410, reason: "Expired" });
  });

  it("across namespaces: picks up two namespaces and one created later, and resumes from its last event", async () => {
    const a = await namespace("xa");
    const b = await namespace("xb");
    const label = uniq("xw");
    const list = await core.listConfigMapForAllNamespaces({ labelSelector: `xw=${label}` });
    expect(list.items).toEqual([]);
    const from = list.metadata!.resourceVersion!;
    const w = await recordWatch(kc, "/api/v1/configmaps", { resourceVersion: from, labelSelector: `xw=${label}` });
    await sleep(300); // the fan-in opens one stream per namespace store
    await core.createNamespacedConfigMap({ namespace: a, body: cm("in-a", { xw: label }) });
    await core.createNamespacedConfigMap({ namespace: b, body: cm("in-b", { xw: label }) });
    await core.createNamespacedConfigMap({ namespace: b, body: cm("unlabelled") });
    const c = await namespace("xc"); // created after the watch started
    await eventually(async () => {
      await core.createNamespacedConfigMap({ namespace: c, body: cm("in-c", { xw: label }) });
    });
    await w.until((ev) => summary(ev).length >= 3, 10_000, "three ADDED");
    await sleep(300);
    const seen = w.events.filter((e) => e.type !== "BOOKMARK").map((e) => [e.type, `${e.object.metadata.namespace}/${e.object.metadata.name}`]);
    expect(seen).toEqual([
      ["ADDED", `${a}/in-a`],
      ["ADDED", `${b}/in-b`],
      ["ADDED", `${c}/in-c`],
    ]);
    const lastRv = w.events.filter((e) => e.type !== "BOOKMARK").at(-1)!.object.metadata.resourceVersion as string;
    w.stop();

    // Written while nobody watches; a resume from the last event's resourceVersion gets exactly these.
    await core.createNamespacedConfigMap({ namespace: a, body: cm("later-a", { xw: label }) });
    await core.deleteNamespacedConfigMap({ name: "in-c", namespace: c });
    const r = await recordWatch(kc, "/api/v1/configmaps", { resourceVersion: lastRv, labelSelector: `xw=${label}` });
    await r.until((ev) => summary(ev).length >= 2, 10_000, "two events");
    await sleep(500);
    r.stop();
    const resumed = r.events.filter((e) => e.type !== "BOOKMARK").map((e) => [e.type, `${e.object.metadata.namespace}/${e.object.metadata.name}`]);
    expect(resumed.sort()).toEqual([
      ["ADDED", `${a}/later-a`],
      ["DELETED", `${c}/in-c`],
    ].sort());
  });

  it("across namespaces: a plain resourceVersion from one namespace is refused with 410, not mixed up", async () => {
    const w = await recordWatch(kc, "/api/v1/configmaps", { resourceVersion: "1" });
    await w.until(() => w.isEnded() || w.events.length > 0, 5_000, "an answer");
    const err = w.events.find((e) => e.type === "ERROR");
    const ended = w.isEnded() ? await w.ended : undefined;
    w.stop();
    // Either an ERROR event with 410 or a 410 response; never a stream of events.
    if (err) expect(err.object).toMatchObject({ kind: "Status", code: 410, reason: "Expired" });
    else expect((ended as { statusCode?: number })?.statusCode).toBe(410);
  });
});

describe("watch with a stock client (gzip)", () => {
  // client-node (node-fetch) and kubectl (Go's transport) send Accept-Encoding: gzip. The watch
  // stream must still deliver each event as it happens: upstream never compresses watch
  // responses, and Cloudflare (or Miniflare) compressing JSON would hold events in the
  // compressor's buffer, so `kubectl get -w` and informers would see nothing.
  it("a stock client-node Watch receives each event as it happens", async () => {
    const ns = await namespace("gzip");
    const from = (await core.listNamespacedConfigMap({ namespace: ns })).metadata!.resourceVersion!;
    const w = await recordWatch(kc, `/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: from });
    try {
      await core.createNamespacedConfigMap({ namespace: ns, body: cm("one") });
      await w.count(1, { timeoutMs: 5_000 });
      expect(summary(w.events)).toEqual([["ADDED", "one"]]);
    } finally {
      w.stop();
    }
  });

  it("is served without compression to a client that does not ask for gzip", async () => {
    const ns = await namespace("nogzip");
    const from = (await core.listNamespacedConfigMap({ namespace: ns })).metadata!.resourceVersion!;
    const w = await recordWatch(wkc, `/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: from });
    await core.createNamespacedConfigMap({ namespace: ns, body: cm("one") });
    await w.count(1, { timeoutMs: 5_000 });
    w.stop();
    expect(summary(w.events)).toEqual([["ADDED", "one"]]);
  });
});

describe("informer", () => {
  it("reaches the right cache contents and reports add, update and delete", async () => {
    const ns = await namespace("inf");
    await core.createNamespacedConfigMap({ namespace: ns, body: cm("pre", undefined, { v: "0" }) });
    const informer = makeInformer<V1ConfigMap>(kc, `/api/v1/namespaces/${ns}/configmaps`, () => core.listNamespacedConfigMap({ namespace: ns }));
    const log: string[] = [];
    informer.on("add", (o) => log.push(`add ${o.metadata?.name}`));
    informer.on("update", (o) => log.push(`update ${o.metadata?.name}`));
    informer.on("delete", (o) => log.push(`delete ${o.metadata?.name}`));
    const errors: unknown[] = [];
    informer.on("error", (e) => errors.push(e));
    await informer.start();
    try {
      await eventually(() => expect(informer.list(ns).map((o) => o.metadata?.name)).toEqual(["pre"]));
      const merge = setHeaderOptions("Content-Type", PatchStrategy.MergePatch);
      await core.createNamespacedConfigMap({ namespace: ns, body: cm("one", undefined, { v: "1" }) });
      await core.createNamespacedConfigMap({ namespace: ns, body: cm("two", undefined, { v: "1" }) });
      await core.patchNamespacedConfigMap({ name: "one", namespace: ns, body: { data: { v: "2" } } }, merge);
      await core.deleteNamespacedConfigMap({ name: "pre", namespace: ns });
      const latest = await core.patchNamespacedConfigMap({ name: "two", namespace: ns, body: { data: { v: "3" } } }, merge);
      await eventually(() => {
        const items = informer.list(ns);
        expect(items.map((o) => o.metadata?.name).sort()).toEqual(["one", "two"]);
        expect(informer.get("one", ns)?.data).toEqual({ v: "2" });
        expect(informer.get("two", ns)?.data).toEqual({ v: "3" });
        expect(informer.get("two", ns)?.metadata?.resourceVersion).toBe(latest.metadata?.resourceVersion);
        expect(informer.get("pre", ns)).toBeUndefined();
      });
      expect(log).toEqual(["add pre", "add one", "add two", "update one", "delete pre", "update two"]);
      expect(errors).toEqual([]);
    } finally {
      await informer.stop();
    }
  });

  it("an informer across namespaces with a label selector", async () => {
    const a = await namespace("ia");
    const b = await namespace("ib");
    const label = uniq("inf");
    await core.createNamespacedConfigMap({ namespace: a, body: cm("x", { inf: label }) });
    const informer = makeInformer<V1ConfigMap>(
      kc,
      "/api/v1/configmaps",
      () => core.listConfigMapForAllNamespaces({ labelSelector: `inf=${label}` }),
      `inf=${label}`,
    );
    await informer.start();
    try {
      await eventually(() => expect(informer.list().map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`)).toEqual([`${a}/x`]));
      await sleep(300);
      await core.createNamespacedConfigMap({ namespace: b, body: cm("y", { inf: label }) });
      await core.createNamespacedConfigMap({ namespace: b, body: cm("z") });
      await core.deleteNamespacedConfigMap({ name: "x", namespace: a });
      await eventually(() => expect(informer.list().map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`)).toEqual([`${b}/y`]));
    } finally {
      await informer.stop();
    }
  });
});
