// Server-side printing: the meta.k8s.io/v1 Table kubectl asks for with
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`, built with kube-apiserver's printers
// (pkg/printers/internalversion) and, for kinds without one, its DefaultTableConvertor.
//
// As the apiserver, every table carries all columns (priority 0 and the priority 1 `-o wide`
// ones) and every row all cells; kubectl drops priority>0 columns unless asked for wide output.
import type { KubeObject } from "../../apis/types.js";
import { daemonSetPrinter, deploymentPrinter, replicaSetPrinter, statefulSetPrinter } from "./apps.js";
import { cronJobPrinter, jobPrinter } from "./batch.js";
import { configMapPrinter, namespacePrinter, secretPrinter, serviceAccountPrinter } from "./core.js";
import { defaultPrinter } from "./default.js";
import { endpointSlicePrinter } from "./endpointslice.js";
import { coreEventPrinter, eventsV1EventPrinter } from "./event.js";
import { rec } from "./helpers.js";
import { leasePrinter } from "./lease.js";
import { nodePrinter } from "./node.js";
import { podPrinter } from "./pod.js";
import { resourceQuotaPrinter } from "./resourcequota.js";
import { clusterRoleBindingPrinter, roleBindingPrinter } from "./rbac.js";
import { endpointsPrinter, servicePrinter } from "./service.js";
import type { IncludeObject, Printer, Table, TableColumnDefinition, TableListMeta, TableRow } from "./types.js";

export type * from "./types.js";
export { humanDuration, since, parseTime, formatRFC3339 } from "./duration.js";

const printers = new Map<string, Printer>([
  ["/Pod", podPrinter],
  ["/Service", servicePrinter],
  ["/Endpoints", endpointsPrinter],
  ["/Node", nodePrinter],
  ["/Namespace", namespacePrinter],
  ["/ConfigMap", configMapPrinter],
  ["/Secret", secretPrinter],
  ["/ServiceAccount", serviceAccountPrinter],
  ["/ResourceQuota", resourceQuotaPrinter],
  // Upstream has no LimitRange printer: its default table (NAME, CREATED AT).
  ["/LimitRange", defaultPrinter],
  ["/Event", coreEventPrinter],
  ["events.k8s.io/Event", eventsV1EventPrinter],
  ["apps/Deployment", deploymentPrinter],
  ["apps/ReplicaSet", replicaSetPrinter],
  ["apps/StatefulSet", statefulSetPrinter],
  ["apps/DaemonSet", daemonSetPrinter],
  ["batch/Job", jobPrinter],
  ["batch/CronJob", cronJobPrinter],
  ["coordination.k8s.io/Lease", leasePrinter],
  ["discovery.k8s.io/EndpointSlice", endpointSlicePrinter],
  // Upstream has no printer for roles: its default table (NAME, CREATED AT).
  ["rbac.authorization.k8s.io/Role", defaultPrinter],
  ["rbac.authorization.k8s.io/ClusterRole", defaultPrinter],
  ["rbac.authorization.k8s.io/RoleBinding", roleBindingPrinter],
  ["rbac.authorization.k8s.io/ClusterRoleBinding", clusterRoleBindingPrinter],
]);

/** Whether group/kind ("" for core) has its own printer (otherwise the default table is used). */
export function hasPrinter(group: string, kind: string): boolean {
  return printers.has(`${group}/${kind}`);
}

/** The printer for group/kind, or the default (Name, Created At) one. */
export function printerFor(group: string, kind: string): Printer {
  return printers.get(`${group}/${kind}`) ?? defaultPrinter;
}

/** The Table columns of group/kind: all of them, wide ones with priority 1. A fresh copy. */
export function columnDefinitionsFor(group: string, kind: string): TableColumnDefinition[] {
  return printerFor(group, kind).columns.map((c) => ({ ...c }));
}

export interface TableOptions {
  /** The current time, epoch milliseconds (AGE and other "since" cells). */
  now: number;
  /** What each row's `object` holds (the request's `includeObject`, "Metadata" by default upstream). */
  includeObject: IncludeObject;
  /** The list's metadata (or, for a single object, just its resourceVersion). */
  listMeta?: TableListMeta;
  /** apiVersion to put on objects that lack one when includeObject is "Object" (default `<group>/v1`). */
  apiVersion?: string;
}

function tableMetadata(listMeta: TableListMeta | undefined): TableListMeta {
  const out: TableListMeta = {};
  if (listMeta?.resourceVersion !== undefined && listMeta.resourceVersion !== "") out.resourceVersion = listMeta.resourceVersion;
  if (listMeta?.continue !== undefined && listMeta.continue !== "") out.continue = listMeta.continue;
  if (listMeta?.remainingItemCount !== undefined) out.remainingItemCount = listMeta.remainingItemCount;
  return out;
}

function rowObject(group: string, kind: string, obj: KubeObject, opts: TableOptions): unknown {
  switch (opts.includeObject) {
    case "None":
      return undefined;
    case "Object": {
      if (obj.apiVersion && obj.kind) return obj;
      const apiVersion = obj.apiVersion || opts.apiVersion || (group === "" ? "v1" : `${group}/v1`);
      return { ...obj, apiVersion, kind: obj.kind || kind };
    }
    default:
      return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: obj.metadata };
  }
}

/**
 * The meta.k8s.io/v1 Table of `objects` (all of group/kind), as kube-apiserver answers a list or
 * a get asked for `as=Table`.
 */
export function tableFor(group: string, kind: string, objects: KubeObject[], opts: TableOptions): Table {
  const printer = printerFor(group, kind);
  const rows: TableRow[] = objects.map((obj) => {
    const printed = printer.print(rec(obj), { now: opts.now });
    const row: TableRow = { cells: printed.cells };
    if (printed.conditions) row.conditions = printed.conditions.map((c) => ({ ...c }));
    const object = rowObject(group, kind, obj, opts);
    if (object !== undefined) row.object = object;
    return row;
  });
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: tableMetadata(opts.listMeta),
    columnDefinitions: columnDefinitionsFor(group, kind),
    rows,
  };
}
