// Secrets at rest with the real `edgeplane up`: the key it makes is kept in the state folder, so
// Secrets stay readable across a restart; no file under the state folder (the Durable Objects'
// .sqlite and -wal files included) holds their bytes; and a key rotation through
// `edgeplane secrets rotate` lets the old key be removed.
import { Buffer } from "node:buffer";
import { randomBytes } from "node:crypto";
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, runEdgeplane, startEdgeplane, type Edgeplane } from "./harness.js";

const PASSWORD = `pw-${randomBytes(12).toString("hex")}`;
const API_KEY = `ak-${randomBytes(12).toString("hex")}`;
const b64 = (s: string) => Buffer.from(s).toString("base64");
const NEEDLES = [PASSWORD, API_KEY, b64(PASSWORD), b64(API_KEY)].map((s) => Buffer.from(s));
const NS = "vault";

let h: Edgeplane;
/** The resourceVersion db was created at: a watch from it replays later writes from the log. */
let createdRv: string;

/** Every regular file under dir. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Files under the state folder holding any of the secret values, plain or base64. */
function filesWithSecrets(): string[] {
  return filesUnder(h.stateDir).filter((f) => {
    const bytes = readFileSync(f);
    return NEEDLES.some((n) => bytes.includes(n));
  });
}

async function expectSecretsIntact(): Promise<void> {
  const one = await api(h, "GET", `/api/v1/namespaces/${NS}/secrets/db`);
  expect(one.status, JSON.stringify(one.body)).toBe(200);
  expect(one.body.data).toEqual({ password: b64(PASSWORD), apiKey: b64(API_KEY) });
  const list = await api(h, "GET", `/api/v1/namespaces/${NS}/secrets`);
  expect(list.status).toBe(200);
  expect(list.body.items.map((s: any) => s.metadata.name).sort()).toEqual(["db", "db-2"]);
}

beforeAll(async () => {
  h = await startEdgeplane();
  expect((await api(h, "POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: NS } })).status).toBe(201);
  for (const name of ["db", "db-2"]) {
    const r = await api(h, "POST", `/api/v1/namespaces/${NS}/secrets`, {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name },
      stringData: { password: PASSWORD },
      data: { apiKey: b64(API_KEY) },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    createdRv ??= r.body.metadata.resourceVersion;
  }
  // Writes that leave the old state in the watch log's prev column too.
  for (const name of ["db", "db-2"]) {
    expect((await api(h, "PATCH", `/api/v1/namespaces/${NS}/secrets/${name}`, { metadata: { labels: { touched: "yes" } } })).status).toBe(200);
  }
}, 180_000);

afterAll(async () => {
  await h?.stop();
});

describe("edgeplane up and Secrets at rest", () => {
  it("makes a key on the first start and keeps it in <state>/encryption-keys, mode 0600", () => {
    expect(h.output()).toContain("✓ encryption key created");
    const path = join(h.stateDir, "encryption-keys");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, "utf8")).toMatch(/^key1:[A-Za-z0-9+/]{43}=$/m);
  });

  it("no file under the state folder holds the Secrets' bytes, plain or base64", async () => {
    await expectSecretsIntact();
    const sqlite = filesUnder(h.stateDir).filter((f) => /\.sqlite(-wal)?$/.test(f));
    expect(sqlite.length).toBeGreaterThan(0);
    // The store of NS holds ciphertext under key1 (so this is the file that would hold them).
    expect(sqlite.some((f) => readFileSync(f).includes(Buffer.from("k8s:enc:aesgcm:v1:key1:")))).toBe(true);
    expect(filesWithSecrets()).toEqual([]);
  });

  it("Secrets stay readable across a restart: the key is reused", async () => {
    await h.restart();
    expect(h.output()).toContain("✓ encryption key reused");
    await expectSecretsIntact();
    expect(filesWithSecrets()).toEqual([]);
  });

  it("rotation: a new first key, `edgeplane secrets rotate`, then the old key can go", async () => {
    const path = join(h.stateDir, "encryption-keys");
    const old = readFileSync(path, "utf8");
    writeFileSync(path, `key2:${randomBytes(32).toString("base64")}\n${old}`);
    await h.restart();
    await expectSecretsIntact(); // read with key1, still listed

    const run = await runEdgeplane(["secrets", "rotate", "--kubeconfig", h.kubeconfigPath]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/Re-encrypting Secrets in \d+ namespaces/);
    expect(run.stdout).toMatch(new RegExp(`${NS}\\s+2 Secrets re-encrypted \\(2 from key1\\), 0 already current`));
    expect(run.stdout).toContain(`Done (current key "key2")`);

    // Again: everything is current.
    const again = await runEdgeplane(["secrets", "rotate", "--kubeconfig", h.kubeconfigPath]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`${NS}\\s+0 Secrets re-encrypted, 2 already current; 0 watch-log values re-encrypted, \\d+ already current`));

    // Without key1 everything still reads, the watch log included.
    writeFileSync(path, readFileSync(path, "utf8").replace(/^key1:.*\n/m, ""));
    await h.restart();
    await expectSecretsIntact();
    const w = await api(h, "GET", `/api/v1/namespaces/${NS}/secrets?watch=true&resourceVersion=${createdRv}&timeoutSeconds=1`);
    expect(w.status).toBe(200);
    const events = (typeof w.body === "string" ? w.body.trim().split("\n").map((l) => JSON.parse(l)) : [w.body]) as any[];
    expect(events.filter((e) => e.type === "ERROR")).toEqual([]);
    const replayed = events.filter((e) => e.type === "MODIFIED" && e.object.metadata.labels?.touched === "yes");
    expect(replayed.map((e) => e.object.metadata.name).sort()).toEqual(["db", "db-2"]);
    for (const e of replayed) expect(e.object.data).toEqual({ password: b64(PASSWORD), apiKey: b64(API_KEY) });
    expect(filesWithSecrets()).toEqual([]);
  }, 240_000);

  it("refuses --var ENCRYPTION_KEYS: the keys live in the state folder", async () => {
    const r = await runEdgeplane(["up", "--state", h.stateDir, "--var", "ENCRYPTION_KEYS=x"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("ENCRYPTION_KEYS is managed by edgeplane up");
  });
});
