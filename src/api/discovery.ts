// Discovery documents (/version, /api, /apis, /api/v1, /apis/{group}/{version}) built from the
// kinds this server serves, in the legacy form kube-apiserver serves them.
import type { KindDef } from "../apis/types.js";
import { SELF_SUBJECT_REVIEW } from "./self-subject-review.js";
import { LOCAL_SUBJECT_ACCESS_REVIEW, SELF_SUBJECT_ACCESS_REVIEW, SUBJECT_ACCESS_REVIEW } from "./access-review.js";
import { SELF_SUBJECT_RULES_REVIEW } from "./rules-review.js";
import { NODE_CREDENTIAL_REQUEST } from "./node-credentials.js";

export const KUBE_VERSION = { major: "1", minor: "32", gitVersion: "v1.32.0-edgeplane" };

export const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

export function versionInfo(): Record<string, string> {
  return {
    ...KUBE_VERSION,
    gitCommit: "edgeplane",
    gitTreeState: "clean",
    buildDate: "2026-11-25T00:00:00Z",
    goVersion: "n/a",
    compiler: "workerd",
    platform: "cloudflare/workers",
  };
}

/** group → versions, in served order. */
/** Resources served without storage (create-only reviews); they have no KindDef. */
export interface VirtualResource {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
}

export const VIRTUAL_RESOURCES: VirtualResource[] = [SELF_SUBJECT_REVIEW, LOCAL_SUBJECT_ACCESS_REVIEW, SELF_SUBJECT_ACCESS_REVIEW, SELF_SUBJECT_RULES_REVIEW, SUBJECT_ACCESS_REVIEW, NODE_CREDENTIAL_REQUEST];

export function groupVersions(kinds: KindDef[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const k of [...kinds, ...VIRTUAL_RESOURCES]) {
    const vs = m.get(k.group) ?? [];
    if (!vs.includes(k.version)) vs.push(k.version);
    m.set(k.group, vs);
  }
  return m;
}

export function apiVersions(serverAddress: string): unknown {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] };
}

function apiGroup(name: string, versions: string[]) {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(kinds: KindDef[]): unknown {
  const groups = [...groupVersions(kinds)].filter(([g]) => g !== "").map(([g, vs]) => apiGroup(g, vs));
  return { kind: "APIGroupList", apiVersion: "v1", groups };
}

export function apiGroupDoc(kinds: KindDef[], group: string): unknown | undefined {
  const vs = groupVersions(kinds).get(group);
  if (!vs || group === "") return undefined;
  return { kind: "APIGroup", apiVersion: "v1", ...apiGroup(group, vs) };
}

interface SubresourceDoc {
  kind: string;
  group?: string;
  version?: string;
  verbs: string[];
}

const SUBRESOURCES: Record<string, SubresourceDoc> = {
  status: { kind: "", verbs: ["get", "patch", "update"] },
  scale: { kind: "Scale", group: "autoscaling", version: "v1", verbs: ["get", "patch", "update"] },
  log: { kind: "Pod", verbs: ["get"] },
  binding: { kind: "Binding", verbs: ["create"] },
  eviction: { kind: "Eviction", group: "policy", version: "v1", verbs: ["create"] },
  exec: { kind: "PodExecOptions", verbs: ["create", "get"] },
  attach: { kind: "PodAttachOptions", verbs: ["create", "get"] },
  portforward: { kind: "PodPortForwardOptions", verbs: ["create", "get"] },
  proxy: { kind: "PodProxyOptions", verbs: ["create", "delete", "get", "patch", "update"] },
  ephemeralcontainers: { kind: "", verbs: ["get", "patch", "update"] },
  finalize: { kind: "", verbs: ["update"] },
  token: { kind: "TokenRequest", group: "authentication.k8s.io", version: "v1", verbs: ["create"] },
};

export function subresourcesOf(k: KindDef): string[] {
  return [...(k.hasStatus ? ["status"] : []), ...(k.scale ? ["scale"] : []), ...(k.extraSubresources ?? [])];
}

export function apiResourceList(kinds: KindDef[], group: string, version: string): unknown | undefined {
  const served = kinds.filter((k) => k.group === group && k.version === version);
  const virtual = VIRTUAL_RESOURCES.filter((v) => v.group === group && v.version === version);
  if (served.length === 0 && virtual.length === 0) return undefined;
  const resources: unknown[] = virtual.map((v) => ({ name: v.plural, singularName: v.singular, namespaced: v.namespaced, kind: v.kind, verbs: v.verbs }));
  for (const k of [...served].sort((a, b) => a.plural.localeCompare(b.plural))) {
    const r: Record<string, unknown> = { name: k.plural, singularName: k.singular, namespaced: k.namespaced, kind: k.kind, verbs: VERBS };
    if (k.shortNames.length) r.shortNames = k.shortNames;
    if (k.categories.length) r.categories = k.categories;
    resources.push(r);
    for (const sub of subresourcesOf(k)) {
      const d = SUBRESOURCES[sub] ?? { kind: "", verbs: ["get"] };
      const s: Record<string, unknown> = { name: `${k.plural}/${sub}`, singularName: "", namespaced: k.namespaced, kind: d.kind || k.kind, verbs: d.verbs };
      if (d.group) s.group = d.group;
      if (d.version) s.version = d.version;
      resources.push(s);
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: group ? `${group}/${version}` : version, resources };
}

// ---- aggregated discovery (apidiscovery.k8s.io/v2), what kubectl asks for first ----

export const AGGREGATED_DISCOVERY_CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/** Whether an Accept header asks for the aggregated v2 form (kubectl lists it first). */
export function wantsAggregated(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(",").some((part) => {
    const params = part.split(";").map((p) => p.trim());
    return params[0] === "application/json" && params.includes("g=apidiscovery.k8s.io") && params.includes("v=v2") && params.includes("as=APIGroupDiscoveryList");
  });
}

function discoveryResource(k: KindDef): Record<string, unknown> {
  const r: Record<string, unknown> = {
    resource: k.plural,
    responseKind: { group: k.group, version: k.version, kind: k.kind },
    scope: k.namespaced ? "Namespaced" : "Cluster",
    singularResource: k.singular,
    verbs: VERBS,
  };
  if (k.shortNames.length) r.shortNames = k.shortNames;
  if (k.categories.length) r.categories = k.categories;
  const subs = subresourcesOf(k).map((sub) => {
    const d = SUBRESOURCES[sub] ?? { kind: "", verbs: ["get"] };
    return {
      subresource: sub,
      responseKind: { group: d.group ?? k.group, version: d.version ?? k.version, kind: d.kind || k.kind },
      verbs: d.verbs,
    };
  });
  if (subs.length) r.subresources = subs;
  return r;
}

/** The aggregated document of /api (core group) or /apis (every named group). */
export function aggregatedDiscovery(kinds: KindDef[], core: boolean): unknown {
  const items = [...groupVersions(kinds)]
    .filter(([g]) => (core ? g === "" : g !== ""))
    .map(([g, versions]) => ({
      metadata: g ? { name: g, creationTimestamp: null } : { creationTimestamp: null },
      versions: versions.map((v) => ({
        version: v,
        resources: [
          ...kinds.filter((k) => k.group === g && k.version === v).sort((a, b) => a.plural.localeCompare(b.plural)).map(discoveryResource),
          ...VIRTUAL_RESOURCES.filter((r) => r.group === g && r.version === v).map((r) => ({
            resource: r.plural,
            responseKind: { group: r.group, version: r.version, kind: r.kind },
            scope: r.namespaced ? "Namespaced" : "Cluster",
            singularResource: r.singular,
            verbs: r.verbs,
          })),
        ],
        freshness: "Current",
      })),
    }));
  return { kind: "APIGroupDiscoveryList", apiVersion: "apidiscovery.k8s.io/v2", metadata: {}, items };
}
