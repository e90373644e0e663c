// Why this exists: joins the per-group field tables into one registry and maps each served
// (apiVersion, kind) — plus its XList — to the message that encodes it.

import { APPS } from "./apps.js";
import { BATCH } from "./batch.js";
import { CORE } from "./core.js";
import { DISCOVERY } from "./discovery.js";
import { META } from "./meta.js";
import { AUTOSCALING, COORDINATION, EVENTS } from "./misc.js";
import { AUTHORIZATION, RBAC } from "./rbac.js";
import { buildRegistry, type MessageDesc, type MessageTable } from "./types.js";

export type { FieldDesc, MessageDesc } from "./types.js";

/** apiVersion -> kind -> message name. */
const KINDS: Record<string, Record<string, string>> = {
  v1: {
    Namespace: "Namespace",
    Node: "Node",
    Pod: "Pod",
    PodTemplate: "PodTemplate",
    Binding: "Binding",
    Service: "Service",
    Endpoints: "Endpoints",
    ConfigMap: "ConfigMap",
    Secret: "Secret",
    ServiceAccount: "ServiceAccount",
    Event: "Event",
    PersistentVolumeClaim: "PersistentVolumeClaim",
    ResourceQuota: "ResourceQuota",
    LimitRange: "LimitRange",
    List: "List",
  },
  "apps/v1": {
    Deployment: "Deployment",
    ReplicaSet: "ReplicaSet",
    StatefulSet: "StatefulSet",
    DaemonSet: "DaemonSet",
    ControllerRevision: "ControllerRevision",
  },
  "batch/v1": { Job: "Job", CronJob: "CronJob" },
  "coordination.k8s.io/v1": { Lease: "Lease" },
  "discovery.k8s.io/v1": { EndpointSlice: "EndpointSlice" },
  "events.k8s.io/v1": { Event: "EventsV1Event" },
  "autoscaling/v1": { Scale: "Scale" },
  "rbac.authorization.k8s.io/v1": { Role: "Role", ClusterRole: "ClusterRole", RoleBinding: "RoleBinding", ClusterRoleBinding: "ClusterRoleBinding" },
  "authorization.k8s.io/v1": {
    SelfSubjectAccessReview: "SelfSubjectAccessReview",
    SubjectAccessReview: "SubjectAccessReview",
    LocalSubjectAccessReview: "LocalSubjectAccessReview",
    SelfSubjectRulesReview: "SelfSubjectRulesReview",
  },
};

// Every group version also carries the meta kinds (metav1.AddToGroupVersion registers them everywhere).
const META_KINDS = { Status: "Status", DeleteOptions: "DeleteOptions", WatchEvent: "WatchEvent" };

// XList {1: ListMeta metadata, 2: repeated X items} for each object kind.
const LISTS: MessageTable = {};
for (const kinds of Object.values(KINDS)) {
  for (const [kind, msg] of Object.entries(kinds)) {
    if (kind === "List" || kind === "Binding" || kind === "Scale") continue;
    LISTS[`${msg}List`] = `1 metadata ListMeta, 2 items ${msg}[]!`;
    kinds[`${kind}List`] = `${msg}List`;
  }
}
for (const kinds of Object.values(KINDS)) Object.assign(kinds, META_KINDS);
KINDS["meta.k8s.io/v1"] = { ...META_KINDS };

export const MESSAGES: Map<string, MessageDesc> = buildRegistry(META, CORE, APPS, BATCH, COORDINATION, DISCOVERY, EVENTS, AUTOSCALING, RBAC, AUTHORIZATION, LISTS);

/** The message for an (apiVersion, kind), or undefined when it is not one we serve. */
export function messageFor(apiVersion: string, kind: string): MessageDesc | undefined {
  const name = KINDS[apiVersion]?.[kind];
  return name === undefined ? undefined : MESSAGES.get(name);
}

/** The (apiVersion, kind) pairs we can decode and encode. */
export function registeredKinds(): Array<{ apiVersion: string; kind: string }> {
  return Object.entries(KINDS).flatMap(([apiVersion, kinds]) => Object.keys(kinds).map((kind) => ({ apiVersion, kind })));
}
