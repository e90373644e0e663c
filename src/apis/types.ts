// What the API machinery needs to know about one kind: its names, its zod schema (the single
// source of truth for its shape), its defaults and its validation. One KindDef per served kind.
import type { AllocatedAddresses } from "../registry/requests.js";
import type { z } from "zod";
import type { FieldError } from "../lib/field-errors.js";

/** Every served object has at least this shape once decoded. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMetaLike;
  [key: string]: unknown;
}

export interface ObjectMetaLike {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }>;
  managedFields?: unknown[];
  [key: string]: unknown;
}

/** Which DNS-style rule names of this kind must follow (upstream's ValidateXName). */
export type NameRule = "dns1123Subdomain" | "dns1123Label" | "dns1035Label" | "pathSegment";

export interface ScaleDef {
  /** JSON paths as upstream's CRD scale subresource: `.spec.replicas`. */
  specReplicasPath: string;
  statusReplicasPath: string;
  labelSelectorPath?: string;
}

export interface KindDef<T extends KubeObject = KubeObject> {
  group: string; // "" for core
  version: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  /** The key its objects live under in a store, when not `plural`. */
  storageResource?: string;
  /** When objects are stored in another version's shape (events.k8s.io Events as core Events). */
  storageConversion?: { toStorage(obj: KubeObject): KubeObject; fromStorage(obj: KubeObject): KubeObject };
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  nameRule: NameRule;
  /** Decodes the wire shape: types only; unknown fields are dropped; static defaults applied. */
  schema: z.ZodType<T>;
  /** Upstream defaulting that depends on other fields (imagePullPolicy by tag, strategy…). Mutates. */
  applyDefaults?(obj: T): void;
  /** Semantic validation on create (old undefined) and update, as upstream's ValidateX / ValidateXUpdate. */
  validate?(obj: T, old?: T): FieldError[];
  /** Extra checks on update only (immutable fields), when not folded into validate. */
  validateUpdate?(obj: T, old: T): FieldError[];
  /** Upstream's PrepareForUpdate of the main resource, before defaulting: carries over what the request left out (a Service's allocated addresses). Mutates. */
  prepareForUpdate?(obj: T, old: T): void;
  /** Writes in values the API layer reserved for the object before its write (WriteOptions.allocated). Mutates. */
  applyAllocated?(obj: T, allocated: AllocatedAddresses): void;
  /** Upstream's PrepareForCreate beyond generic metadata (job selector labels…). Runs after uid is set. Mutates. */
  prepareForCreate?(obj: T): void;
  /** The object has a spec/status split: status written only through /status, generation bumped on spec changes. */
  hasStatus: boolean;
  /** Upstream allows PUT without resourceVersion (AllowUnconditionalUpdate). */
  allowUnconditionalUpdate: boolean;
  /** Upstream allows PUT of a missing object to create it (AllowCreateOnUpdate). */
  allowCreateOnUpdate: boolean;
  /** Field selectors beyond metadata.name / metadata.namespace, as upstream's GetAttrs. */
  selectableFields?: Record<string, (obj: T) => string | undefined>;
  scale?: ScaleDef;
  /** Extra subresources beyond status/scale, served by later components (log, binding, …). */
  extraSubresources?: string[];
  /** Fields that are part of "spec" for generation: top-level keys other than metadata/status. Defaults to all. */
  specKeys?: string[];
}

/** The key a kind's objects are stored under. */
export const storageResourceOf = (def: Pick<KindDef, "plural" | "storageResource">): string => def.storageResource ?? def.plural;

/** A stored object as the kind serves it. */
export const fromStorage = (def: KindDef, obj: KubeObject): KubeObject => (def.storageConversion ? def.storageConversion.fromStorage(obj) : obj);

/** An object of the kind as it is stored. */
export const toStorage = (def: KindDef, obj: KubeObject): KubeObject => (def.storageConversion ? def.storageConversion.toStorage(obj) : obj);
