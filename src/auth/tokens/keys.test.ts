import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { importSigningJwk, loadOrCreateSigningKey, parseSigningKey, SIGNING_KEY_STORAGE_KEY, type KeyStorage } from "./keys.js";

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });

describe("signing keys", () => {
  it("reads a PKCS#8 PEM, a PKCS#1 PEM and a JWK of the same key alike; the kid is the SPKI's SHA-256", async () => {
    const pkcs8 = rsa.privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    const pkcs1 = rsa.privateKey.export({ type: "pkcs1", format: "pem" }) as string;
    const jwk = JSON.stringify(rsa.privateKey.export({ format: "jwk" }));
    const keys = await Promise.all([pkcs8, pkcs1, jwk].map(async (text) => importSigningJwk(await parseSigningKey(text))));
    expect(new Set(keys.map((k) => k.kid)).size).toBe(1);
    const spki = rsa.publicKey.export({ type: "spki", format: "der" });
    const digest = Buffer.from(await crypto.subtle.digest("SHA-256", spki)).toString("base64url");
    expect(keys[0].kid).toBe(digest);
    expect(keys[0].publicJwk).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig", e: "AQAB" });
  });

  it("refuses EC keys, short RSA keys and junk with a message naming the variable", async () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    await expect(parseSigningKey(ec)).rejects.toThrow(/SERVICE_ACCOUNT_SIGNING_KEY is not an RSA private key/);
    const small = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ format: "jwk" });
    await expect(importSigningJwk(small as JsonWebKey)).rejects.toThrow(/1024 bits/);
    await expect(parseSigningKey("hello")).rejects.toThrow(/SERVICE_ACCOUNT_SIGNING_KEY must be/);
    await expect(parseSigningKey("{nope")).rejects.toThrow(/not valid JSON/);
  });

  it("the stored key is made once, even for concurrent first requests, and kept", async () => {
    const map = new Map<string, unknown>();
    let puts = 0;
    const storage: KeyStorage = {
      get: async <T>(k: string) => map.get(k) as T | undefined,
      put: async <T>(k: string, v: T) => {
        puts++;
        map.set(k, v);
      },
    };
    const [a, b] = await Promise.all([loadOrCreateSigningKey(storage), loadOrCreateSigningKey(storage)]);
    expect(a).toBe(b);
    expect(puts).toBe(1);
    expect(map.get(SIGNING_KEY_STORAGE_KEY)).toBe(a);
    expect((await importSigningJwk(a.jwk)).kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
