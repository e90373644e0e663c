import { Buffer } from "node:buffer";
import { describe, expect, it } from "vitest";
import { GCM_TEST_CASE_16 as tc, hex, toHex } from "../../../test/fixtures/aes-gcm-vectors.js";
import { AESGCM_PREFIX, NONCE_BYTES, TAG_BYTES, aesGcmOpen, aesGcmSeal, describeValue, open, seal } from "./envelope.js";
import { newKeyEntry, parseEncryptionKeys } from "./keys.js";

const k1 = newKeyEntry("key1");
const k2 = newKeyEntry("key2");
const ring = parseEncryptionKeys(`${k2},${k1}`);
const AAD = JSON.stringify(["store", "secrets", "db"]);
const PLAIN = JSON.stringify({ kind: "Secret", metadata: { name: "db" }, data: { password: Buffer.from("hunter2-very-secret").toString("base64") } });

describe("AES-256-GCM", () => {
  it("matches the GCM specification's test case 16 (256-bit key, AAD)", () => {
    const sealed = aesGcmSeal(hex(tc.key), hex(tc.iv), hex(tc.plaintext), hex(tc.aad));
    expect(toHex(sealed)).toBe(tc.ciphertext + tc.tag);
    expect(toHex(aesGcmOpen(hex(tc.key), hex(tc.iv), sealed, hex(tc.aad)))).toBe(tc.plaintext);
  });

  it("refuses a flipped bit anywhere, and other authenticated data", () => {
    const sealed = aesGcmSeal(hex(tc.key), hex(tc.iv), hex(tc.plaintext), hex(tc.aad));
    for (const i of [0, 30, sealed.length - 1]) {
      const bad = Uint8Array.from(sealed);
      bad[i] ^= 1;
      expect(() => aesGcmOpen(hex(tc.key), hex(tc.iv), bad, hex(tc.aad))).toThrow();
    }
    expect(() => aesGcmOpen(hex(tc.key), hex(tc.iv), sealed, hex("00"))).toThrow();
  });
});

describe("envelope", () => {
  it("is upstream's aesgcm format: prefix with the key name, then base64 of nonce || ciphertext || tag", () => {
    const v = seal(ring.primary!, PLAIN, AAD);
    expect(v.startsWith(`${AESGCM_PREFIX}key2:`)).toBe(true);
    const bytes = Buffer.from(v.slice(`${AESGCM_PREFIX}key2:`.length), "base64");
    expect(bytes.length).toBe(NONCE_BYTES + Buffer.byteLength(PLAIN) + TAG_BYTES);
    const key = ring.byName.get("key2")!.secret;
    expect(Buffer.from(aesGcmOpen(key, bytes.subarray(0, NONCE_BYTES), bytes.subarray(NONCE_BYTES), Buffer.from(AAD))).toString()).toBe(PLAIN);
    expect(describeValue(v)).toEqual({ encrypted: true, keyName: "key2" });
    expect(open(ring, v, AAD)).toEqual({ ok: true, plaintext: PLAIN, keyName: "key2" });
  });

  it("holds neither the plaintext nor its base64 pieces", () => {
    const v = seal(ring.primary!, PLAIN, AAD);
    for (const needle of ["hunter2", Buffer.from("hunter2-very-secret").toString("base64"), "password", "Secret"]) expect(v).not.toContain(needle);
  });

  it("draws a fresh nonce for every seal: 20,000 seals of one value, no nonce or ciphertext twice", () => {
    const nonces = new Set<string>();
    const values = new Set<string>();
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const v = seal(ring.primary!, "same", AAD);
      values.add(v);
      nonces.add(Buffer.from(v.slice(`${AESGCM_PREFIX}key2:`.length), "base64").subarray(0, NONCE_BYTES).toString("hex"));
    }
    expect(nonces.size).toBe(n);
    expect(values.size).toBe(n);
  });

  it("opens with any listed key, and says why it cannot otherwise", () => {
    const under1 = seal(ring.byName.get("key1")!, PLAIN, AAD);
    expect(open(ring, under1, AAD)).toMatchObject({ ok: true, keyName: "key1", plaintext: PLAIN });
    expect(open(parseEncryptionKeys(k2), under1, AAD)).toEqual({ ok: false, reason: "unknownKey", keyName: "key1" });
    // Same name, other secret: authentication fails, never garbage.
    expect(open(parseEncryptionKeys(newKeyEntry("key1")), under1, AAD)).toEqual({ ok: false, reason: "unauthenticated", keyName: "key1" });
    // Bound to where it is stored.
    expect(open(ring, under1, JSON.stringify(["store", "secrets", "other"]))).toEqual({ ok: false, reason: "unauthenticated", keyName: "key1" });
    expect(open(ring, under1.slice(0, -8) + "AAAAAAA=", AAD)).toMatchObject({ ok: false, reason: "unauthenticated" });
    expect(open(ring, `${AESGCM_PREFIX}key1:AAAA`, AAD)).toMatchObject({ ok: false, reason: "malformed" });
    expect(open(ring, `${AESGCM_PREFIX}nokeyname`, AAD)).toMatchObject({ ok: false, reason: "malformed" });
    expect(open(ring, "k8s:enc:aescbc:v1:key1:AAAA", AAD)).toMatchObject({ ok: false, reason: "unknownProvider" });
  });

  it("passes plain JSON through (stored before encryption, or a kind not encrypted)", () => {
    expect(open(ring, PLAIN, AAD)).toEqual({ ok: true, plaintext: PLAIN });
    expect(open(parseEncryptionKeys(undefined), PLAIN, AAD)).toEqual({ ok: true, plaintext: PLAIN });
    expect(describeValue(PLAIN)).toEqual({ encrypted: false });
  });
});

describe("ENCRYPTION_KEYS", () => {
  it("the first key encrypts, all decrypt; commas or newlines separate", () => {
    const r = parseEncryptionKeys(` ${k2} ,\n${k1}\n`);
    expect(r.problem).toBeUndefined();
    expect(r.primary?.name).toBe("key2");
    expect([...r.byName.keys()]).toEqual(["key2", "key1"]);
    expect(r.primary?.secret.length).toBe(32);
  });

  it("unset or empty: no key, no problem (Secret writes are refused elsewhere)", () => {
    for (const v of [undefined, "", "  "]) expect(parseEncryptionKeys(v)).toEqual({ byName: new Map() });
  });

  it("an unusable value is a problem that names the entry but never quotes key material", () => {
    const short = Buffer.alloc(16, 7).toString("base64");
    const secret = k1.slice(5);
    const cases: [string, RegExp][] = [
      [secret, /entry 1 must be <name>:<base64 of 32 bytes>/],
      [`key1:${short}`, /entry 1 \(key "key1"\) must be 32 bytes of base64/],
      [`key1:not base64!`, /entry 1 \(key "key1"\)/],
      [`${k1},${k1}`, /entry 2: key name "key1" is listed twice/],
      [`bad name:${secret}`, /entry 1 must be/],
      [`${k2},:${secret}`, /entry 2 must be/],
    ];
    for (const [value, message] of cases) {
      const r = parseEncryptionKeys(value);
      expect(r.primary, value).toBeUndefined();
      expect(r.problem, value).toMatch(message);
      expect(r.problem).not.toContain(secret);
      expect(r.problem).not.toContain(short);
    }
  });
});
