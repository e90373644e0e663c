// One NamespaceStore per namespace, one more for cluster-scoped objects: our etcd. The class
// only routes: storage is durable-objects/sqlite, semantics src/registry, watchers watch-hub.ts.
import { DurableObject } from "cloudflare:workers";
import { findKind } from "../src/apis/index.js";
import { type NodeReferences, nodeReferences } from "../src/auth/authorizers/node/references.js";
import type { Pod } from "../src/apis/core/v1/pod.js";
import { ControllerManager, type ControllerStats } from "../src/controllers/manager.js";
import { deleteAllContent, type ContentReport } from "../src/controllers/namespace/content.js";
import { clusterControllers, namespaceControllers } from "../src/controllers/registry.js";
import { storageResourceOf, type KindDef } from "../src/apis/types.js";
import type { Env } from "../src/env.js";
import { GenericStore } from "../src/registry/generic-store.js";
import { NamespaceAdmission, type RequestAdmission } from "../src/admission/namespace-admission.js";
import type { DeleteOptions, ListQuery, Outcome, PatchType, Target, WatchQuery, WriteOptions } from "../src/registry/requests.js";
import { StatusError, internalError, resourceNotFound } from "../src/lib/status.js";
import type { CompactionPolicy } from "../src/storage/interface.js";
import { LogStore } from "../src/storage/log-store.js";
import { encryptedAtRest, type EncryptingBackend, type RotationOutcome } from "../src/storage/encryption/backend.js";
import { errorForLog } from "../src/storage/encryption/log-safe.js";
import { tokenReferents, type ReferentQuery, type Referents } from "../src/auth/tokens/referents.js";
import { loadOrCreateSigningKey, type StoredSigningKey } from "../src/auth/tokens/keys.js";
import { ensureBootstrapPolicy } from "../src/auth/rbac/bootstrap.js";
import { rbacEvaluate, type RbacAnswer, type RbacQuery } from "../src/auth/rbac/store.js";
import { SqliteBackend } from "./sqlite/statements.js";
import { WatchHub } from "./watch-hub.js";
import { ownerTags, refuseExcessSocket, type WatchOwner } from "../src/limits/watches.js";
import { bindPod, type Binding } from "../src/registry/binding.js";
import { ChangeFeed } from "../src/controllers/cluster/change-feed.js";
import { bindAll, reportUnschedulable, SCHEDULER_NAME, type BindRequest, type Unschedulable, type WriteResult } from "../src/controllers/cluster/scheduling-writes.js";
import { EventRecorder } from "../src/controllers/runtime/events.js";
import { evictPods, TAINT_EVICTION_CONTROLLER } from "../src/controllers/cluster/eviction-writes.js";
import type { PodEviction } from "../src/controllers/nodelifecycle/types.js";
import { DEFAULT_CLUSTER_CIDR, DEFAULT_NODE_CIDR_MASK_SIZE } from "../src/admission/node-ipam.js";
import { NodePodIndex } from "../src/auth/authorizers/node/pod-index.js";
import { kindStorage } from "../src/registry/kind-storage.js";
import { clusterControllers as clusterControllersStub, clusterStore, namespaceStore } from "../src/api/stores.js";
import { type AddressRequest, type AddressReservation, type HeldAddresses, release, reserve } from "../src/registry/service-addresses/allocator.js";
import { serviceRanges } from "../src/registry/service-addresses/ranges.js";
import { releaseFor } from "../src/registry/service-addresses/release.js";
import { type HeldByUid, repairServiceAddresses } from "../src/registry/service-addresses/repair.js";
import { heldAddresses } from "../src/registry/service-addresses/needs.js";
import type { Status } from "../src/lib/status.js";

/** Compaction runs at most once per this many writes. */
const COMPACT_EVERY = 64;
/** Debounce of the controller alarm after a write: writes in a burst share one alarm. */
const ALARM_DEBOUNCE_MS = 20;

export class NamespaceStore extends DurableObject<Env> {
  private readonly backend: SqliteBackend;
  private readonly storage: LogStore;
  /** The medium as LogStore sees it: Secrets sealed on the way in, opened on the way out. */
  private readonly atRest: EncryptingBackend;
  private readonly hub: WatchHub;
  private writesSinceCompaction = 0;
  private readonly controllers: ControllerManager;
  /** LimitRanger, PodSecurity and ResourceQuota, run inside this store's writes (src/admission). */
  private readonly admission: NamespaceAdmission;
  /** The alarm this instance has set and not yet seen fire (undefined: none known). */
  private alarmAt: number | undefined;
  /** False until this instance's first alarm: the queue is in memory, so an alarm left by an evicted instance resyncs. */
  private ranAlarm = false;
  /** Pods, Nodes and node Leases as they change, for the scheduler and the node lifecycle controller. */
  private readonly feed: ChangeFeed;
  private schedulerEvents?: EventRecorder;
  private readonly podsByNode = new NodePodIndex();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.backend = new SqliteBackend(ctx.storage);
    this.atRest = encryptedAtRest(this.backend, env.ENCRYPTION_KEYS, ctx.id.toString());
    this.storage = new LogStore(this.atRest);
    this.hub = new WatchHub(
      this.storage,
      {
        bookmarkIntervalMs: Number(env.BOOKMARK_INTERVAL_SECONDS ?? "60") * 1000,
        defaultTimeoutMs: 30 * 60 * 1000,
      },
      (t) => kindOf(t),
      () => ctx.getWebSockets(),
    );
    const namespace = namespaceOfId(ctx.id);
    this.admission = new NamespaceAdmission(this.storage, namespace, Date.now, {
      clusterCIDR: env.CLUSTER_CIDR || DEFAULT_CLUSTER_CIDR,
      nodeCIDRMaskSize: Number(env.NODE_CIDR_MASK_SIZE) || DEFAULT_NODE_CIDR_MASK_SIZE,
    });
    const storeFor = (ns: string) => new GenericStore(this.storage, ns, undefined, this.admission.controllers());
    this.controllers = new ControllerManager({
      namespace,
      storeFor,
      controllers: (now) => (namespace === "" ? clusterControllers : namespaceControllers)({ storeFor, now, env }),
    });
    this.feed = new ChangeFeed((changes) => clusterControllersStub(env)?.changed(changes) ?? Promise.resolve());
    this.storage.subscribe((e) => {
      this.hub.publish(e);
      const ns = namespace ?? e.object.metadata.namespace ?? "";
      if (env.CLUSTER_CONTROLLERS) this.feed.add(e, ns);
      this.podsByNode.onStored(e);
      // Only enqueue here: this runs inside writes, including the controllers' own.
      this.armAlarm(this.controllers.onStoredEvent(e));
      if (++this.writesSinceCompaction >= COMPACT_EVERY) {
        this.writesSinceCompaction = 0;
        queueMicrotask(() => this.compact());
      }
      // Cluster IPs and node ports a Service stopped holding go back to the allocator.
      const freed = releaseFor(e);
      if (freed) void clusterStore(env).releaseServiceAddresses(freed.uid, freed.keep, freed.values).catch((err: unknown) => console.warn("service addresses: release failed (the repair frees them)", err instanceof Error ? err.message : err));
      // Last: a quota charge is a write of its own, published after this one.
      this.admission.onStored(e);
    });
  }

  // ---- RPC: one method per verb; every answer is an Outcome value ----

  async get(t: Target): Promise<Outcome> {
    return run(() => ({ code: 200, body: this.registry(t).get(kindOf(t), t.name!, t.subresource) }));
  }

  async list(t: Target, q: ListQuery): Promise<Outcome> {
    return run(() => ({ code: 200, body: this.registry(t).list(kindOf(t), q) }));
  }

  async create(t: Target, body: unknown, opts: WriteOptions): Promise<Outcome> {
    const a = this.admission.request(t, opts);
    return a.outcome(run(() => this.registry(t, a).create(kindOf(t), body, opts)));
  }

  async update(t: Target, body: unknown, opts: WriteOptions): Promise<Outcome> {
    const a = this.admission.request(t, opts);
    return a.outcome(run(() => this.registry(t, a).update(kindOf(t), t.name!, body, t.subresource, opts)));
  }

  async patch(t: Target, type: PatchType, patch: unknown, opts: WriteOptions): Promise<Outcome> {
    const a = this.admission.request(t, opts);
    return a.outcome(run(() => this.registry(t, a).patch(kindOf(t), t.name!, type, patch, t.subresource, opts)));
  }

  async delete(t: Target, opts: DeleteOptions): Promise<Outcome> {
    return run(() => this.registry(t).delete(kindOf(t), t.name!, opts));
  }

  async deleteCollection(t: Target, q: ListQuery, opts: DeleteOptions): Promise<Outcome> {
    return run(() => this.registry(t).deleteCollection(kindOf(t), q, opts));
  }

  /** POST pods/NAME/binding (src/registry/binding.ts). */
  async bind(namespace: string, binding: Binding, dryRun = false): Promise<Outcome> {
    return run(() => bindPod(this.storage, kindOf({ group: "", version: "v1", resource: "pods", namespace }), namespace, binding, Date.now(), dryRun));
  }

  /** The scheduler's bindings in this namespace, one round at a time. */
  async bindPods(namespace: string, reqs: BindRequest[]): Promise<WriteResult[]> {
    return bindAll(this.storage, new GenericStore(this.storage, namespace), namespace, reqs, this.schedulerRecorder(), Date.now());
  }

  /** The scheduler's answer for pods that fit nowhere: the Unschedulable condition and a FailedScheduling event. */
  async reportUnschedulable(namespace: string, items: Unschedulable[]): Promise<WriteResult[]> {
    return reportUnschedulable(new GenericStore(this.storage, namespace), items, this.schedulerRecorder(), Date.now());
  }

  /** Taint-based eviction (node lifecycle controller): condition, event, graceful delete. */
  async evictPods(namespace: string, evictions: PodEviction[]): Promise<WriteResult[]> {
    this.evictionEvents ??= new EventRecorder({ component: TAINT_EVICTION_CONTROLLER, now: Date.now });
    return evictPods(new GenericStore(this.storage, namespace), evictions, this.evictionEvents, Date.now());
  }

  private evictionEvents?: EventRecorder;

  private schedulerRecorder(): EventRecorder {
    return (this.schedulerEvents ??= new EventRecorder({ component: SCHEDULER_NAME, now: Date.now }));
  }

  /** The namespace controller's request: delete everything this namespace's store holds, report what remains. */
  async deleteAllContent(namespace: string): Promise<ContentReport> {
    return deleteAllContent(new GenericStore(this.storage, namespace));
  }

  /** Enqueue every controller key of this store (the Worker's cron resync); the cluster store also repairs the Service address records. */
  async resync(namespace?: string): Promise<void> {
    this.armAlarm(this.controllers.resyncAll(namespace));
    if (namespaceOfId(this.ctx.id) === "") {
      const report = await repairServiceAddresses(this.storage, (ns) => namespaceStore(this.env, ns).serviceAddresses(), Date.now());
      if (report.freed) console.log(`service addresses: the repair freed ${report.freed} of ${report.checked} records`);
    }
  }

  /** Reserves a Service's cluster IP and node ports (cluster store; src/registry/service-addresses). */
  async reserveServiceAddresses(req: AddressRequest): Promise<{ ok: true; reservation: AddressReservation } | { ok: false; status: Status }> {
    try {
      return { ok: true, reservation: reserve(this.storage, { ranges: serviceRanges(this.env), now: Date.now }, req) };
    } catch (e) {
      if (e instanceof StatusError) return { ok: false, status: e.status };
      throw e;
    }
  }

  /** Frees what Service `uid` holds beyond `keep` (cluster store). */
  async releaseServiceAddresses(uid: string, keep: HeldAddresses, values: HeldAddresses): Promise<number> {
    return release(this.storage, uid, keep, values);
  }

  /** What this namespace's Services hold, by uid (the allocator's repair). */
  async serviceAddresses(): Promise<HeldByUid> {
    const out: HeldByUid = {};
    for (const svc of this.storage.list("services").items) out[svc.metadata.uid!] = heldAddresses(svc as never);
    return out;
  }

  /** Runs the due controller keys, then re-arms for the next due key. */
  async alarm(): Promise<void> {
    this.alarmAt = undefined;
    if (!this.ranAlarm) {
      this.ranAlarm = true;
      this.controllers.resyncAll();
    }
    await this.admission.refreshLabels(this.env);
    const summary = await this.controllers.runDue(Date.now());
    for (const err of summary.errors) console.warn("reconcile failed", err.item, err.error instanceof Error ? err.error.message : err.error);
    this.armAlarm(this.controllers.nextDueAt());
  }

  /** Re-encrypts this store's Secrets and their watch-log rows under the first key of ENCRYPTION_KEYS (`edgeplane secrets rotate`). */
  async rotateEncryption(): Promise<RotationOutcome> {
    return this.atRest.rotate();
  }

  /** The service-account token authenticator's check: do the account and its bound pod or secret still exist. */
  async tokenReferents(namespace: string, q: ReferentQuery): Promise<Referents> {
    return tokenReferents(new GenericStore(this.storage, namespace), q);
  }

  /** The token signing key (called on the cluster store only), made on first use; no API path reads it. */
  async serviceAccountSigningKey(): Promise<StoredSigningKey> {
    return loadOrCreateSigningKey(this.ctx.storage);
  }

  /** RBAC: the decision on a request, or the rules, from this store's bindings (src/auth/rbac). */
  async rbacEvaluate(q: RbacQuery): Promise<RbacAnswer> {
    return rbacEvaluate(this.storage, q);
  }

  /** Creates or tops up the default ClusterRoles and ClusterRoleBindings (cluster store). */
  async ensureRbacDefaults(): Promise<void> {
    ensureBootstrapPolicy(this.storage);
  }

  /** The store's current revision, for composite resourceVersions across namespaces. */
  async revision(): Promise<number> {
    return this.storage.currentRevision();
  }

  /** Compacts the watch log now with the given policy (tests and operators; normally every 64 writes). */
  async compactNow(policy: CompactionPolicy): Promise<number> {
    return this.storage.compact(policy, Date.now());
  }

  /** What the pods of this namespace bound to `node` reference (the Node authorizer's graph). */
  async nodeReferences(node: string): Promise<NodeReferences> {
    const pods = kindStorage(this.storage, findKind("", "v1", "pods")!);
    const names = this.podsByNode.podsOn(node, () => pods.list().items);
    return nodeReferences(names.map((n) => pods.get(n)).filter((p) => p !== undefined) as unknown as Pod[], node);
  }

  /** The controllers' counters (reconciles per controller, conflicts, failures, queue depth). */
  async controllerStats(): Promise<ControllerStats> {
    return this.controllers.stats();
  }

  /** Sizes for the memory benchmark. */
  async stats(): Promise<{ revision: number; compacted: number; databaseBytes: number; watchers: number; sockets: number }> {
    return {
      revision: this.storage.currentRevision(),
      compacted: this.storage.compactedRevision(),
      databaseBytes: this.backend.databaseSize(),
      watchers: this.hub.size,
      sockets: this.ctx.getWebSockets().length,
    };
  }

  /**
   * Streams: watches (chunked HTTP or a WebSocket upgrade) and lists without a limit. The
   * Worker puts target and query in a header.
   */
  async fetch(request: Request): Promise<Response> {
    const list = request.headers.get("x-edgeplane-list");
    if (list) return this.streamList(JSON.parse(list));
    const spec = request.headers.get("x-edgeplane-watch");
    if (!spec) return new Response("not found", { status: 404 });
    const { target, query, owner } = JSON.parse(spec) as { target: Target; query: WatchQuery; owner?: WatchOwner };
    let def: KindDef;
    try {
      def = kindOf(target);
    } catch (e) {
      return statusResponse(e);
    }
    try {
      if (request.headers.get("upgrade")?.toLowerCase() === "websocket") {
        const refused = refuseExcessSocket(this.ctx, owner);
        if (refused) return refused;
        const pair = new WebSocketPair();
        this.ctx.acceptWebSocket(pair[1], [storageResourceOf(def), ...ownerTags(owner)]);
        this.hub.openSocket(pair[1], def, target, query);
        return new Response(null, { status: 101, webSocket: pair[0] });
      }
      return this.hub.openStream(def, query);
    } catch (e) {
      return statusResponse(e);
    }
  }

  async webSocketMessage(): Promise<void> {
    // Watch sockets are one-way; anything a client sends is ignored, as upstream does.
  }

  async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    try {
      ws.close(code === 1005 ? 1000 : code, "closed");
    } catch {
      // already closed
    }
  }

  /** A list written page by page; compaction waits while one is being sent, so its snapshot stays readable. */
  private streamList(spec: { target: Target; query: ListQuery; itemsOnly?: boolean }): Response {
    let chunks: Generator<string>;
    try {
      const pageSize = Number(this.env.LIST_PAGE_SIZE ?? "500");
      ({ chunks } = this.registry(spec.target).listChunks(kindOf(spec.target), spec.query, { itemsOnly: spec.itemsOnly, pageSize }));
    } catch (e) {
      return statusResponse(e);
    }
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const enc = new TextEncoder();
    this.listsInFlight++;
    void (async () => {
      try {
        for (const chunk of chunks) await writer.write(enc.encode(chunk));
        await writer.close();
      } catch (e) {
        await writer.abort(e).catch(() => undefined);
      } finally {
        this.listsInFlight--;
      }
    })();
    return new Response(readable, { headers: { "content-type": "application/json" } });
  }

  private listsInFlight = 0;

  /** Sets the alarm ~20 ms out (or at `due` if later) unless an earlier one is already set. */
  private armAlarm(due: number | undefined): void {
    if (due === undefined) return;
    const at = Math.max(Date.now() + ALARM_DEBOUNCE_MS, due);
    if (this.alarmAt !== undefined && this.alarmAt <= at) return;
    this.alarmAt = at;
    void this.ctx.storage.setAlarm(at);
  }

  private registry(t: Target, admission?: RequestAdmission): GenericStore {
    return new GenericStore(this.storage, t.namespace, undefined, admission);
  }

  private compact(): void {
    if (this.listsInFlight > 0) return;
    this.storage.compact(
      {
        minAgeMs: Number(this.env.WATCH_LOG_MIN_AGE_SECONDS ?? "300") * 1000,
        maxRows: Number(this.env.WATCH_LOG_MAX_ROWS ?? "10000"),
      },
      Date.now(),
    );
  }
}

/**
 * `ns/<name>` ids hold a namespace and `cluster` the cluster-scoped objects ("" here); the
 * runtime gives the name back for idFromName ids (undefined: learnt from the objects stored).
 */
function namespaceOfId(id: DurableObjectId): string | undefined {
  const name = (id as { name?: string }).name;
  if (name === "cluster") return "";
  return name?.startsWith("ns/") ? name.slice(3) : undefined;
}

function kindOf(t: Target): KindDef {
  const def = findKind(t.group, t.version, t.resource);
  if (!def) throw resourceNotFound();
  return def;
}

function run(fn: () => { code: number; body: unknown; warnings?: string[] }): Outcome {
  try {
    const r = fn();
    return { ok: true, code: r.code, body: r.body, warnings: r.warnings };
  } catch (e) {
    if (e instanceof StatusError) return { ok: false, status: e.status };
    console.error("store error", errorForLog(e));
    return { ok: false, status: internalError(e instanceof Error ? e.message : String(e)).status };
  }
}

function statusResponse(e: unknown): Response {
  const status = e instanceof StatusError ? e.status : internalError(String(e)).status;
  return new Response(JSON.stringify(status), { status: status.code, headers: { "content-type": "application/json" } });
}
