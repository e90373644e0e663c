// The requests the API layer hands to a store, and what comes back: plain data, so they
// cross the Worker → Durable Object RPC boundary unchanged.
import type { Status } from "../lib/status.js";

export interface Target {
  group: string;
  version: string;
  /** Plural resource name: `pods`. */
  resource: string;
  /** "" for cluster-scoped resources and for lists across namespaces. */
  namespace: string;
  name?: string;
  subresource?: string;
}

export type FieldValidation = "Strict" | "Warn" | "Ignore";

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  /** Server-side apply: take over fields other managers own (`?force=true`). */
  force?: boolean;
  /** The request's User-Agent: names the manager of a write that gives no fieldManager. */
  userAgent?: string;
  fieldValidation?: FieldValidation;
  /** A PUT that must not create a missing object (the API layer admits creates first). */
  noCreate?: boolean;
  /** Keys the request body gave twice (found by the API layer, which has the raw text). */
  duplicateFields?: string[];
  /** The namespace's labels, read by the API layer (PodSecurity admission in the store, src/admission). */
  namespaceLabels?: Record<string, string>;
  /** The uid a create gives the object: the API layer draws it when it reserves the object's Service addresses first. */
  uid?: string;
  /** Values reserved for the object before its write (a Service's cluster IP and node ports), written in by the kind's applyAllocated. */
  allocated?: AllocatedAddresses;
}

/** A Service's reserved cluster IP and node ports (node ports by index in spec.ports). */
export interface AllocatedAddresses {
  clusterIP?: string;
  nodePorts: Record<number, number>;
}

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface WatchQuery extends ListQuery {
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  sendInitialEvents?: boolean;
}

export type PropagationPolicy = "Orphan" | "Background" | "Foreground";

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: PropagationPolicy;
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export type PatchType = "json" | "merge" | "strategic" | "apply";

/** auditAnnotations: what admission adds to the request's audit event (PodSecurity's, src/admission). */
export type Outcome =
  | { ok: true; code: number; body: unknown; warnings?: string[]; auditAnnotations?: Record<string, string> }
  | { ok: false; status: Status; auditAnnotations?: Record<string, string> };
