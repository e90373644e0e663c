import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { fakeClock, runStorageConformance } from "../../../test/conformance/storage.js";
import type { KubeObject } from "../../apis/types.js";
import { StatusError } from "../../lib/status.js";
import { LogStore } from "../log-store.js";
import { MemoryBackend } from "../memory.js";
import { EncryptingBackend, EncryptionError } from "./backend.js";
import { newKeyEntry, parseEncryptionKeys } from "./keys.js";
import { errorForLog } from "./log-safe.js";

const k1 = newKeyEntry("key1");
const k2 = newKeyEntry("key2");
const SECRET_TEXT = "correct-horse-battery-staple";
const B64 = Buffer.from(SECRET_TEXT).toString("base64");
const secret = (name: string, value = B64): KubeObject => ({ apiVersion: "v1", kind: "Secret", metadata: { name, namespace: "ns" }, data: { password: value }, type: "Opaque" });

// The storage semantics are unchanged when every value is encrypted.
runStorageConformance("memory, every resource encrypted at rest", async (fn) => {
  const clock = fakeClock();
  const mem = new MemoryBackend();
  const open = () => new LogStore(new EncryptingBackend(mem, parseEncryptionKeys(`${k2},${k1}`), "store-1", () => true), clock.now);
  await fn({ store: open(), clock, reopen: open });
});

function setup(keys = `${k2},${k1}`, scope = "store-1") {
  const mem = new MemoryBackend();
  const store = (k = keys, s = scope) => new LogStore(new EncryptingBackend(mem, parseEncryptionKeys(k), s));
  return { mem, store };
}

/** Every value the medium holds, objects and both halves of each log row. */
function rawValues(mem: MemoryBackend): string[] {
  const out: string[] = [];
  for (const r of mem.resources()) for (const o of mem.scanObjects(r, "", 0)) out.push(o.value);
  for (const e of mem.eventsAfter(0)) out.push(e.value, ...(e.prev === null ? [] : [e.prev]));
  return out;
}

describe("Secrets at rest", () => {
  it("objects and log rows hold only ciphertext; reads, lists and events give the plaintext back", () => {
    const { mem, store } = setup();
    const s = store();
    s.create("secrets", "a", secret("a"));
    s.guaranteedUpdate("secrets", "a", (cur) => ({ ...cur!, data: { password: B64, more: B64 } }));
    s.create("secrets", "b", secret("b"));
    s.delete("secrets", "b");
    s.create("configmaps", "c", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { plain: "visible" } });
    const raw = rawValues(mem);
    expect(raw.length).toBeGreaterThan(6);
    for (const v of raw.filter((v) => !v.includes("ConfigMap"))) {
      expect(v.startsWith("k8s:enc:aesgcm:v1:key2:")).toBe(true);
      expect(v).not.toContain(SECRET_TEXT);
      expect(v).not.toContain(B64);
    }
    expect(raw.some((v) => v.includes("visible"))).toBe(true); // other kinds are not encrypted
    expect(s.get("secrets", "a")?.data).toEqual({ password: B64, more: B64 });
    expect(s.list("secrets").items.map((o) => o.metadata.name)).toEqual(["a"]);
    expect(s.list("secrets", { atRevision: 3 }).items.map((o) => o.data)).toEqual([{ password: B64, more: B64 }, { password: B64 }]);
    const events = s.eventsSince(0, "secrets");
    expect(events.map((e) => e.type)).toEqual(["ADDED", "MODIFIED", "ADDED", "DELETED"]);
    expect(events[1].prev?.data).toEqual({ password: B64 });
  });

  it("refuses to store a Secret without a key (503), and other kinds still work", () => {
    const { mem, store } = setup("");
    const s = store();
    let err: unknown;
    try {
      s.create("secrets", "a", secret("a"));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(EncryptionError);
    expect((err as StatusError).status).toMatchObject({ code: 503, reason: "ServiceUnavailable" });
    expect((err as StatusError).message).toMatch(/wrangler secret put ENCRYPTION_KEYS/);
    expect(rawValues(mem)).toEqual([]);
    expect(s.currentRevision()).toBe(0);
    s.create("configmaps", "c", { metadata: { name: "c" } });
    expect(s.currentRevision()).toBe(1);
  });

  it("reads Secrets stored before encryption was turned on", () => {
    const { mem, store } = setup();
    new LogStore(mem).create("secrets", "old", secret("old"));
    expect(store().get("secrets", "old")?.data).toEqual({ password: B64 });
  });

  it("a value under a key no longer listed fails with a message naming the key, never garbage", () => {
    const { store } = setup(`${k1}`);
    store().create("secrets", "a", secret("a"));
    const s = store(k2);
    expect(() => s.get("secrets", "a")).toThrowError(/unable to decrypt secrets "a": it is encrypted with key "key1", which ENCRYPTION_KEYS does not list \(it lists "key2"\)/);
    const e = (() => {
      try {
        s.list("secrets");
      } catch (e) {
        return e as StatusError;
      }
    })();
    expect(e?.status).toMatchObject({ code: 500, reason: "InternalError" });
    expect(() => s.eventsSince(0)).toThrowError(/key "key1"/);
    expect(() => store("key1:" + k2.slice(5)).get("secrets", "a")).toThrowError(/authentication with key "key1" failed/);
  });

  it("a value copied to another name or another store does not open", () => {
    const { mem, store } = setup();
    store().create("secrets", "a", secret("a"));
    mem.putObject("secrets", "b", 9, mem.getObject("secrets", "a")!);
    expect(() => store().get("secrets", "b")).toThrowError(/authentication with key "key2" failed/);
    expect(() => store(undefined, "store-2").get("secrets", "a")).toThrowError(/authentication/);
  });
});

describe("errorForLog", () => {
  it("keeps the error's kind and stack but not text a parser quoted from stored data", () => {
    let e: unknown;
    try {
      JSON.parse(`{"data":{"password":"${B64}"`);
    } catch (x) {
      e = x;
    }
    const logged = errorForLog(e);
    expect(logged).toMatch(/^SyntaxError: /);
    expect(logged).not.toContain(B64);
    expect(logged).toMatch(/\n\s+at /);
    expect(errorForLog({ data: B64 })).not.toContain(B64);
    expect(errorForLog(new StatusError({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", code: 404, message: 'secrets "a" not found' }))).toContain('secrets "a" not found');
  });
});
