// The scheduler's writes into one namespace store, run inside that store (one RPC per namespace
// per scheduling round): bindings through the pods/binding path with upstream's Scheduled event,
// and for pods that fit nowhere the PodScheduled=False/Unschedulable condition (written only when
// it changes) and a FailedScheduling event.
import { findKind } from "../../apis/index.js";
import { podCondition, setPodCondition, type PodCondition } from "../../apis/core/v1/pod-conditions.js";
import type { KubeObject } from "../../apis/types.js";
import { rfc3339 } from "../../lib/clock.js";
import { StatusError } from "../../lib/status.js";
import { bindPod } from "../../registry/binding.js";
import type { GenericStore } from "../../registry/generic-store.js";
import type { Storage } from "../../storage/interface.js";
import { emitEvent, involvedObject } from "../runtime/emit.js";
import type { EventRecorder } from "../runtime/events.js";

const PODS = findKind("", "v1", "pods")!;
const EVENTS = findKind("", "v1", "events")!;
export const SCHEDULER_NAME = "default-scheduler";
const opts = { fieldManager: SCHEDULER_NAME };

export interface BindRequest {
  name: string;
  uid: string;
  node: string;
}

export interface WriteResult {
  name: string;
  ok: boolean;
  /** HTTP code of a failure (404: the pod is gone; 409: bound already, or changed). */
  code?: number;
  message?: string;
}

export interface Unschedulable {
  name: string;
  uid: string;
  message: string;
}

function eventSink(store: GenericStore) {
  return {
    createEvent: (e: KubeObject) => void store.create(EVENTS, e, opts),
    updateEvent: (e: KubeObject) => void store.update(EVENTS, e.metadata.name as string, e, undefined, opts),
  };
}

function failed(name: string, e: unknown): WriteResult {
  if (e instanceof StatusError) return { name, ok: false, code: e.status.code, message: e.status.message };
  return { name, ok: false, code: 500, message: e instanceof Error ? e.message : String(e) };
}

/** Binds each pod (uid precondition) and records Scheduled on success. */
export function bindAll(storage: Storage, store: GenericStore, namespace: string, reqs: BindRequest[], recorder: EventRecorder, now: number): WriteResult[] {
  const sink = eventSink(store);
  return reqs.map((r) => {
    try {
      const { pod } = bindPod(storage, PODS, namespace, { metadata: { name: r.name, uid: r.uid }, target: { kind: "Node", name: r.node } }, now);
      emitEvent(recorder, sink, involvedObject(pod!, "Pod", "v1"), "Normal", "Scheduled", `Successfully assigned ${namespace}/${r.name} to ${r.node}`);
      return { name: r.name, ok: true };
    } catch (e) {
      return failed(r.name, e);
    }
  });
}

/** PodScheduled=False with reason Unschedulable (only when it changes), and a FailedScheduling event. */
export function reportUnschedulable(store: GenericStore, items: Unschedulable[], recorder: EventRecorder, now: number): WriteResult[] {
  const sink = eventSink(store);
  return items.map((u) => {
    try {
      const pod = store.get(PODS, u.name);
      if (pod.metadata.uid !== u.uid || (pod.spec as { nodeName?: string }).nodeName || pod.metadata.deletionTimestamp) return { name: u.name, ok: false, code: 409, message: "pod changed" };
      const status = structuredClone((pod.status ?? {}) as { conditions?: PodCondition[] });
      const want: PodCondition = { type: "PodScheduled", status: "False", reason: "Unschedulable", message: u.message };
      const old = podCondition(status, "PodScheduled");
      if (!old || old.status !== want.status || old.reason !== want.reason || old.message !== want.message) {
        setPodCondition(status, want, rfc3339(now));
        store.update(PODS, u.name, { ...pod, status }, "status", opts);
      }
      emitEvent(recorder, sink, involvedObject(pod, "Pod", "v1"), "Warning", "FailedScheduling", u.message);
      return { name: u.name, ok: true };
    } catch (e) {
      return failed(u.name, e);
    }
  });
}
