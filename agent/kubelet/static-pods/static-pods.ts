// A node's static pods (`edgeplane agent --manifests DIR`): pods the kubelet runs from files,
// without the control plane, each shown in the API as a mirror pod. The pods come from the
// manifest source alone, so they run while the control plane is unreachable; keeping mirror
// pods in line (create, recreate when deleted or stale, delete when the file goes, copy the
// status) is retried per pod with backoff on the side, and never holds a static pod back.
import type { Pod } from "../../../src/apis/core/v1/pod.js";
import type { ApiClient } from "../../client/api-client.js";
import { describe, isTransient } from "../../client/errors.js";
import type { Logger } from "../../log.js";
import { podStatusDigest } from "../pod-status.js";
import { PodWorkers, type SyncResult } from "../pod-workers.js";
import { DEFAULT_RESCAN_MS, ManifestSource } from "./manifest-source.js";
import { isMirrorPod, isMirrorPodOf, MirrorClient } from "./mirror-client.js";

type PodStatus = NonNullable<Pod["status"]>;

/** How soon to look again when the mirror pod cannot be made yet (the Node is not registered). */
const NOT_YET_MS = 2000;
/** The pause between deleting a mirror pod someone deleted and making it again. */
const RECREATE_AFTER_DELETE_MS = 1000;

export interface StaticPodsOptions {
  dir: string;
  nodeName: string;
  client: ApiClient;
  log: Logger;
  /** The Node's uid once registered ("" before): the mirror pods' owner. */
  nodeUid: () => string;
  /** A static pod appeared, changed (new uid) or went away: the kubelet syncs this key. */
  onChange(key: string): void;
  /** How often the directory is read again and mirror pods are checked (default 20 s). */
  rescanMs?: number;
}

/** The mirror pod the node last made or saw for a static pod, and the digest of the status last written to it. */
interface MirrorRecord {
  uid: string;
  postedDigest?: string;
}

const keyOf = (pod: Pick<Pod, "metadata">) => `${pod.metadata.namespace ?? ""}/${pod.metadata.name ?? ""}`;

export class StaticPods {
  private pods = new Map<string, Pod>();
  /** The status the kubelet computed for each static pod (by key), with the uid it is for. */
  private readonly statuses = new Map<string, { uid: string; status: PodStatus }>();
  private readonly mirrors = new Map<string, MirrorRecord>();
  /** Mirror pods someone deleted are made again only after this time (ms). */
  private readonly holdUntil = new Map<string, number>();
  /** Keys whose mirror pod may need work: static pods, and mirror pods whose static pod went. */
  private readonly tracked = new Set<string>();
  private readonly source: ManifestSource;
  private readonly api: MirrorClient;
  private readonly workers: PodWorkers;
  /** The last error of each key whose mirror sync is failing (its retry is already scheduled with backoff). */
  private readonly lastErrors = new Map<string, string>();
  private started = false;

  constructor(private readonly o: StaticPodsOptions) {
    this.api = new MirrorClient(o.client);
    this.source = new ManifestSource({ dir: o.dir, nodeName: o.nodeName, log: o.log, rescanMs: o.rescanMs ?? DEFAULT_RESCAN_MS, onScan: (pods) => this.onScan(pods) });
    this.workers = new PodWorkers({
      sync: (key) => this.syncMirror(key),
      onError: (key, err) => {
        // Said once per problem: the control plane being away is Connectivity's to report.
        const message = describe(err);
        const said = this.lastErrors.get(key) === message;
        this.lastErrors.set(key, message);
        if (isTransient(err) || said) return;
        this.o.log.error(`✗ node ${this.o.nodeName}: mirror pod ${key}: ${message}`);
      },
    });
  }

  /** Reads the manifests (the static pods are known when this resolves); mirror pods follow in the background. */
  async start(): Promise<void> {
    await this.source.start();
    this.started = true;
    for (const key of this.tracked) this.workers.update(key);
  }

  async stop(): Promise<void> {
    await this.source.stop();
    this.workers.stop();
    await this.workers.drain();
  }

  /** The static pod with this namespace/name key, as the kubelet should run it (undefined if none). */
  get(key: string): Pod | undefined {
    const pod = this.pods.get(key);
    if (!pod) return undefined;
    const st = this.statuses.get(key);
    return st && st.uid === pod.metadata.uid ? { ...pod, status: st.status } : pod;
  }

  keys(): string[] {
    return [...this.pods.keys()];
  }

  /** Whether an API pod is the mirror of a static pod (the kubelet must not run it as a normal pod). */
  isMirror(pod: Pod): boolean {
    return isMirrorPod(pod);
  }

  /**
   * The kubelet's informer saw a mirror pod of this node change (or go): make the mirror right
   * again if it was deleted, marked for deletion, stale, or has no static pod any more. Echoes of
   * the node's own writes cost nothing.
   */
  mirrorChanged(pod: Pod, deleted: boolean): void {
    if (!isMirrorPod(pod)) return;
    const key = keyOf(pod);
    const mine = this.mirrors.get(key);
    const staticPod = this.pods.get(key);
    if (deleted) {
      if (mine?.uid !== pod.metadata.uid) return;
      this.mirrors.delete(key);
    } else if (staticPod && mine?.uid === pod.metadata.uid && isMirrorPodOf(pod, staticPod) && !pod.metadata.deletionTimestamp) {
      return;
    }
    // An orphan is only known to be one once the manifests have been read.
    if (!staticPod && !this.started) return;
    this.tracked.add(key);
    this.workers.update(key);
  }

  /** Called by the kubelet with the status it computed for a static pod; the mirror pod's status is patched (only when changed). */
  async reportStatus(key: string, status: PodStatus): Promise<void> {
    const pod = this.pods.get(key);
    if (!pod) return;
    this.statuses.set(key, { uid: pod.metadata.uid ?? "", status });
    const mirror = this.mirrors.get(key);
    if (!mirror) return; // written once the mirror pod exists
    try {
      await this.postStatus(key, mirror, status);
    } catch {
      // The mirror sync retries with backoff (and writes the status then).
      this.workers.update(key);
    }
  }

  private onScan(pods: ReadonlyMap<string, Pod>): void {
    const before = this.pods;
    this.pods = new Map(pods);
    const changed = new Set<string>();
    for (const [key, pod] of pods) {
      this.tracked.add(key);
      if (before.get(key)?.metadata.uid !== pod.metadata.uid) changed.add(key);
    }
    for (const key of before.keys()) {
      if (pods.has(key)) continue;
      this.statuses.delete(key);
      changed.add(key);
    }
    for (const key of changed) this.o.onChange(key);
    if (!this.started) return;
    // Every scan also checks the mirror pods (the resync of what the informer missed), except
    // those failing, whose retry waits for its backoff; a changed static pod is tried at once.
    for (const key of this.tracked) if (changed.has(key) || !this.lastErrors.has(key)) this.workers.update(key);
  }

  /** Brings the mirror pod of one key in line with its static pod (or removes it). */
  private async syncMirror(key: string): Promise<SyncResult | void> {
    const slash = key.indexOf("/");
    const [namespace, name] = [key.slice(0, slash), key.slice(slash + 1)];
    let pod = this.pods.get(key);
    let mirror = await this.api.get(namespace, name);
    if (mirror && !isMirrorPod(mirror)) {
      // upstream leaves a pod that is not a mirror alone; the static pod runs without a mirror.
      this.mirrors.delete(key);
      if (!pod) return void this.tracked.delete(key);
      throw new Error(`pod ${key} exists and is not a mirror pod: the static pod runs without one`);
    }
    if (mirror && (!pod || mirror.metadata.deletionTimestamp || !isMirrorPodOf(mirror, pod))) {
      await this.api.delete(mirror);
      this.mirrors.delete(key);
      // Someone deleted the mirror pod: make it again a moment later, so that the `kubectl delete`
      // waiting for it to go sees it go rather than its successor under the same name.
      if (mirror.metadata.deletionTimestamp) this.holdUntil.set(key, Date.now() + RECREATE_AFTER_DELETE_MS);
      mirror = undefined;
    }
    pod = this.pods.get(key); // the manifests may have changed while the API answered
    if (!pod) {
      this.tracked.delete(key);
      this.lastErrors.delete(key);
      this.holdUntil.delete(key);
      return;
    }
    if (!mirror) {
      const wait = (this.holdUntil.get(key) ?? 0) - Date.now();
      if (wait > 0) return { requeueAfterMs: wait };
      this.holdUntil.delete(key);
      const uid = this.o.nodeUid();
      if (!uid) return { requeueAfterMs: NOT_YET_MS };
      mirror = await this.api.create(pod, { name: this.o.nodeName, uid });
      // The name is taken by a pod this node cannot see (bound to another node, or to none).
      if (!mirror) throw new Error(`cannot create the mirror pod: a pod named ${key} exists and is not bound to this node`);
    }
    const cur = this.mirrors.get(key);
    const record: MirrorRecord = cur && cur.uid === mirror.metadata.uid ? cur : { uid: mirror.metadata.uid ?? "" };
    this.mirrors.set(key, record);
    this.lastErrors.delete(key);
    const st = this.statuses.get(key);
    if (st && st.uid === pod.metadata.uid) await this.postStatus(key, record, st.status, mirror.status);
  }

  /**
   * Patches the mirror pod's status when it differs from what it has (`current`, when just read)
   * or else from what was last written to it.
   */
  private async postStatus(key: string, mirror: MirrorRecord, status: PodStatus, current?: PodStatus): Promise<void> {
    const digest = podStatusDigest(status);
    if ((current ? podStatusDigest(current) : mirror.postedDigest) === digest) {
      mirror.postedDigest = digest;
      return;
    }
    const slash = key.indexOf("/");
    const ok = await this.api.patchStatus({ namespace: key.slice(0, slash), name: key.slice(slash + 1), uid: mirror.uid }, status);
    if (ok) {
      mirror.postedDigest = digest;
      return;
    }
    // The mirror pod went or was replaced: make it again.
    if (this.mirrors.get(key) === mirror) this.mirrors.delete(key);
    this.workers.update(key);
  }
}
