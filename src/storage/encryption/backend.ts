// Secrets encrypted at rest: a Backend wrapper that seals the values of encrypted resources on
// their way into the medium (object rows and both values of a watch-log row) and opens them on
// the way out, as upstream's value transformers sit between the etcd3 store and etcd. Everything
// above (LogStore, watch, lists at old revisions, compaction) sees plaintext JSON, synchronously.
import { failure, internalError, StatusError, type Status } from "../../lib/status.js";
import type { Backend, EventRow } from "../backend.js";
import { describeValue, open, seal, type Opened } from "./envelope.js";
import { parseEncryptionKeys, type Keyring } from "./keys.js";

/** The storage keys whose values are encrypted: core/v1 Secrets. */
export const ENCRYPTED_RESOURCES: ReadonlySet<string> = new Set(["secrets"]);

/** In-place rewrites at the same revision, for re-encryption (no new revision, no event). */
export interface ValueRewriter {
  rewriteObjectValue(resource: string, name: string, value: string): void;
  rewriteEventValues(revision: number, value: string, prev: string | null): void;
}

/** A Status error of the encryption layer; its message never holds stored data or key material. */
export class EncryptionError extends StatusError {}

/** What a rotation found and did, per kind of row: values already under the current key, rewritten ones by the key they were under ("identity": stored unencrypted), and unreadable ones by key. */
export interface RotationTally {
  current: number;
  rewritten: Record<string, number>;
  failed: Record<string, number>;
}

export interface RotationReport {
  keyName: string;
  objects: RotationTally;
  watchLog: RotationTally;
}

/** A value, as it crosses Durable Object RPC (a thrown StatusError would lose its class). */
export type RotationOutcome = { ok: true; report: RotationReport } | { ok: false; status: Status };

const PAGE = 128;

export class EncryptingBackend implements Backend {
  private warnedNoKey = false;

  /**
   * @param scope names the store (the Durable Object's id): part of every value's authenticated
   *   data with the resource and name, so a value copied into another store or row fails to open.
   */
  constructor(
    private readonly inner: Backend & Partial<ValueRewriter>,
    private readonly keyring: Keyring,
    private readonly scope: string,
    private readonly encrypts: (resource: string) => boolean = (r) => ENCRYPTED_RESOURCES.has(r),
  ) {}

  transaction<T>(fn: () => T): T {
    return this.inner.transaction(fn);
  }
  readMeta() {
    return this.inner.readMeta();
  }
  writeMeta(revision: number, compacted: number) {
    this.inner.writeMeta(revision, compacted);
  }
  getObject(resource: string, name: string) {
    const v = this.inner.getObject(resource, name);
    return v === undefined ? undefined : this.decode(resource, name, v);
  }
  putObject(resource: string, name: string, revision: number, value: string) {
    this.inner.putObject(resource, name, revision, this.encode(resource, name, value));
  }
  deleteObject(resource: string, name: string) {
    this.inner.deleteObject(resource, name);
  }
  *scanObjects(resource: string, startAfter: string, limit: number) {
    for (const o of this.inner.scanObjects(resource, startAfter, limit)) yield { name: o.name, value: this.decode(resource, o.name, o.value) };
  }
  countObjects(resource: string, after?: string) {
    return this.inner.countObjects(resource, after);
  }
  resources() {
    return this.inner.resources();
  }
  appendEvent(row: EventRow) {
    const encode = (v: string) => this.encode(row.resource, row.name, v);
    this.inner.appendEvent({ ...row, value: encode(row.value), prev: row.prev === null ? null : encode(row.prev) });
  }
  *eventsAfter(revision: number, resource?: string) {
    for (const row of this.inner.eventsAfter(revision, resource)) yield this.decodeRow(row);
  }
  *firstEventsAfter(resource: string, revision: number) {
    for (const row of this.inner.firstEventsAfter(resource, revision)) yield this.decodeRow(row);
  }
  eventCount() {
    return this.inner.eventCount();
  }
  deleteEventsUpTo(upTo: number) {
    return this.inner.deleteEventsUpTo(upTo);
  }
  lastRevisionBefore(ts: number) {
    return this.inner.lastRevisionBefore(ts);
  }
  revisionFromEnd(n: number) {
    return this.inner.revisionFromEnd(n);
  }

  /**
   * Re-encrypts every stored value of the encrypted resources, objects and watch-log rows, under
   * the first key; values stored unencrypted are encrypted. Revisions do not change and no event
   * is written: only the representation at rest changes. Values under a key no longer listed
   * are counted as failed and left as they are. Idempotent: run it again after fixing the keys.
   */
  rotate(resources: Iterable<string> = ENCRYPTED_RESOURCES): RotationOutcome {
    const key = this.keyring.primary;
    if (this.keyring.problem) return { ok: false, status: internalError(this.keyring.problem).status };
    if (!key) return { ok: false, status: noKeyError().status };
    const { rewriteObjectValue, rewriteEventValues } = this.inner;
    if (!rewriteObjectValue || !rewriteEventValues) throw new Error("this storage medium cannot rewrite values in place");
    const report: RotationReport = { keyName: key.name, objects: tally(), watchLog: tally() };
    // One value: undefined when it stays as it is, else its new sealed form.
    const reseal = (t: RotationTally, resource: string, name: string, value: string): string | undefined => {
      const opened = open(this.keyring, value, this.aad(resource, name));
      if (!opened.ok) {
        const k = opened.keyName ?? "unknown";
        t.failed[k] = (t.failed[k] ?? 0) + 1;
        return undefined;
      }
      const d = describeValue(value);
      if (d.encrypted && d.keyName === key.name) {
        t.current++;
        return undefined;
      }
      const from = d.encrypted ? (d.keyName ?? "unknown") : "identity";
      t.rewritten[from] = (t.rewritten[from] ?? 0) + 1;
      return seal(key, opened.plaintext, this.aad(resource, name));
    };
    for (const resource of resources) {
      for (let after = "", more = true; more; ) {
        const page = [...this.inner.scanObjects(resource, after, PAGE)];
        more = page.length === PAGE;
        if (page.length) after = page[page.length - 1].name;
        const writes = page.flatMap((o) => {
          const v = reseal(report.objects, resource, o.name, o.value);
          return v === undefined ? [] : [{ name: o.name, value: v }];
        });
        if (writes.length) this.inner.transaction(() => writes.forEach((w) => rewriteObjectValue.call(this.inner, resource, w.name, w.value)));
      }
      for (let after = 0, more = true; more; ) {
        const page: EventRow[] = [];
        for (const row of this.inner.eventsAfter(after, resource)) {
          page.push(row);
          if (page.length === PAGE) break;
        }
        more = page.length === PAGE;
        if (page.length) after = page[page.length - 1].revision;
        const writes = page.flatMap((r) => {
          const value = reseal(report.watchLog, resource, r.name, r.value);
          const prev = r.prev === null ? undefined : reseal(report.watchLog, resource, r.name, r.prev);
          return value === undefined && prev === undefined ? [] : [{ revision: r.revision, value: value ?? r.value, prev: prev ?? r.prev }];
        });
        if (writes.length) this.inner.transaction(() => writes.forEach((w) => rewriteEventValues.call(this.inner, w.revision, w.value, w.prev)));
      }
    }
    return { ok: true, report };
  }

  private aad(resource: string, name: string): string {
    return JSON.stringify([this.scope, resource, name]);
  }

  private encode(resource: string, name: string, value: string): string {
    if (!this.encrypts(resource)) return value;
    if (this.keyring.problem) throw new EncryptionError(internalError(this.keyring.problem).status);
    const key = this.keyring.primary;
    if (!key) {
      if (!this.warnedNoKey) {
        this.warnedNoKey = true;
        console.warn(`refusing to store ${resource}: ENCRYPTION_KEYS is not set (see docs/security.md, "Data at rest")`);
      }
      throw noKeyError(resource);
    }
    return seal(key, value, this.aad(resource, name));
  }

  private decode(resource: string, name: string, value: string): string {
    const opened = open(this.keyring, value, this.aad(resource, name));
    if (opened.ok) return opened.plaintext;
    throw decryptError(this.keyring, resource, name, opened);
  }

  private decodeRow(row: EventRow): EventRow {
    return {
      ...row,
      value: this.decode(row.resource, row.name, row.value),
      prev: row.prev === null ? null : this.decode(row.resource, row.name, row.prev),
    };
  }
}

const tally = (): RotationTally => ({ current: 0, rewritten: {}, failed: {} });

/** Several tallies added up (a report across stores). */
export function sumTallies(ts: RotationTally[]): RotationTally {
  const t = tally();
  for (const x of ts) {
    t.current += x.current;
    for (const [k, n] of Object.entries(x.rewritten)) t.rewritten[k] = (t.rewritten[k] ?? 0) + n;
    for (const [k, n] of Object.entries(x.failed)) t.failed[k] = (t.failed[k] ?? 0) + n;
  }
  return t;
}

/** 503: Secrets are never stored in the clear; the operator has to configure a key. */
export function noKeyError(resource = "secrets"): EncryptionError {
  return new EncryptionError(
    failure(
      503,
      "ServiceUnavailable",
      `${resource} cannot be stored: the control plane has no encryption key for data at rest. ` +
        `The operator must set the Worker secret ENCRYPTION_KEYS, e.g. ` +
        `'echo "key1:$(openssl rand -base64 32)" | npx wrangler secret put ENCRYPTION_KEYS' (see docs/security.md, "Data at rest")`,
    ),
  );
}

function decryptError(keyring: Keyring, resource: string, name: string, o: Extract<Opened, { ok: false }>): EncryptionError {
  const what = `unable to decrypt ${resource} "${name}"`;
  const listed = [...keyring.byName.keys()];
  const lists = listed.length ? `it lists ${listed.map((k) => `"${k}"`).join(", ")}` : "it lists no key";
  let why: string;
  if (keyring.problem) why = keyring.problem;
  else if (o.reason === "unknownKey") {
    why = `it is encrypted with key "${o.keyName}", which ENCRYPTION_KEYS does not list (${lists}). Put key "${o.keyName}" back in ENCRYPTION_KEYS after the first key, then run 'edgeplane secrets rotate' before removing it`;
  } else if (o.reason === "unauthenticated") {
    why = `authentication with key "${o.keyName}" failed: ENCRYPTION_KEYS holds another secret under that name than the one it was encrypted with, or the stored value was altered`;
  } else if (o.reason === "unknownProvider") {
    why = "it is encrypted by a provider edgeplane does not know (only k8s:enc:aesgcm:v1 is read)";
  } else {
    why = "the stored value is not a well-formed k8s:enc:aesgcm:v1 value";
  }
  return new EncryptionError(internalError(`${what}: ${why}`).status);
}

/** A store's medium with Secrets encrypted under the keys of ENCRYPTION_KEYS; `scope` names the store (its Durable Object id). */
export function encryptedAtRest(inner: Backend & ValueRewriter, encryptionKeys: string | undefined, scope: string): EncryptingBackend {
  return new EncryptingBackend(inner, parseEncryptionKeys(encryptionKeys), scope);
}
