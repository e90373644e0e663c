// Events as client-go's EventRecorder writes them, with its EventCorrelator (aggregation of
// similar events, count+1 for repeats, per-object spam filter). Pure: it returns the write to make.
import type { CoreEvent } from "../../apis/core/v1/event.js";
import { type Clock, rfc3339 } from "../../lib/clock.js";
import { LruCache } from "./lru.js";

export type Event = CoreEvent;
export type EventType = "Normal" | "Warning";

/** The object an event is about (a core/v1 ObjectReference). */
export interface InvolvedObject {
  kind: string;
  apiVersion: string;
  name: string;
  namespace?: string;
  uid: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/**
 * What to write. `update` is a full Event under the existing event's name: PUT it (core/v1
 * Events allow unconditional update and create-on-update, so it lands even if the first write
 * failed or the event expired). `drop` means the spam filter held it back.
 */
export type EventAction = { create: Event } | { update: Event } | { drop: "spam" };

export interface EventRecorderOptions {
  /** source.component and reportingComponent, e.g. `replicaset-controller`. */
  component: string;
  /** source.host and reportingInstance; controllers usually leave it empty. */
  host?: string;
  now: Clock;
  /** Entries in each correlator cache (upstream: 4096). */
  lruSize?: number;
  /** Distinct messages with one reason before they are combined (upstream: 10). */
  aggregateMaxEvents?: number;
  /** Window for combining and for counting repeats (upstream's aggregator: 600 s). */
  aggregateIntervalMs?: number;
  /** Spam filter: token bucket per source and object (upstream: 25 burst, 1 per 300 s). */
  spamBurst?: number;
  spamQps?: number;
}

export const COMBINED_PREFIX = "(combined from similar events): ";

interface EventLog {
  count: number;
  firstTimestamp: string | undefined;
  name: string;
  lastMs: number;
}

interface AggregateRecord {
  localKeys: Set<string>;
  lastMs: number;
}

/** golang.org/x/time/rate as TokenBucketPassiveRateLimiter uses it: starts full, refills continuously. */
class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly qps: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.last = now;
  }

  tryAccept(now: number): boolean {
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.last) / 1000) * this.qps);
    this.last = Math.max(this.last, now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

// Keys as upstream's getEventKey, EventAggregatorByReasonFunc and getSpamKey, joined with a
// separator that cannot occur in names so that no two different events share a key.
const join = (parts: Array<string | undefined>) => parts.map((p) => p ?? "").join("\u0000");

const sourceAndObject = (e: Event) => {
  const o = e.involvedObject;
  return [e.source?.component, e.source?.host, o.kind, o.namespace, o.name];
};

const eventKey = (e: Event) =>
  join([...sourceAndObject(e), e.involvedObject.fieldPath, e.involvedObject.uid, e.involvedObject.apiVersion, e.type, e.reason, e.message]);

const aggregateKey = (e: Event) =>
  join([...sourceAndObject(e), e.involvedObject.uid, e.involvedObject.apiVersion, e.type, e.reason, e.reportingComponent, e.reportingInstance]);

const spamKey = (e: Event) => join([...sourceAndObject(e), e.involvedObject.uid, e.involvedObject.apiVersion]);

export class EventRecorder {
  private readonly now: Clock;
  private readonly component: string;
  private readonly host: string;
  private readonly maxEvents: number;
  private readonly intervalMs: number;
  private readonly spamBurst: number;
  private readonly spamQps: number;
  private readonly aggregates: LruCache<string, AggregateRecord>;
  private readonly logs: LruCache<string, EventLog>;
  private readonly spam: LruCache<string, TokenBucket>;
  /** Last nanosecond timestamp used in a name, so two events in one millisecond get distinct names. */
  private lastNanos = 0n;

  constructor(options: EventRecorderOptions) {
    this.now = options.now;
    this.component = options.component;
    this.host = options.host ?? "";
    this.maxEvents = options.aggregateMaxEvents ?? 10;
    this.intervalMs = options.aggregateIntervalMs ?? 600_000;
    this.spamBurst = options.spamBurst ?? 25;
    this.spamQps = options.spamQps ?? 1 / 300;
    const size = options.lruSize ?? 4096;
    this.aggregates = new LruCache(size);
    this.logs = new LruCache(size);
    this.spam = new LruCache(size);
  }

  /** Record that `reason` happened to `involved`; returns the Event write to make. */
  record(involved: InvolvedObject, type: EventType, reason: string, message: string): EventAction {
    const nowMs = this.now();
    const event = this.makeEvent(involved, type, reason, message, nowMs);
    const [aggregated, key] = this.aggregate(event, nowMs);
    const observed = this.observe(aggregated, key, nowMs);
    // As upstream, the filter runs last: a dropped repeat still counts in the next write.
    if (!this.accept(observed, nowMs)) return { drop: "spam" };
    return (observed.count ?? 1) > 1 ? { update: observed } : { create: observed };
  }

  /** recorderImpl.makeEvent. */
  private makeEvent(ref: InvolvedObject, type: EventType, reason: string, message: string, nowMs: number): Event {
    const t = rfc3339(nowMs);
    const involvedObject: Event["involvedObject"] = { kind: ref.kind, namespace: ref.namespace, name: ref.name, uid: ref.uid, apiVersion: ref.apiVersion };
    if (ref.resourceVersion !== undefined) involvedObject.resourceVersion = ref.resourceVersion;
    if (ref.fieldPath !== undefined) involvedObject.fieldPath = ref.fieldPath;
    if (involvedObject.namespace === undefined) delete involvedObject.namespace;
    const source: NonNullable<Event["source"]> = { component: this.component };
    if (this.host) source.host = this.host;
    return {
      apiVersion: "v1",
      kind: "Event",
      // Cluster-scoped objects' events live in `default`, as upstream.
      metadata: { name: this.eventName(ref.name, nowMs), namespace: ref.namespace || "default" },
      involvedObject,
      reason,
      message,
      source,
      firstTimestamp: t,
      lastTimestamp: t,
      count: 1,
      type,
      reportingComponent: this.component,
      reportingInstance: this.host,
    };
  }

  /** `fmt.Sprintf("%v.%x", ref.Name, t.UnixNano())`. */
  private eventName(name: string, nowMs: number): string {
    let nanos = BigInt(Math.round(nowMs * 1000)) * 1000n;
    if (nanos <= this.lastNanos) nanos = this.lastNanos + 1n;
    this.lastNanos = nanos;
    return `${name}.${nanos.toString(16)}`;
  }

  /** EventAggregator.EventAggregate: after maxEvents distinct messages with one reason in the window, combine them. */
  private aggregate(event: Event, nowMs: number): [Event, string] {
    const aKey = aggregateKey(event);
    let record = this.aggregates.get(aKey);
    if (!record || nowMs - record.lastMs > this.intervalMs) record = { localKeys: new Set(), lastMs: nowMs };
    record.localKeys.add(event.message ?? "");
    record.lastMs = nowMs;
    this.aggregates.set(aKey, record);
    if (record.localKeys.size < this.maxEvents) return [event, eventKey(event)];
    // Keep the set from growing past the threshold (upstream pops an arbitrary one).
    record.localKeys.delete(record.localKeys.values().next().value as string);
    const combined: Event = structuredClone(event);
    combined.message = COMBINED_PREFIX + (event.message ?? "");
    return [combined, aKey];
  }

  /**
   * eventLogger.eventObserve: a repeat of a recent event becomes an update of it, with
   * count+1, the first event's name and firstTimestamp, and a new lastTimestamp. Upstream's
   * logger has no time limit (only LRU eviction); here a repeat more than the aggregation
   * interval after the last one starts a new Event, so counts never resurrect an expired event.
   */
  private observe(event: Event, key: string, nowMs: number): Event {
    const last = this.logs.get(key);
    const observed: Event = { ...event };
    if (last && last.count > 0 && nowMs - last.lastMs <= this.intervalMs) {
      observed.metadata = { ...event.metadata, name: last.name };
      observed.firstTimestamp = last.firstTimestamp;
      observed.count = last.count + 1;
    }
    this.logs.set(key, { count: observed.count ?? 1, firstTimestamp: observed.firstTimestamp, name: observed.metadata.name ?? "", lastMs: nowMs });
    return observed;
  }

  /** EventSourceObjectSpamFilter.Filter, inverted: true when the event may be written. */
  private accept(event: Event, nowMs: number): boolean {
    const key = spamKey(event);
    let bucket = this.spam.get(key);
    if (!bucket) bucket = new TokenBucket(this.spamQps, this.spamBurst, nowMs);
    const ok = bucket.tryAccept(nowMs);
    this.spam.set(key, bucket);
    return ok;
  }
}
