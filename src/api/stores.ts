// Which Durable Object holds what: one store per namespace, one for cluster-scoped objects.
// Namespace names cannot contain '/', so the two id spaces never meet.
import type { Env } from "../env.js";
import type { Outcome } from "../registry/requests.js";
import { StatusError } from "../lib/status.js";

type NamespaceStore = import("../../durable-objects/namespace-store.js").NamespaceStore;

/**
 * The store's RPC surface as callers see it. (The generated stub type turns `unknown` bodies
 * into `never`; these are plain JSON values, so the class's own signatures are the truth.)
 */
export type StoreStub = Pick<NamespaceStore, "get" | "list" | "create" | "update" | "patch" | "delete" | "deleteCollection" | "revision" | "stats" | "controllerStats" | "nodeReferences" | "fetch" | "resync" | "deleteAllContent" | "tokenReferents" | "rbacEvaluate" | "ensureRbacDefaults" | "serviceAccountSigningKey" | "rotateEncryption" | "bind" | "bindPods" | "reportUnschedulable" | "evictPods" | "reserveServiceAddresses" | "releaseServiceAddresses" | "serviceAddresses">;

export function clusterStore(env: Env): StoreStub {
  return env.NAMESPACE_STORE.get(env.NAMESPACE_STORE.idFromName("cluster")) as unknown as StoreStub;
}

export function namespaceStore(env: Env, namespace: string): StoreStub {
  return env.NAMESPACE_STORE.get(env.NAMESPACE_STORE.idFromName(`ns/${namespace}`)) as unknown as StoreStub;
}

export function storeFor(env: Env, namespace: string): StoreStub {
  return namespace ? namespaceStore(env, namespace) : clusterStore(env);
}

type ClusterControllers = import("../../durable-objects/cluster-controllers.js").ClusterControllers;
export type ClusterControllersStub = Pick<ClusterControllers, "changed" | "resync" | "state">;

/** The singleton that runs the scheduler and the node lifecycle controller (undefined where unbound, e.g. unit tests). */
export function clusterControllers(env: Env): ClusterControllersStub | undefined {
  const ns = env.CLUSTER_CONTROLLERS;
  return ns ? (ns.get(ns.idFromName("cluster")) as unknown as ClusterControllersStub) : undefined;
}

/** Unwraps an Outcome, throwing its Status. */
export function unwrap(o: Outcome): { code: number; body: unknown; warnings?: string[]; auditAnnotations?: Record<string, string> } {
  if (!o.ok) {
    const err = new StatusError(o.status);
    if (o.auditAnnotations) err.auditAnnotations = o.auditAnnotations;
    throw err;
  }
  return o;
}
