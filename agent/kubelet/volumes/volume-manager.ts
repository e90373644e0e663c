// The kubelet's volume manager for the volume types a node without storage drivers can offer:
// each pod's volumes live under <rootDir>/pods/<uid>/volumes/<plugin>/<name> (upstream's layout
// and plugin names), API-data volumes are rewritten atomically when their source changes, and
// projected ServiceAccount tokens are renewed before they expire. The runtime bind-mounts what
// mountsFor returns.
import { promises as fs } from "node:fs";
import * as path from "node:path";
import type { Pod } from "../../../src/apis/core/v1/pod.js";
import type { Container, Volume } from "../../../src/apis/core/v1/podspec.js";
import { volumeSourceKeys } from "../../../src/apis/core/v1/podspec.js";
import type { Logger } from "../../log.js";
import type { Mount } from "../../runtimes/runtime.js";
import { ContainerConfigError } from "../env/errors.js";
import type { PodRuntimeFields } from "../env/field-path.js";
import type { ResourceList } from "../env/resource-field.js";
import { type Payload, writeAtomically } from "./atomic-writer.js";
import { PodVolumesError, VolumeError } from "./errors.js";
import { checkHostPathType } from "./host-path.js";
import { cachingObjectSource } from "./object-cache.js";
import type { ObjectSource } from "./object-source.js";
import { type DownwardAPIVolumeFile, type ProjectionContext, configMapPayload, downwardAPIPayload, projectedPayload, secretPayload } from "./projection.js";
import { expandSubPathExpr, prepareSubPath } from "./subpath.js";
import { TokenManager } from "./token-manager.js";

/** Upstream's plugin directory names (kubernetes.io/empty-dir with the slash escaped). */
export const PLUGIN_DIRS = {
  emptyDir: "kubernetes.io~empty-dir",
  configMap: "kubernetes.io~configmap",
  secret: "kubernetes.io~secret",
  downwardAPI: "kubernetes.io~downward-api",
  projected: "kubernetes.io~projected",
} as const;

type DirPlugin = keyof typeof PLUGIN_DIRS;
type Kind = DirPlugin | "hostPath";
const KINDS: Kind[] = ["emptyDir", "hostPath", "configMap", "secret", "downwardAPI", "projected"];
/** API-data volumes are always mounted read-only (upstream's ReadOnlyAPIDataVolumes). */
const READ_ONLY_KINDS = new Set<Kind>(["configMap", "secret", "downwardAPI", "projected"]);

export interface VolumeManagerOptions {
  rootDir: string;
  source: ObjectSource;
  nodeName: string;
  hostIP: () => string;
  log: Logger;
  /** Token lifetimes and the timestamped directories' names. */
  now?: () => number;
  /** The token refresh jitter's randomness (tests pin it). */
  random?: () => number;
  /** What resourceFieldRef reports for a limit a container does not set. */
  nodeAllocatable?: () => ResourceList | undefined;
  /** How long a ConfigMap or Secret read is reused across pods and syncs; 0 reads every time. Default 10 s. */
  objectCacheTtlMs?: number;
}

function kindOf(v: Volume): Kind | undefined {
  return KINDS.find((k) => v[k] !== undefined && v[k] !== null);
}

/** The first volume source a volume names, for the message about one this node does not offer. */
function sourceName(v: Volume): string {
  return volumeSourceKeys.find((k) => (v as Record<string, unknown>)[k] != null) ?? "unknown";
}

export class VolumeManager {
  readonly tokens: TokenManager;
  private readonly source: ObjectSource;
  private readonly now: () => number;

  constructor(private readonly o: VolumeManagerOptions) {
    this.now = o.now ?? Date.now;
    this.source = cachingObjectSource(o.source, o.objectCacheTtlMs ?? 10_000, this.now);
    this.tokens = new TokenManager({ source: o.source, now: this.now, random: o.random, log: o.log });
  }

  podDir(podUid: string): string {
    return path.join(this.o.rootDir, "pods", podUid);
  }

  /** Where a volume of the pod is on the node; undefined for a type this node does not offer. */
  volumePath(podUid: string, v: Volume): string | undefined {
    const kind = kindOf(v);
    if (!kind) return undefined;
    if (kind === "hostPath") return v.hostPath!.path;
    return path.join(this.podDir(podUid), "volumes", PLUGIN_DIRS[kind], v.name);
  }

  /**
   * Makes every volume of the pod (idempotent); refreshes configMap/secret/downwardAPI/projected
   * contents that changed and tokens near expiry. Every volume is tried; PodVolumesError (a
   * VolumeError, reason FailedMount) names the first that failed and lists them all.
   */
  async setUpPod(pod: Pod, podIP?: string): Promise<void> {
    const uid = uidOf(pod);
    await fs.mkdir(path.join(this.podDir(uid), "volumes"), { recursive: true, mode: 0o750 });
    const ips = podIP ? [podIP] : (pod.status?.podIPs ?? []).map((p) => p.ip).filter(Boolean);
    const ctx: ProjectionContext = {
      pod,
      source: this.source,
      tokens: this.tokens,
      runtime: { nodeName: this.o.nodeName, hostIPs: [this.o.hostIP()].filter(Boolean), podIPs: ips } satisfies PodRuntimeFields,
      nodeAllocatable: this.o.nodeAllocatable?.(),
    };
    const failures: VolumeError[] = [];
    for (const v of pod.spec.volumes ?? []) {
      try {
        await this.setUpVolume(uid, v, ctx);
      } catch (err) {
        failures.push(err instanceof VolumeError ? err : new VolumeError(v.name, err instanceof Error ? err.message : String(err), { cause: err }));
      }
    }
    this.tokens.cleanup();
    if (failures.length) throw new PodVolumesError(failures);
  }

  private async setUpVolume(uid: string, v: Volume, ctx: ProjectionContext): Promise<void> {
    const kind = kindOf(v);
    if (!kind) throw new VolumeError(v.name, `no volume plugin matched: this node does not offer ${sourceName(v)} volumes`);
    const dir = this.volumePath(uid, v)!;
    switch (kind) {
      case "hostPath":
        return checkHostPathType(dir, v.hostPath!.type);
      case "emptyDir":
        // medium: Memory gets a plain directory too: mounting tmpfs needs privileges the agent may not have.
        return makeDir(dir, 0o777);
      case "configMap":
        return this.project(dir, await configMapPayload(v.configMap!, v.configMap!.defaultMode, ctx));
      case "secret": {
        const s = v.secret!;
        return this.project(dir, await secretPayload({ name: s.secretName, items: s.items, optional: s.optional }, s.defaultMode, ctx));
      }
      case "downwardAPI":
        return this.project(dir, downwardAPIPayload(v.downwardAPI!.items as DownwardAPIVolumeFile[] | undefined, v.downwardAPI!.defaultMode, ctx));
      case "projected":
        return this.project(dir, await projectedPayload(v.projected!, ctx));
    }
  }

  private async project(dir: string, payload: Payload): Promise<void> {
    await makeDir(dir, 0o755);
    await writeAtomically(dir, payload, this.now);
  }

  /** The mounts of one container (volumeMounts with subPath, subPathExpr, readOnly), after setUpPod. */
  mountsFor(pod: Pod, container: Container, env: Array<{ name: string; value: string }>): Mount[] {
    const uid = uidOf(pod);
    const mounts: Mount[] = [];
    for (const m of container.volumeMounts ?? []) {
      const v = pod.spec.volumes?.find((x) => x.name === m.name);
      const volumePath = v && this.volumePath(uid, v);
      if (!v || !volumePath) throw new ContainerConfigError(`cannot find volume "${m.name}" to mount into container "${container.name}"`);
      const subPath = m.subPathExpr ? expandSubPathExpr(m.subPathExpr, env) : (m.subPath ?? "");
      mounts.push({
        hostPath: subPath ? prepareSubPath(volumePath, subPath, m.name, container.name) : volumePath,
        containerPath: m.mountPath,
        readOnly: !!m.readOnly || READ_ONLY_KINDS.has(kindOf(v)!),
      });
    }
    return mounts;
  }

  /** Removes the pod's directory (emptyDirs included) and forgets its tokens. */
  async tearDownPod(podUid: string): Promise<void> {
    if (!podUid || podUid.includes("/") || podUid === "." || podUid === "..") throw new Error(`invalid pod uid ${JSON.stringify(podUid)}`);
    this.tokens.deletePodTokens(podUid);
    await fs.rm(this.podDir(podUid), { recursive: true, force: true });
  }

  /** uids with a directory (orphans after a restart). */
  async podUids(): Promise<string[]> {
    try {
      const entries = await fs.readdir(path.join(this.o.rootDir, "pods"), { withFileTypes: true });
      return entries.filter((e) => e.isDirectory()).map((e) => e.name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw err;
    }
  }
}

function uidOf(pod: Pod): string {
  const uid = pod.metadata.uid;
  if (!uid) throw new Error(`pod ${pod.metadata.namespace}/${pod.metadata.name} has no uid`);
  return uid;
}

/** mkdir -p with an exact mode on the directory made (the umask would narrow it). */
async function makeDir(dir: string, mode: number): Promise<void> {
  try {
    await fs.mkdir(dir, { mode });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return;
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    await fs.mkdir(path.dirname(dir), { recursive: true, mode: 0o750 });
    await fs.mkdir(dir, { mode });
  }
  await fs.chmod(dir, mode);
}
