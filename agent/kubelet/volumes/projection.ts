// What the API-data volumes hold (upstream's MakePayload of the configMap, secret, downwardAPI
// and projected plugins): the files, by path, with their modes. Errors carry upstream's messages;
// the volume manager prefixes them with `MountVolume.SetUp failed for volume …`.
import type { Pod } from "../../../src/apis/core/v1/pod.js";
import type { Volume } from "../../../src/apis/core/v1/podspec.js";
import { notFoundMessage } from "../env/errors.js";
import { type PodRuntimeFields, podFieldValue } from "../env/field-path.js";
import { type ResourceList, type ResourceFieldSelector, resourceFieldValue } from "../env/resource-field.js";
import type { FileProjection, Payload } from "./atomic-writer.js";
import type { ObjectSource } from "./object-source.js";
import type { TokenManager } from "./token-manager.js";

/** upstream's SetDefaults_ServiceAccountTokenProjection and ValidateTokenRequest's floor. */
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;
export const MIN_TOKEN_EXPIRATION_SECONDS = 600;
const DEFAULT_MODE = 0o644;

export interface ProjectionContext {
  pod: Pod;
  source: ObjectSource;
  tokens: TokenManager;
  runtime: PodRuntimeFields;
  nodeAllocatable?: ResourceList;
}

interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

export interface DownwardAPIVolumeFile {
  path: string;
  fieldRef?: { apiVersion?: string; fieldPath: string };
  resourceFieldRef?: ResourceFieldSelector;
  mode?: number;
}

/** utilerrors.NewAggregate(...).Error(): one message alone, several (deduplicated) in brackets. */
export class AggregatedError extends Error {
  constructor(readonly errors: Error[]) {
    const msgs = [...new Set(errors.map((e) => e.message))];
    super(msgs.length === 1 ? msgs[0] : `[${msgs.join(", ")}]`);
    this.name = "AggregatedError";
  }
}

const namespaceOf = (pod: Pod) => pod.metadata.namespace ?? "default";

/** Files from a key→value map: every key, or the listed items (a missing key fails unless optional). */
function keysPayload(values: Map<string, Uint8Array | string>, items: KeyToPath[] | undefined, defaultMode: number, optional: boolean, missing: (key: string) => string): Payload {
  const payload: Payload = {};
  if (!items?.length) {
    for (const [k, data] of values) payload[k] = { data, mode: defaultMode };
    return payload;
  }
  for (const it of items) {
    if (!values.has(it.key)) {
      if (optional) continue;
      throw new Error(missing(it.key));
    }
    payload[it.path] = { data: values.get(it.key)!, mode: it.mode ?? defaultMode };
  }
  return payload;
}

export async function configMapPayload(
  src: { name?: string; items?: KeyToPath[]; optional?: boolean },
  defaultMode: number | undefined,
  ctx: ProjectionContext,
): Promise<Payload> {
  const name = src.name ?? "";
  const cm = await ctx.source.configMap(namespaceOf(ctx.pod), name);
  if (!cm && !src.optional) throw new Error(notFoundMessage("configmap", name));
  const values = new Map<string, Uint8Array | string>(Object.entries(cm?.data ?? {}));
  for (const [k, b64] of Object.entries(cm?.binaryData ?? {})) if (!values.has(k)) values.set(k, Buffer.from(b64, "base64"));
  return keysPayload(values, src.items, defaultMode ?? DEFAULT_MODE, !!src.optional, (k) => `configmap references non-existent config key: ${k}`);
}

export async function secretPayload(
  src: { name?: string; items?: KeyToPath[]; optional?: boolean },
  defaultMode: number | undefined,
  ctx: ProjectionContext,
): Promise<Payload> {
  const name = src.name ?? "";
  const s = await ctx.source.secret(namespaceOf(ctx.pod), name);
  if (!s && !src.optional) throw new Error(notFoundMessage("secret", name));
  const values = new Map<string, Uint8Array | string>(Object.entries(s?.data ?? {}).map(([k, b64]) => [k, Buffer.from(b64, "base64")]));
  return keysPayload(values, src.items, defaultMode ?? DEFAULT_MODE, !!src.optional, (k) => `references non-existent secret key: ${k}`);
}

/** downwardapi.CollectData: every item, errors collected. */
export function downwardAPIPayload(items: DownwardAPIVolumeFile[] | undefined, defaultMode: number | undefined, ctx: ProjectionContext): Payload {
  const payload: Payload = {};
  const errs: Error[] = [];
  for (const it of items ?? []) {
    const file: FileProjection = { data: "", mode: it.mode ?? defaultMode ?? DEFAULT_MODE };
    try {
      if (it.fieldRef) file.data = podFieldValue(ctx.pod, it.fieldRef.apiVersion, it.fieldRef.fieldPath, ctx.runtime);
      else if (it.resourceFieldRef) file.data = resourceFieldValue(it.resourceFieldRef, ctx.pod, undefined, ctx.nodeAllocatable);
    } catch (err) {
      errs.push(err instanceof Error ? err : new Error(String(err)));
      continue;
    }
    payload[it.path] = file;
  }
  if (errs.length) throw new AggregatedError(errs);
  return payload;
}

interface VolumeProjection {
  configMap?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  secret?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  downwardAPI?: { items?: DownwardAPIVolumeFile[] };
  serviceAccountToken?: { audience?: string; expirationSeconds?: number; path: string };
  clusterTrustBundle?: unknown;
  podCertificate?: unknown;
}

/** The projected plugin: every source into one directory; errors of all sources together. */
export async function projectedPayload(src: NonNullable<Volume["projected"]>, ctx: ProjectionContext): Promise<Payload> {
  const defaultMode = src.defaultMode ?? DEFAULT_MODE;
  const payload: Payload = {};
  const errs: Error[] = [];
  for (const p of (src.sources ?? []) as VolumeProjection[]) {
    try {
      if (p.configMap) Object.assign(payload, await configMapPayload(p.configMap, defaultMode, ctx));
      else if (p.secret) Object.assign(payload, await secretPayload(p.secret, defaultMode, ctx));
      else if (p.downwardAPI) Object.assign(payload, downwardAPIPayload(p.downwardAPI.items, defaultMode, ctx));
      else if (p.serviceAccountToken) {
        const t = p.serviceAccountToken;
        const token = await ctx.tokens.getServiceAccountToken(namespaceOf(ctx.pod), ctx.pod.spec.serviceAccountName || "default", {
          audience: t.audience || undefined,
          expirationSeconds: Math.max(MIN_TOKEN_EXPIRATION_SECONDS, t.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS),
          podName: ctx.pod.metadata.name ?? "",
          podUid: ctx.pod.metadata.uid ?? "",
        });
        payload[t.path] = { data: token, mode: defaultMode };
      } else if (p.clusterTrustBundle) throw new Error("clusterTrustBundle projections are not supported by this node");
      else if (p.podCertificate) throw new Error("podCertificate projections are not supported by this node");
    } catch (err) {
      errs.push(err instanceof Error ? err : new Error(String(err)));
    }
  }
  if (errs.length) throw new AggregatedError(errs);
  return payload;
}
