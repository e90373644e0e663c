// Pods as upstream's printPod (pkg/printers/internalversion): READY, the aggregate STATUS
// (reason, init containers, waiting/terminated reasons, Terminating/Unknown, NotReady),
// RESTARTS with "(5m ago)", AGE, and the wide IP/NODE/NOMINATED NODE/READINESS GATES.
import { ageCol, arr, col, int, nameCol, rec, recOrNil, str, type Json } from "./helpers.js";
import { humanDuration, parseTime, since } from "./duration.js";
import type { Printer, PrintedRow, PrintContext, TableRowCondition } from "./types.js";

export const podColumns = [
  nameCol(),
  col("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
  col("Status", "string", "The aggregate status of the containers in this pod."),
  col("Restarts", "string", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
  ageCol(),
  col("IP", "string", "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", 1),
  col(
    "Node",
    "string",
    "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename",
    1,
  ),
  col(
    "Nominated Node",
    "string",
    "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled.",
    1,
  ),
  col(
    "Readiness Gates",
    "string",
    'If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to "True" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates',
    1,
  ),
];

const podSucceededConditions: TableRowCondition[] = [
  { type: "Completed", status: "True", reason: "Succeeded", message: "The pod has completed successfully." },
];
const podFailedConditions: TableRowCondition[] = [{ type: "Completed", status: "True", reason: "Failed", message: "The pod failed." }];

/** The kubelet's reason for pods on a node that stopped reporting (node.NodeUnreachablePodReason). */
const NODE_UNREACHABLE_POD_REASON = "NodeLost";

/** A later of two "zero-able" times, as `if last.Before(&t) { last = t }` (undefined = zero). */
function later(last: number | undefined, t: number | undefined): number | undefined {
  if (t === undefined) return last;
  return last === undefined || last < t ? t : last;
}

function isRestartableInitContainer(c: Json | undefined): boolean {
  return c !== undefined && c.restartPolicy === "Always";
}

function conditionTrue(status: Json, type: string): boolean {
  for (const c of arr(status.conditions).map(rec)) {
    if (c.type === type) return c.status === "True";
  }
  return false;
}

function hasPodReadyCondition(status: Json): boolean {
  return arr(status.conditions).map(rec).some((c) => c.type === "Ready" && c.status === "True");
}

function lastTerminatedAt(containerStatus: Json): number | undefined {
  const terminated = recOrNil(rec(containerStatus.lastState).terminated);
  return terminated ? parseTime(terminated.finishedAt) : undefined;
}

/** Signal:N / ExitCode:N for a terminated state without a reason. */
function exitDescription(terminated: Json): string {
  const signal = int(terminated.signal);
  return signal !== 0 ? `Signal:${signal}` : `ExitCode:${int(terminated.exitCode)}`;
}

export function printPod(pod: Json, { now }: PrintContext): PrintedRow {
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  const metadata = rec(pod.metadata);

  let restarts = 0;
  let restartableInitContainerRestarts = 0;
  let totalContainers = arr(spec.containers).length;
  let readyContainers = 0;
  let lastRestartDate: number | undefined;
  let lastRestartableInitContainerRestartDate: number | undefined;

  const podPhase = str(status.phase);
  let reason = podPhase;
  if (str(status.reason) !== "") reason = str(status.reason);

  // A pod held by scheduling gates says so.
  for (const c of arr(status.conditions).map(rec)) {
    if (c.type === "PodScheduled" && c.reason === "SchedulingGated") reason = "SchedulingGated";
  }

  let conditions: TableRowCondition[] | undefined;
  if (podPhase === "Succeeded") conditions = podSucceededConditions;
  else if (podPhase === "Failed") conditions = podFailedConditions;

  const initContainerSpecs = arr(spec.initContainers).map(rec);
  const initContainers = new Map<string, Json>();
  for (const c of initContainerSpecs) {
    initContainers.set(str(c.name), c);
    if (isRestartableInitContainer(c)) totalContainers++;
  }

  let initializing = false;
  const initStatuses = arr(status.initContainerStatuses).map(rec);
  for (let i = 0; i < initStatuses.length; i++) {
    const container = initStatuses[i];
    const restartable = isRestartableInitContainer(initContainers.get(str(container.name)));
    restarts += int(container.restartCount);
    lastRestartDate = later(lastRestartDate, lastTerminatedAt(container));
    if (restartable) {
      restartableInitContainerRestarts += int(container.restartCount);
      lastRestartableInitContainerRestartDate = later(lastRestartableInitContainerRestartDate, lastTerminatedAt(container));
    }
    const state = rec(container.state);
    const terminated = recOrNil(state.terminated);
    const waiting = recOrNil(state.waiting);
    if (terminated && int(terminated.exitCode) === 0) continue;
    if (restartable && container.started === true) {
      if (container.ready === true) readyContainers++;
      continue;
    }
    if (terminated) {
      // initialization failed
      reason = str(terminated.reason) === "" ? `Init:${exitDescription(terminated)}` : `Init:${str(terminated.reason)}`;
    } else if (waiting && str(waiting.reason) !== "" && waiting.reason !== "PodInitializing") {
      reason = `Init:${str(waiting.reason)}`;
    } else {
      reason = `Init:${i}/${initContainerSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status, "Initialized")) {
    restarts = restartableInitContainerRestarts;
    lastRestartDate = lastRestartableInitContainerRestartDate;
    let hasRunning = false;
    const statuses = arr(status.containerStatuses).map(rec);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const container = statuses[i];
      restarts += int(container.restartCount);
      lastRestartDate = later(lastRestartDate, lastTerminatedAt(container));
      const state = rec(container.state);
      const terminated = recOrNil(state.terminated);
      const waiting = recOrNil(state.waiting);
      if (waiting && str(waiting.reason) !== "") {
        reason = str(waiting.reason);
      } else if (terminated && str(terminated.reason) !== "") {
        reason = str(terminated.reason);
      } else if (terminated) {
        reason = exitDescription(terminated);
      } else if (container.ready === true && recOrNil(state.running)) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // Back to "Running" while at least one container still runs.
    if (reason === "Completed" && hasRunning) {
      reason = hasPodReadyCondition(status) ? "Running" : "NotReady";
    }
  }

  const deleting = str(metadata.deletionTimestamp) !== "";
  if (deleting && status.reason === NODE_UNREACHABLE_POD_REASON) {
    reason = "Unknown";
  } else if (deleting && podPhase !== "Succeeded" && podPhase !== "Failed") {
    reason = "Terminating";
  }

  let restartsCell = String(restarts);
  if (restarts !== 0 && lastRestartDate !== undefined) {
    restartsCell = `${restarts} (${humanDuration(now - lastRestartDate)} ago)`;
  }

  const cells: unknown[] = [
    str(metadata.name),
    `${readyContainers}/${totalContainers}`,
    reason,
    restartsCell,
    since(metadata.creationTimestamp, now),
  ];

  // Wide. The v1 podIP is authoritative over podIPs (v1 → internal conversion).
  const podIP = str(status.podIP) || str(rec(arr(status.podIPs)[0]).ip) || "<none>";
  const nodeName = str(spec.nodeName) || "<none>";
  const nominatedNodeName = str(status.nominatedNodeName) || "<none>";
  let readinessGates = "<none>";
  const gates = arr(spec.readinessGates).map(rec);
  if (gates.length > 0) {
    let trueConditions = 0;
    for (const gate of gates) {
      const condition = arr(status.conditions)
        .map(rec)
        .find((c) => c.type === gate.conditionType);
      if (condition && condition.status === "True") trueConditions++;
    }
    readinessGates = `${trueConditions}/${gates.length}`;
  }
  cells.push(podIP, nodeName, nominatedNodeName, readinessGates);

  return conditions ? { cells, conditions } : { cells };
}

export const podPrinter: Printer = { columns: podColumns, print: printPod };
