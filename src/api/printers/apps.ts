// apps/v1 workloads as upstream's printDeployment, printReplicaSet, printStatefulSet and
// printDaemonSet.
import { since } from "./duration.js";
import {
  ageCol,
  col,
  formatLabelSelector,
  formatLabels,
  int,
  intOrNil,
  labelSelectorString,
  layoutContainerCells,
  nameCol,
  rec,
  str,
  templateCols,
  templateContainers,
  type Json,
} from "./helpers.js";
import type { Printer, PrintContext, PrintedRow } from "./types.js";

/** spec.replicas, defaulted to 1 as the API defaults it. */
function desiredReplicas(spec: Json): number {
  return intOrNil(spec.replicas) ?? 1;
}

export const deploymentColumns = [
  nameCol(),
  col("Ready", "string", "Number of the pod with ready state"),
  col("Up-to-date", "string", "Total number of non-terminating pods targeted by this deployment that have the desired template spec."),
  col("Available", "string", "Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment."),
  ageCol(),
  ...templateCols(
    "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template's labels.",
  ),
];

export function printDeployment(obj: Json, { now }: PrintContext): PrintedRow {
  const spec = rec(obj.spec);
  const status = rec(obj.status);
  const meta = rec(obj.metadata);
  const [names, images] = layoutContainerCells(templateContainers(spec));
  // upstream prints selector.String() here, "<invalid>" when it does not parse.
  const selector = labelSelectorString(spec.selector) ?? "<invalid>";
  return {
    cells: [
      str(meta.name),
      `${int(status.readyReplicas)}/${desiredReplicas(spec)}`,
      int(status.updatedReplicas),
      int(status.availableReplicas),
      since(meta.creationTimestamp, now),
      names,
      images,
      selector,
    ],
  };
}

export const replicaSetColumns = [
  nameCol(),
  col(
    "Desired",
    "integer",
    "Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset",
  ),
  col(
    "Current",
    "integer",
    "Replicas is the most recently observed number of non-terminating pods. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset",
  ),
  col("Ready", "integer", "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition."),
  ageCol(),
  ...templateCols(
    "Selector is a label query over pods that should match the replica count. Label keys and values that must match in order to be controlled by this replica set. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
  ),
];

export function printReplicaSet(obj: Json, { now }: PrintContext): PrintedRow {
  const spec = rec(obj.spec);
  const status = rec(obj.status);
  const meta = rec(obj.metadata);
  const [names, images] = layoutContainerCells(templateContainers(spec));
  return {
    cells: [
      str(meta.name),
      desiredReplicas(spec),
      int(status.replicas),
      int(status.readyReplicas),
      since(meta.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(spec.selector),
    ],
  };
}

export const statefulSetColumns = [nameCol(), col("Ready", "string", "Number of the pod with ready state"), ageCol(), ...templateCols()];

export function printStatefulSet(obj: Json, { now }: PrintContext): PrintedRow {
  const spec = rec(obj.spec);
  const status = rec(obj.status);
  const meta = rec(obj.metadata);
  const [names, images] = layoutContainerCells(templateContainers(spec));
  return {
    cells: [str(meta.name), `${int(status.readyReplicas)}/${desiredReplicas(spec)}`, since(meta.creationTimestamp, now), names, images],
  };
}

export const daemonSetColumns = [
  nameCol(),
  col(
    "Desired",
    "integer",
    "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/",
  ),
  col(
    "Current",
    "integer",
    "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/",
  ),
  col(
    "Ready",
    "integer",
    "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.",
  ),
  col("Up-to-date", "integer", "The total number of nodes that are running updated daemon pod"),
  col(
    "Available",
    "integer",
    "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)",
  ),
  col(
    "Node Selector",
    "string",
    "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node. More info: https://kubernetes.io/docs/concepts/configuration/assign-pod-node/",
  ),
  ageCol(),
  ...templateCols(
    "A label query over pods that are managed by the daemon set. Must match in order to be controlled. It must match the pod template's labels. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors",
  ),
];

export function printDaemonSet(obj: Json, { now }: PrintContext): PrintedRow {
  const spec = rec(obj.spec);
  const status = rec(obj.status);
  const meta = rec(obj.metadata);
  const [names, images] = layoutContainerCells(templateContainers(spec));
  return {
    cells: [
      str(meta.name),
      int(status.desiredNumberScheduled),
      int(status.currentNumberScheduled),
      int(status.numberReady),
      int(status.updatedNumberScheduled),
      int(status.numberAvailable),
      formatLabels(rec(rec(rec(spec.template).spec)).nodeSelector),
      since(meta.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(spec.selector),
    ],
  };
}

export const deploymentPrinter: Printer = { columns: deploymentColumns, print: printDeployment };
export const replicaSetPrinter: Printer = { columns: replicaSetColumns, print: printReplicaSet };
export const statefulSetPrinter: Printer = { columns: statefulSetColumns, print: printStatefulSet };
export const daemonSetPrinter: Printer = { columns: daemonSetColumns, print: printDaemonSet };
