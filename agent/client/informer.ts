// client-go's reflector for the agent: list, then watch from the list's resourceVersion with
// bookmarks, resume from the last resourceVersion seen when the connection drops, list again
// after 410 Expired. The objects live in an InformerCache (the controllers' own); while the
// control plane is unreachable the cache keeps what it had, so the node keeps its pods.
import type { KubeObject } from "../../src/apis/types.js";
import { InformerCache, type CacheChange } from "../../src/controllers/runtime/informer-cache.js";
import type { ApiClient } from "./api-client.js";
import { Backoff, sleep } from "./backoff.js";
import { describe, isTransient } from "./errors.js";
import { watch } from "./watch.js";

export interface InformerOptions<T extends KubeObject> {
  client: ApiClient;
  /** The list path with its selectors, e.g. /api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1. */
  listPath: string;
  onChange(change: CacheChange<T>): void;
  /** After every successful list (the first sync, and each re-list). */
  onList?(): void;
  /** An error that is not the network's (which Connectivity reports), once per change of error. */
  onError?(message: string): void;
  /** Server-side watch timeout range, as the reflector's 5–10 minutes. */
  minWatchSeconds?: number;
}

export class Informer<T extends KubeObject> {
  readonly cache = new InformerCache<T>();
  private readonly abort = new AbortController();
  private readonly backoff = new Backoff();
  private lastError = "";
  private loop?: Promise<void>;

  constructor(private readonly o: InformerOptions<T>) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    let needList = true;
    while (!signal.aborted) {
      if (needList) {
        try {
          const list = await this.o.client.get<{ items: T[]; metadata: { resourceVersion: string } }>(this.o.listPath, signal);
          const changes = this.cache.replace(list.items ?? [], list.metadata?.resourceVersion ?? "");
          needList = false;
          this.recovered();
          for (const c of changes) this.o.onChange(c);
          this.o.onList?.();
        } catch (err) {
          if (signal.aborted) break;
          this.failed(err, "listing");
          await sleep(this.backoff.next(), signal);
          continue;
        }
      }
      const min = this.o.minWatchSeconds ?? 300;
      const timeoutSeconds = Math.floor(min + Math.random() * min);
      const sep = this.o.listPath.includes("?") ? "&" : "?";
      const path = `${this.o.listPath}${sep}watch=true&allowWatchBookmarks=true&timeoutSeconds=${timeoutSeconds}&resourceVersion=${encodeURIComponent(this.cache.resourceVersion)}`;
      const startedAt = Date.now();
      let relist = false;
      const end = await watch<T>(
        this.o.client,
        path,
        (event) => {
          if (relist) return;
          const outcome = this.cache.apply(event as never);
          if (outcome.status === "applied") this.o.onChange(outcome.change);
          else if (outcome.status === "relist") relist = true;
        },
        signal,
      );
      if (signal.aborted) break;
      if (relist || end.status === "expired") {
        needList = true;
        continue;
      }
      if (end.status === "closed" && (end.events > 0 || Date.now() - startedAt > 1000)) {
        this.recovered();
        continue;
      }
      if (end.status === "failed") this.failed(end.error, "watching");
      await sleep(this.backoff.next(), signal);
    }
  }

  private failed(err: unknown, doing: string): void {
    // Network failures are reported once for the whole process by Connectivity; a server briefly
    // unable to answer (5xx, 429) is retried without a word.
    if (isTransient(err)) return;
    const message = `${doing} ${this.o.listPath} failed: ${describe(err)}`;
    if (message !== this.lastError) this.o.onError?.(message);
    this.lastError = message;
  }

  private recovered(): void {
    this.backoff.reset();
    this.lastError = "";
  }
}
