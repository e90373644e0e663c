// The selectors of a namespace's Services, kept in memory so a pod write maps to the Services
// selecting it without listing every Service (upstream reads its service informer's cache).
// Built from one list the first time it is asked, then kept current by the store's events.
import type { Pod } from "../../apis/core/v1/pod.js";
import type { Service } from "../../apis/core/v1/service.js";
import { findKind } from "../../apis/index.js";
import type { KubeObject } from "../../apis/types.js";
import type { StoredEvent } from "../../storage/interface.js";
import type { Controller, StoreContext } from "../controller.js";
import { joinKey } from "../runtime/keys.js";
import { podEndpointsChanged, selectorMatches, selectorOf } from "./pod-endpoints.js";

const SERVICES = findKind("", "v1", "services")!;

export class ServiceSelectorIndex {
  /** Service name → selector, for Services that have one. */
  private selectors: Map<string, Record<string, string>> | undefined;

  /** Takes in a Service write; call it with every stored event before asking. */
  observe(e: StoredEvent, ctx: StoreContext): void {
    if (e.resource !== "services") return;
    if (!this.selectors) return this.rebuild(ctx); // the list already holds this write
    const sel = e.type === "DELETED" ? undefined : selectorOf(e.object as unknown as Service);
    if (sel) this.selectors.set(e.name, sel);
    else this.selectors.delete(e.name);
  }

  /** Re-reads every Service (a resync). */
  rebuild(ctx: StoreContext): void {
    this.selectors = new Map();
    for (const obj of ctx.list(SERVICES)) {
      const sel = selectorOf(obj as unknown as Service);
      if (sel) this.selectors.set(obj.metadata.name ?? "", sel);
    }
  }

  /** Whether the Service exists and has a selector. */
  hasSelector(ctx: StoreContext, name: string): boolean {
    if (!this.selectors) this.rebuild(ctx);
    return this.selectors!.has(name);
  }

  /** GetPodServiceMemberships: the Services whose selector matches these labels. */
  selecting(ctx: StoreContext, labels: Record<string, string> | undefined): string[] {
    if (!this.selectors) this.rebuild(ctx);
    const out: string[] = [];
    for (const [name, sel] of this.selectors!) if (selectorMatches(sel, labels)) out.push(name);
    return out;
  }
}

/**
 * GetServicesToUpdateOnPodChange and the add/delete handlers: the Services a pod write concerns.
 * An update that changes neither the pod's endpoint (ready, IPs, terminating, node) nor its labels
 * concerns none; one that changes only labels concerns the Services it joined or left.
 */
export function servicesForPodEvent(index: ServiceSelectorIndex, e: StoredEvent, ctx: StoreContext): string[] {
  if (e.resource !== "pods") return [];
  const labelsOf = (o: KubeObject) => o.metadata.labels;
  if (e.type !== "MODIFIED" || !e.prev) return index.selecting(ctx, labelsOf(e.object));
  const prev = e.prev as unknown as Pod;
  const cur = e.object as unknown as Pod;
  if (prev.metadata.resourceVersion === cur.metadata.resourceVersion) return [];
  const { podChanged, labelsChanged } = podEndpointsChanged(prev, cur);
  if (!podChanged && !labelsChanged) return [];
  const now = index.selecting(ctx, cur.metadata.labels);
  if (!labelsChanged) return now;
  const before = index.selecting(ctx, prev.metadata.labels);
  if (podChanged) return [...new Set([...now, ...before])];
  return [...now.filter((s) => !before.includes(s)), ...before.filter((s) => !now.includes(s))];
}

/**
 * The handlers the Endpoints and EndpointSlice controllers share (upstream's onServiceUpdate and
 * onServiceDelete, addPod/updatePod/deletePod): a Service write concerns that Service, a pod write
 * the Services selecting the pod before or after it; a resync, every Service. `ownKeys` maps the
 * writes of the controller's own kind (Endpoints, EndpointSlices) to the Services they concern.
 */
export function serviceAndPodHandlers(ownKeys: (e: StoredEvent, ctx: StoreContext) => string[]): Pick<Controller, "keysFor" | "resyncKeys"> {
  const services = new ServiceSelectorIndex();
  return {
    keysFor(e, ctx) {
      services.observe(e, ctx);
      if (e.resource === "services") return [joinKey(ctx.namespace, e.name)];
      if (e.resource === "pods") return servicesForPodEvent(services, e, ctx).map((s) => joinKey(ctx.namespace, s));
      return ownKeys(e, ctx);
    },
    resyncKeys(ctx) {
      services.rebuild(ctx);
      return ctx.list(SERVICES).map((s) => joinKey(ctx.namespace, s.metadata.name ?? ""));
    },
  };
}
