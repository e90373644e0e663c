// Admission inside a namespace's store, where every write of the namespace is serialized: the
// registry calls admit() as the last step of validating an object it is about to write, so
// LimitRanger, PodSecurity and ResourceQuota see exactly the object that will be stored and the
// quotas as they are now. A quota's usage is charged right after the object's write commits
// (a store listener, same synchronous turn), so two writes can never both fit under one limit.
import { computeQOSClass, type PodSpec } from "../apis/core/v1/podspec.js";
import { limitRangeDef, type LimitRange } from "../apis/core/v1/limitrange.js";
import { resourceQuotaDef, type ResourceQuota } from "../apis/core/v1/resourcequota.js";
import { storageResourceOf, type KindDef, type KubeObject } from "../apis/types.js";
import type { Env } from "../env.js";
import { forbidden, internalError, invalid } from "../lib/status.js";
import { groupResource } from "../registry/kind-names.js";
import { kindStorage } from "../registry/kind-storage.js";
import type { Outcome, Target, WriteOptions } from "../registry/requests.js";
import type { Storage, StoredEvent } from "../storage/interface.js";
import { applyLimitRangeDefaults, validatePodLimits } from "./limitranger.js";
import { podTemplateOf, validateNamespaceLabels, validatePod, validatePodController, type PodSecurityDecision } from "./podsecurity/admission.js";
import { type ResourceList, fromWire, toWire } from "./resource-list.js";
import { checkRequest, type QuotaState } from "./resourcequota/check.js";
import { evaluatorFor, scopeSelectorsOf } from "./resourcequota/evaluators.js";
import { calculateUsage, trackedResources, type UsageSource } from "./resourcequota/usage.js";
import { clusterStore } from "../api/stores.js";
import { serviceAccountDef, type ServiceAccount } from "../apis/core/v1/serviceaccount.js";
import { admitPodServiceAccount } from "./serviceaccount.js";
import { addDefaultTolerations } from "./default-tolerations.js";
import { allocatePodCIDR, DEFAULT_CLUSTER_CIDR, DEFAULT_NODE_CIDR_MASK_SIZE } from "./node-ipam.js";
import { nodeDef } from "../apis/core/v1/node.js";

/** What the registry calls (GenericStore's constructor takes one). */
export interface Admitter {
  /** Admits `obj` (create when `old` is undefined); may mutate it; throws a StatusError to refuse. */
  admit(def: KindDef, obj: KubeObject, old?: KubeObject): void;
}

const QUOTAS = resourceQuotaDef as unknown as KindDef;
const LIMIT_RANGES = limitRangeDef as unknown as KindDef;
const SERVICE_ACCOUNTS = serviceAccountDef as unknown as KindDef;
const NODES = nodeDef as unknown as KindDef;

/** How long the namespace's labels, as last seen, serve the controllers' own pod creates. */
const LABELS_TTL_MS = 10_000;

interface PendingCharge {
  /** The admitted write: its storage resource, event type and name (a generated name may be drawn again). */
  resource: string;
  type: "ADDED" | "MODIFIED";
  name: string;
  generateName?: string;
  charges: Map<string, ResourceList>;
}

const isWriteOf = (p: PendingCharge, e: StoredEvent): boolean =>
  e.resource === p.resource && e.type === p.type && (e.name === p.name || (!!p.generateName && p.type === "ADDED" && e.name.startsWith(p.generateName)));

export class NamespaceAdmission {
  private labels: { labels: Record<string, string>; at: number } | undefined;
  private pending: PendingCharge | undefined;

  constructor(
    private readonly storage: Storage,
    /** The store's namespace when known ("" for the cluster store). */
    private namespace: string | undefined,
    private readonly now: () => number = Date.now,
    /** Node pod CIDRs (the cluster store): CLUSTER_CIDR and NODE_CIDR_MASK_SIZE. */
    readonly ipam: { clusterCIDR: string; nodeCIDRMaskSize: number } = { clusterCIDR: DEFAULT_CLUSTER_CIDR, nodeCIDRMaskSize: DEFAULT_NODE_CIDR_MASK_SIZE },
  ) {}

  /** The admission of one API request: the Worker passes the namespace's labels along. */
  request(t: Target, opts: WriteOptions): RequestAdmission {
    if (t.namespace) this.namespace ??= t.namespace;
    if (opts.namespaceLabels) this.labels = { labels: opts.namespaceLabels, at: this.now() };
    const labels = opts.namespaceLabels ?? this.labels?.labels;
    return new RequestAdmission(this, { subresource: t.subresource, labels: () => labels, api: true });
  }

  /** The admission of the controllers' own writes (pods a ReplicaSet creates): labels as last seen. */
  controllers(): RequestAdmission {
    return new RequestAdmission(this, { subresource: undefined, labels: () => this.labels?.labels, api: false });
  }

  /** Re-reads the namespace's labels from the cluster store when they are older than 10 s (before controllers run). */
  async refreshLabels(env: Env): Promise<void> {
    const ns = this.namespace;
    if (!ns || (this.labels && this.now() - this.labels.at < LABELS_TTL_MS)) return;
    try {
      const got = await clusterStore(env).get({ group: "", version: "v1", resource: "namespaces", namespace: "", name: ns });
      if (got.ok) this.labels = { labels: (got.body as KubeObject).metadata.labels ?? {}, at: this.now() };
      else if (got.status.code === 404) this.labels = { labels: {}, at: this.now() };
    } catch (e) {
      console.warn("admission: could not read namespace labels", ns, e instanceof Error ? e.message : e);
    }
  }

  // ---- used by RequestAdmission ----

  list<T = KubeObject>(def: KindDef): T[] {
    return kindStorage(this.storage, def).list().items as unknown as T[];
  }

  get<T = KubeObject>(def: KindDef, name: string): T | undefined {
    return kindStorage(this.storage, def).get(name) as unknown as T | undefined;
  }

  usageSource(): UsageSource {
    return { list: (def) => this.list(def), count: (def) => this.storage.count(storageResourceOf(def)) };
  }

  get currentNamespace(): string {
    return this.namespace ?? "";
  }

  clock(): number {
    return this.now();
  }

  /** Charges the quotas once the admitted object is written (never when the write fails). */
  chargeOnWrite(p: PendingCharge | undefined): void {
    this.pending = p;
  }

  /**
   * The store's write listener calls this after publishing each write: the admitted object's
   * write charges the quotas. Must come after the write's own event is published.
   */
  onStored(e: StoredEvent): void {
    const p = this.pending;
    if (!p || !isWriteOf(p, e)) return;
    this.pending = undefined;
    const quotas = kindStorage(this.storage, QUOTAS);
    for (const [name, used] of p.charges) {
      try {
        quotas.guaranteedUpdate(name, (cur) => {
          const next = structuredClone(cur!);
          next.status = { hard: (next.spec as ResourceQuota["spec"])?.hard ?? {}, used: toWire(used) };
          return next;
        });
      } catch (err) {
        // The quota went away; the controller recomputes the others on its next sync.
        console.warn("admission: could not charge quota", name, err instanceof Error ? err.message : err);
      }
    }
  }
}

/** One request's (or the controllers') admission: what it decided to report besides the answer. */
export class RequestAdmission implements Admitter {
  readonly warnings: string[] = [];
  readonly auditAnnotations: Record<string, string> = {};

  constructor(
    private readonly ns: NamespaceAdmission,
    private readonly attrs: { subresource?: string; labels: () => Record<string, string> | undefined; api: boolean },
  ) {}

  admit(def: KindDef, obj: KubeObject, old?: KubeObject): void {
    this.ns.chargeOnWrite(undefined);
    if (def.group === "" && def.kind === "Namespace") {
      const errs = validateNamespaceLabels(obj, old);
      if (errs.length) throw invalid(def.kind, def.group, obj.metadata.name ?? "", errs);
      return;
    }
    if (def.group === "" && def.kind === "Node" && !old && !this.attrs.subresource) allocatePodCIDR(obj, () => this.ns.list(NODES), this.ns.ipam.clusterCIDR, this.ns.ipam.nodeCIDRMaskSize);
    if (!def.namespaced) return;
    const name = obj.metadata.name ?? obj.metadata.generateName ?? "";
    const isPod = def.group === "" && def.kind === "Pod";
    const sub = this.attrs.subresource;
    if (isPod && !old && !sub) this.serviceAccount(def, obj as KubeObject & { spec: PodSpec }, name);
    if (isPod && !old && !sub) addDefaultTolerations(obj as KubeObject & { spec: PodSpec });
    if (isPod && !old && !sub) this.limitRanger(def, obj as KubeObject & { spec: PodSpec }, name);
    if (isPod) this.report(def, name, validatePod(this.attrs.labels(), obj, old, sub));
    else if (this.attrs.api) {
      const template = podTemplateOf(def, obj);
      if (template !== null) this.report(def, name, validatePodController(this.attrs.labels(), template, sub));
    }
    this.quota(def, obj, old, name);
  }

  /** The Outcome of the request with this admission's warnings and audit annotations. */
  outcome(o: Outcome): Outcome {
    this.ns.chargeOnWrite(undefined);
    const annotations = Object.keys(this.auditAnnotations).length ? { auditAnnotations: { ...this.auditAnnotations } } : {};
    if (!o.ok) return { ...o, ...annotations };
    const warnings = [...(o.warnings ?? []), ...this.warnings];
    return { ...o, ...(warnings.length ? { warnings } : {}), ...annotations };
  }

  /** ServiceAccount admission (first, as upstream's plugin order): default account, token volume. */
  private serviceAccount(def: KindDef, pod: KubeObject & { spec: PodSpec }, name: string): void {
    const ns = pod.metadata.namespace ?? this.ns.currentNamespace;
    const d = admitPodServiceAccount(pod, ns, (sa) => this.ns.get<ServiceAccount>(SERVICE_ACCOUNTS, sa));
    if (!d.ok) throw forbidden(groupResource(def), name, d.message);
    if (!d.mutated) return;
    // Mutating admission comes before validation upstream: validate the mutated pod again.
    const errs = def.validate?.(pod) ?? [];
    if (errs.length) throw invalid(def.kind, def.group, name, errs);
  }

  private limitRanger(def: KindDef, pod: KubeObject & { spec: PodSpec }, name: string): void {
    const ranges = this.ns.list<LimitRange>(LIMIT_RANGES);
    if (!ranges.length) return;
    if (applyLimitRangeDefaults(ranges, pod)) {
      // Defaults are admitted before validation upstream: validate the defaulted pod again.
      const errs = def.validate?.(pod) ?? [];
      if (errs.length) throw invalid(def.kind, def.group, name, errs);
      const status = pod.status as { qosClass?: string } | undefined;
      if (status) status.qosClass = computeQOSClass(pod.spec);
    }
    const refused = validatePodLimits(ranges, pod);
    if (refused) throw forbidden(groupResource(def), name, refused);
  }

  private report(def: KindDef, name: string, d: PodSecurityDecision): void {
    Object.assign(this.auditAnnotations, d.auditAnnotations);
    this.warnings.push(...d.warnings);
    if (d.lookupFailed) throw internalError(`failed to lookup namespace ${this.ns.currentNamespace}`);
    if (d.forbidden) throw forbidden(groupResource(def), name, d.forbidden);
  }

  private quota(def: KindDef, obj: KubeObject, old: KubeObject | undefined, name: string): void {
    const evaluator = evaluatorFor(def);
    if (!evaluator) return;
    const operation = old ? "UPDATE" : "CREATE";
    if (!evaluator.handles(operation, this.attrs.subresource)) return;
    const stored = this.ns.list<ResourceQuota>(QUOTAS);
    if (!stored.length) return;
    const now = this.ns.clock();
    const quotas: QuotaState[] = stored.map((q) => {
      const hard = fromWire(q.spec?.hard);
      let used = fromWire(q.status?.used);
      // A quota the controller has not synced yet (new, or new resources): count now, in this turn.
      if (trackedResources(Object.keys(hard)).some((r) => !(r in used))) used = { ...used, ...calculateUsage(q.spec, this.ns.usageSource(), now) };
      return { name: q.metadata.name ?? "", hard, used, scopes: scopeSelectorsOf(q.spec) };
    });
    const decision = checkRequest(evaluator, quotas, { operation, subresource: this.attrs.subresource, object: obj, old, now });
    if (!decision.allowed) throw forbidden(groupResource(def), name, decision.message);
    if (!decision.charges.size) return;
    const m = obj.metadata;
    this.ns.chargeOnWrite({ resource: storageResourceOf(def), type: old ? "MODIFIED" : "ADDED", name: m.name ?? "", generateName: m.generateName, charges: decision.charges });
  }
}
