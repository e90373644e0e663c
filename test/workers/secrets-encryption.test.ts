// Secrets encrypted at rest, inside workerd: created through the API, then looked for in the
// Durable Object's raw SQLite (every table, every column) where they must not appear, while
// GET, LIST and WATCH give them back intact; rotation through the admin route; a value under a
// key that ENCRYPTION_KEYS no longer lists fails with a message naming the key.
import { Buffer } from "node:buffer";
import { env, runInDurableObject } from "cloudflare:test";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { SqliteBackend } from "../../durable-objects/sqlite/statements.js";
import type { AppEnv } from "../../src/api/context.js";
import { encryptionRoutes } from "../../src/api/encryption.js";
import { StatusError } from "../../src/lib/status.js";
import { EncryptingBackend } from "../../src/storage/encryption/backend.js";
import { aesGcmOpen, aesGcmSeal } from "../../src/storage/encryption/envelope.js";
import { newKeyEntry, parseEncryptionKeys } from "../../src/storage/encryption/keys.js";
import { GCM_TEST_CASE_16 as tc, hex, toHex } from "../fixtures/aes-gcm-vectors.js";
import { Watch, del, get, newNs, nsStub, patch, post, put } from "./helpers.js";

// The test bindings' ENCRYPTION_KEYS (vitest.config.ts): "key2:…,key1:…".
const [KEY2, KEY1] = env.ENCRYPTION_KEYS!.split(",");
const PASSWORD = "s3cr3t-p4ssw0rd-for-the-database";
const TOKEN = "tok-7f3a9c1e5b2d4680";
const b64 = (s: string) => Buffer.from(s).toString("base64");

/** Strings that must never be in the database: the plain values and their base64 forms. */
const NEEDLES = [PASSWORD, TOKEN, b64(PASSWORD), b64(TOKEN), b64(`${PASSWORD}-v2`), `${PASSWORD}-v2`];

const secretBody = (name: string) => ({
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name, labels: { app: "db" } },
  stringData: { password: PASSWORD },
  data: { token: b64(TOKEN) },
});

/** Every row of every table of the store's SQLite, as text (blobs as UTF-8 and hex). */
async function dumpDatabase(namespace: string): Promise<{ tables: string[]; text: string; secretValues: string[] }> {
  return runInDurableObject(nsStub(namespace), async (_instance, state) => {
    const sql = state.storage.sql;
    const tables = sql.exec(`SELECT name FROM sqlite_master WHERE type = 'table'`).toArray().map((r) => String(r.name));
    const parts: string[] = [];
    for (const t of tables) {
      let rows: Record<string, SqlStorageValue>[];
      try {
        rows = sql.exec(`SELECT * FROM "${t.replaceAll('"', '""')}"`).toArray();
      } catch (e) {
        // Only the runtime's own tables may be closed to us; they must be named so.
        expect(t.startsWith("_cf_"), `${t}: ${String(e)}`).toBe(true);
        continue;
      }
      for (const r of rows) {
        for (const v of Object.values(r)) {
          if (v instanceof ArrayBuffer) parts.push(Buffer.from(v).toString("utf8"), Buffer.from(v).toString("hex"));
          else parts.push(String(v));
        }
      }
    }
    const secretValues = [
      ...sql.exec(`SELECT value FROM objects WHERE resource = 'secrets'`).toArray().map((r) => String(r.value)),
      ...sql.exec(`SELECT value, prev FROM events WHERE resource = 'secrets'`).toArray().flatMap((r) => [String(r.value), ...(r.prev === null ? [] : [String(r.prev)])]),
    ];
    return { tables, text: parts.join("\n"), secretValues };
  });
}

/** Re-encrypts the store's Secrets in place under another key list, as an earlier configuration would have written them. */
async function reencryptInStore(namespace: string, keys: string) {
  return runInDurableObject(nsStub(namespace), async (_instance, state) => {
    const out = new EncryptingBackend(new SqliteBackend(state.storage), parseEncryptionKeys(keys), state.id.toString()).rotate();
    if (!out.ok) throw new StatusError(out.status);
    return out.report;
  });
}

const keyIdsOf = (values: string[]) => [...new Set(values.map((v) => /^k8s:enc:aesgcm:v1:([^:]+):/.exec(v)?.[1] ?? "plain"))].sort();

async function newSecretNs(): Promise<string> {
  const ns = await newNs("enc");
  const r = await post(`/api/v1/namespaces/${ns}/secrets`, secretBody("db"));
  expect(r.status, r.text).toBe(201);
  expect(r.body.data).toEqual({ password: b64(PASSWORD), token: b64(TOKEN) });
  return ns;
}

describe("AES-256-GCM in workerd (node:crypto under nodejs_compat)", () => {
  it("is synchronous and gives the specification's known answer", () => {
    const sealed = aesGcmSeal(hex(tc.key), hex(tc.iv), hex(tc.plaintext), hex(tc.aad));
    expect(toHex(sealed)).toBe(tc.ciphertext + tc.tag);
    expect(toHex(aesGcmOpen(hex(tc.key), hex(tc.iv), sealed, hex(tc.aad)))).toBe(tc.plaintext);
    sealed[0] ^= 1;
    expect(() => aesGcmOpen(hex(tc.key), hex(tc.iv), sealed, hex(tc.aad))).toThrow();
  });
});

describe("Secrets at rest", () => {
  it("are nowhere in the store's SQLite, while GET, LIST and WATCH return them intact", async () => {
    const ns = await newNs("enc");
    // A revision before the writes (not "0": that would ask for the current state instead).
    const before = (await post(`/api/v1/namespaces/${ns}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "first" } })).body.metadata.resourceVersion;
    expect((await post(`/api/v1/namespaces/${ns}/secrets`, secretBody("db"))).status).toBe(201);
    const cur = (await get(`/api/v1/namespaces/${ns}/secrets/db`)).body;
    expect(cur.data).toEqual({ password: b64(PASSWORD), token: b64(TOKEN) });
    const updated = await put(`/api/v1/namespaces/${ns}/secrets/db`, { ...cur, data: { ...cur.data, password: b64(`${PASSWORD}-v2`) } });
    expect(updated.status, updated.text).toBe(200);
    expect((await post(`/api/v1/namespaces/${ns}/secrets`, secretBody("gone"))).status).toBe(201);
    expect((await del(`/api/v1/namespaces/${ns}/secrets/gone`)).status).toBe(200);

    const db = await dumpDatabase(ns);
    expect(db.tables).toEqual(expect.arrayContaining(["objects", "events", "meta"]));
    for (const needle of NEEDLES) expect(db.text.includes(needle), `"${needle}" found in the SQLite of ${ns}`).toBe(false);
    // 1 object; log rows: db ADDED, db MODIFIED (+prev), gone ADDED, gone DELETED (+prev).
    expect(db.secretValues.length).toBe(7);
    expect(keyIdsOf(db.secretValues)).toEqual(["key2"]);

    const want = { password: b64(`${PASSWORD}-v2`), token: b64(TOKEN) };
    expect((await get(`/api/v1/namespaces/${ns}/secrets/db`)).body.data).toEqual(want);
    expect((await get(`/api/v1/namespaces/${ns}/secrets`)).body.items.map((s: any) => s.data)).toEqual([want]);
    expect((await get(`/api/v1/namespaces/${ns}/secrets?limit=1`)).body.items.map((s: any) => s.data)).toEqual([want]);
    expect((await get(`/api/v1/namespaces/${ns}/secrets?labelSelector=app%3Ddb&fieldSelector=type%3DOpaque`)).body.items).toHaveLength(1);
    const across = (await get(`/api/v1/secrets?labelSelector=app%3Ddb`)).body.items.filter((s: any) => s.metadata.namespace === ns);
    expect(across.map((s: any) => s.data)).toEqual([want]);

    // A watch from before the writes replays them from the (encrypted) log, then goes on live.
    const w = await Watch.open(`/api/v1/namespaces/${ns}/secrets?watch=true&resourceVersion=${before}`);
    const replay = await w.take(4);
    expect(replay.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(["ADDED db", "MODIFIED db", "ADDED gone", "DELETED gone"]);
    expect(replay[0].object.data).toEqual({ password: b64(PASSWORD), token: b64(TOKEN) });
    expect(replay[1].object.data).toEqual(want);
    expect(replay[3].object.data).toEqual({ password: b64(PASSWORD), token: b64(TOKEN) });
    const last = (await get(`/api/v1/namespaces/${ns}/secrets/db`)).body;
    expect((await put(`/api/v1/namespaces/${ns}/secrets/db`, { ...last, metadata: { ...last.metadata, labels: { app: "db", v: "3" } } })).status).toBe(200);
    const live = await w.until((e) => e.type === "MODIFIED" && e.object.metadata.labels?.v === "3");
    expect(live.object.data).toEqual(want);
    await w.cancel();

    // A list at an older revision reads the log's copies.
    const mid = updated.body.metadata.resourceVersion;
    const old = await get(`/api/v1/namespaces/${ns}/secrets?resourceVersion=${mid}&resourceVersionMatch=Exact`);
    expect(old.status, old.text).toBe(200);
    expect(old.body.items.map((s: any) => s.data)).toEqual([want]);
  });

  it("other kinds are stored as they were", async () => {
    const ns = await newNs("enc");
    expect((await post(`/api/v1/namespaces/${ns}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { visible: "in-the-clear" } })).status).toBe(201);
    expect((await dumpDatabase(ns)).text).toContain("in-the-clear");
  });
});

describe("rotation", () => {
  it("re-encrypts objects and log rows under the first key; Secrets stored in the clear are encrypted too", async () => {
    const ns = await newSecretNs();
    // As if key1 had been first when they were written.
    const back = await reencryptInStore(ns, `${KEY1},${KEY2}`);
    expect(back.objects).toEqual({ current: 0, rewritten: { key2: 1 }, failed: {} });
    expect(keyIdsOf((await dumpDatabase(ns)).secretValues)).toEqual(["key1"]);
    expect((await get(`/api/v1/namespaces/${ns}/secrets/db`)).body.data.token).toBe(b64(TOKEN)); // key1 is still listed
    // And one Secret from before encryption was turned on.
    await runInDurableObject(nsStub(ns), async (_instance, state) => {
      const sqlite = new SqliteBackend(state.storage);
      const plain = new EncryptingBackend(sqlite, parseEncryptionKeys(env.ENCRYPTION_KEYS), state.id.toString()).getObject("secrets", "db")!;
      sqlite.rewriteObjectValue("secrets", "db", plain);
    });
    expect(keyIdsOf((await dumpDatabase(ns)).secretValues)).toEqual(["key1", "plain"]);
    expect((await get(`/api/v1/namespaces/${ns}/secrets/db`)).body.data.password).toBe(b64(PASSWORD));
    const rvBefore = (await get(`/api/v1/namespaces/${ns}/secrets/db`)).body.metadata.resourceVersion;

    const r = await post(`/admin/encryption/rotate/namespaces/${ns}`, {});
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({
      namespace: ns,
      keyName: "key2",
      objects: { current: 0, rewritten: { identity: 1 }, failed: {} },
      watchLog: { current: 0, rewritten: { key1: 1 }, failed: {} },
    });
    const db = await dumpDatabase(ns);
    expect(keyIdsOf(db.secretValues)).toEqual(["key2"]);
    for (const needle of NEEDLES) expect(db.text.includes(needle)).toBe(false);
    // Only the representation changed: same object, same resourceVersion, no new event.
    const after = (await get(`/api/v1/namespaces/${ns}/secrets/db`)).body;
    expect(after.metadata.resourceVersion).toBe(rvBefore);
    expect(after.data).toEqual({ password: b64(PASSWORD), token: b64(TOKEN) });

    // Again: nothing left to do. The all-namespaces route reports this one as current.
    const all = await post(`/admin/encryption/rotate`, {});
    expect(all.status, all.text).toBe(200);
    expect(all.body.keyName).toBe("key2");
    expect(all.body.namespaces.find((n: any) => n.namespace === ns)).toMatchObject({ objects: { current: 1, rewritten: {} }, watchLog: { current: 1, rewritten: {} } });
    expect(all.body.total.objects.failed).toEqual({});
  });

  it("a value under a key no longer listed: 500 naming the key, never garbage; rotation reports it", async () => {
    const ns = await newSecretNs();
    const created = (await get(`/api/v1/namespaces/${ns}/secrets/db`)).body.metadata.resourceVersion;
    expect((await patch(`/api/v1/namespaces/${ns}/secrets/db`, "merge", { metadata: { labels: { v: "2" } } })).status).toBe(200);
    const key0 = newKeyEntry("key0");
    await reencryptInStore(ns, `${key0},${KEY2}`);
    expect(keyIdsOf((await dumpDatabase(ns)).secretValues)).toEqual(["key0"]);

    for (const path of [`/api/v1/namespaces/${ns}/secrets/db`, `/api/v1/namespaces/${ns}/secrets`, `/api/v1/namespaces/${ns}/secrets?limit=5`]) {
      const r = await get(path);
      expect(r.status, path).toBe(500);
      expect(r.body).toMatchObject({ kind: "Status", code: 500, reason: "InternalError" });
      expect(r.body.message).toContain(`unable to decrypt secrets "db": it is encrypted with key "key0", which ENCRYPTION_KEYS does not list (it lists "key2", "key1")`);
      expect(r.text).not.toContain(PASSWORD);
    }
    // A watch replaying the log says the same in its one ERROR event, as upstream ends a watch it cannot start.
    const w = await Watch.open(`/api/v1/namespaces/${ns}/secrets?watch=true&resourceVersion=${created}`);
    expect(w.response.status).toBe(200);
    expect(await w.rest()).toMatchObject([{ type: "ERROR", object: { code: 500, message: expect.stringContaining(`encrypted with key "key0"`) } }]);
    // Writes need the current object too.
    expect((await del(`/api/v1/namespaces/${ns}/secrets/db`)).status).toBe(500);

    const r = await post(`/admin/encryption/rotate/namespaces/${ns}`, {});
    expect(r.status).toBe(200);
    expect(r.body.objects).toEqual({ current: 0, rewritten: {}, failed: { key0: 1 } });
    expect(r.body.watchLog.failed).toEqual({ key0: 3 }); // ADDED, and MODIFIED with its prev

    // With key0 back in the list, everything reads again.
    await reencryptInStore(ns, `${KEY2},${key0}`);
    expect((await get(`/api/v1/namespaces/${ns}/secrets/db`)).body.data.password).toBe(b64(PASSWORD));
  });

  it("only system:masters may rotate, whatever else authorizes the path", async () => {
    const app = new Hono<AppEnv>();
    app.onError((err, c) => (err instanceof StatusError ? c.json(err.status, err.code as 403) : c.text(String(err), 500)));
    app.use("*", async (c, next) => {
      c.set("user", { username: "alice", groups: ["system:authenticated"] });
      await next();
    });
    app.route("/admin/encryption", encryptionRoutes);
    const r = await app.request("/admin/encryption/rotate", { method: "POST" }, env);
    expect(r.status).toBe(403);
    expect(await r.json()).toMatchObject({ reason: "Forbidden", message: expect.stringContaining('User "alice" cannot post path "/admin/encryption/rotate"') });
  });

  it("404 for a namespace that does not exist", async () => {
    const r = await post(`/admin/encryption/rotate/namespaces/no-such-ns`, {});
    expect(r.status).toBe(404);
  });
});
