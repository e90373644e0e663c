// Taint-based eviction's writes into one namespace store, run inside that store: for each pod, the
// DisruptionTarget condition, upstream's TaintManagerEviction event, then a graceful delete with a
// uid precondition (the agent finishes it; a dead node's pod stays Terminating, as upstream).
import { findKind } from "../../apis/index.js";
import { setPodCondition, type PodCondition } from "../../apis/core/v1/pod-conditions.js";
import { rfc3339 } from "../../lib/clock.js";
import type { GenericStore } from "../../registry/generic-store.js";
import type { PodEviction } from "../nodelifecycle/types.js";
import { emitEvent, involvedObject } from "../runtime/emit.js";
import type { EventRecorder } from "../runtime/events.js";
import type { WriteResult } from "./scheduling-writes.js";

const PODS = findKind("", "v1", "pods")!;
const EVENTS = findKind("", "v1", "events")!;
export const TAINT_EVICTION_CONTROLLER = "taint-eviction-controller";
const opts = { fieldManager: TAINT_EVICTION_CONTROLLER };

export function evictPods(store: GenericStore, evictions: PodEviction[], recorder: EventRecorder, now: number): WriteResult[] {
  const sink = {
    createEvent: (e: Parameters<GenericStore["create"]>[1]) => void store.create(EVENTS, e, opts),
    updateEvent: (e: { metadata: { name?: string } }) => void store.update(EVENTS, e.metadata.name as string, e, undefined, opts),
  };
  return evictions.map((ev) => {
    try {
      const pod = store.get(PODS, ev.name);
      if (pod.metadata.uid !== ev.uid || pod.metadata.deletionTimestamp) return { name: ev.name, ok: false, code: 409, message: "pod changed" };
      emitEvent(recorder, sink, involvedObject(pod, "Pod", "v1"), "Normal", ev.reason, ev.message);
      const status = structuredClone((pod.status ?? {}) as { conditions?: PodCondition[] });
      if (setPodCondition(status, ev.condition, rfc3339(now))) store.update(PODS, ev.name, { ...pod, status }, "status", opts);
      store.delete(PODS, ev.name, { preconditions: { uid: ev.uid } });
      return { name: ev.name, ok: true };
    } catch (e) {
      const code = (e as { status?: { code?: number } }).status?.code ?? 500;
      return { name: ev.name, ok: false, code, message: e instanceof Error ? e.message : String(e) };
    }
  });
}
