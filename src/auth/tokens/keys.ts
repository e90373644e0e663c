// The key that signs service-account and node tokens (RS256, as kube-apiserver's default
// --service-account-key-file): made once and kept in the cluster store, or given as the Worker
// secret SERVICE_ACCOUNT_SIGNING_KEY. Each isolate imports it once and keeps the CryptoKeys.
import type { Env } from "../../env.js";
import { clusterStore } from "../../api/stores.js";
import { base64urlDecode, base64urlEncode } from "./base64url.js";

/** WebCrypto's name for RS256. */
const RS256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;
const MIN_MODULUS_BITS = 2048;

/** The public half as /openid/v1/jwks publishes it. */
export interface PublicJwk {
  kty: "RSA";
  alg: "RS256";
  use: "sig";
  kid: string;
  n: string;
  e: string;
}

export interface SigningKey {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** base64url(SHA-256(SPKI DER)), upstream's keyIDFromPublicKey. */
  kid: string;
  publicJwk: PublicJwk;
}

/** The private key as the cluster store keeps it. */
export interface StoredSigningKey {
  jwk: JsonWebKey;
  createdAt: string;
}

export async function generateSigningJwk(): Promise<JsonWebKey> {
  const pair = (await crypto.subtle.generateKey(
    { ...RS256, modulusLength: MIN_MODULUS_BITS, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  return (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
}

/** Imports an RSA private JWK: the private key (not extractable) and its public half. */
export async function importSigningJwk(jwk: JsonWebKey): Promise<SigningKey> {
  if (jwk.kty !== "RSA" || !jwk.n || !jwk.e || !jwk.d) throw new Error("the service-account signing key must be an RSA private key");
  const bits = (base64urlDecode(jwk.n)?.length ?? 0) * 8;
  if (bits < MIN_MODULUS_BITS) throw new Error(`the service-account signing key has ${bits} bits; RS256 needs at least ${MIN_MODULUS_BITS}`);
  const { kty, n, e, d, p, q, dp, dq, qi } = jwk;
  const privateKey = await crypto.subtle.importKey("jwk", { kty, n, e, d, p, q, dp, dq, qi }, RS256, false, ["sign"]);
  const publicKey = await crypto.subtle.importKey("jwk", { kty, n, e }, RS256, true, ["verify"]);
  const spki = (await crypto.subtle.exportKey("spki", publicKey)) as ArrayBuffer;
  const kid = base64urlEncode(await crypto.subtle.digest("SHA-256", spki));
  return { privateKey, publicKey, kid, publicJwk: { kty: "RSA", alg: "RS256", use: "sig", kid, n, e } };
}

/**
 * The Worker secret's forms: a JWK (JSON), a PKCS#8 PEM (`BEGIN PRIVATE KEY`, what `openssl
 * genpkey` writes) or a PKCS#1 PEM (`BEGIN RSA PRIVATE KEY`, upstream's usual sa.key).
 */
export async function parseSigningKey(text: string): Promise<JsonWebKey> {
  const s = text.trim();
  if (s.startsWith("{")) {
    let jwk: JsonWebKey;
    try {
      jwk = JSON.parse(s) as JsonWebKey;
    } catch (e) {
      throw new Error(`SERVICE_ACCOUNT_SIGNING_KEY is not valid JSON: ${(e as Error).message}`);
    }
    return jwk;
  }
  const m = /-----BEGIN ((?:RSA )?PRIVATE KEY)-----([\s\S]*?)-----END \1-----/.exec(s);
  if (!m) throw new Error("SERVICE_ACCOUNT_SIGNING_KEY must be an RSA private key as a JWK or a PEM (PRIVATE KEY or RSA PRIVATE KEY)");
  const der = base64Decode(m[2].replace(/\s+/g, ""));
  const pkcs8 = m[1] === "RSA PRIVATE KEY" ? wrapPkcs1(der) : der;
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey("pkcs8", pkcs8, RS256, true, ["sign"]);
  } catch (e) {
    throw new Error(`SERVICE_ACCOUNT_SIGNING_KEY is not an RSA private key: ${(e as Error).message}`);
  }
  return (await crypto.subtle.exportKey("jwk", key)) as JsonWebKey;
}

function base64Decode(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

/** PKCS#1 RSAPrivateKey → PKCS#8 PrivateKeyInfo {version 0, rsaEncryption, OCTET STRING}. */
function wrapPkcs1(pkcs1: Uint8Array): Uint8Array {
  const version = [0x02, 0x01, 0x00];
  const algorithm = [0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];
  const octets = [0x04, ...derLength(pkcs1.length)];
  const bodyLength = version.length + algorithm.length + octets.length + pkcs1.length;
  return new Uint8Array([0x30, ...derLength(bodyLength), ...version, ...algorithm, ...octets, ...pkcs1]);
}

// ---- the cluster store's copy (runs inside the Durable Object) ----

/** The slice of DurableObjectStorage the key needs. */
export interface KeyStorage {
  get<T>(key: string): Promise<T | undefined>;
  put<T>(key: string, value: T): Promise<void>;
}

/** A storage key of its own, outside every API object: no API request can read it. */
export const SIGNING_KEY_STORAGE_KEY = "edgeplane/service-account-signing-key";

const loading = new WeakMap<KeyStorage, Promise<StoredSigningKey>>();

/**
 * The stored key, made on first use. Memoised per storage so that two first requests to the
 * store share one key (generating awaits crypto, and the Durable Object may take another request
 * meanwhile); a failed attempt is forgotten so the next one retries.
 */
export function loadOrCreateSigningKey(storage: KeyStorage, now: () => number = Date.now): Promise<StoredSigningKey> {
  let p = loading.get(storage);
  if (!p) {
    p = (async () => {
      const existing = await storage.get<StoredSigningKey>(SIGNING_KEY_STORAGE_KEY);
      if (existing?.jwk) return existing;
      const made: StoredSigningKey = { jwk: await generateSigningJwk(), createdAt: new Date(now()).toISOString() };
      const raced = await storage.get<StoredSigningKey>(SIGNING_KEY_STORAGE_KEY);
      if (raced?.jwk) return raced;
      await storage.put(SIGNING_KEY_STORAGE_KEY, made);
      return made;
    })();
    p.catch(() => loading.delete(storage));
    loading.set(storage, p);
  }
  return p;
}

// ---- the Worker's copy (per isolate) ----

const isolateKeys = new Map<string, Promise<SigningKey>>();

/**
 * The signing key, imported once per isolate: the Worker secret SERVICE_ACCOUNT_SIGNING_KEY
 * when set, otherwise the cluster store's key (one RPC per isolate).
 */
export function signingKey(env: Env): Promise<SigningKey> {
  const override = env.SERVICE_ACCOUNT_SIGNING_KEY?.trim() || "";
  let p = isolateKeys.get(override);
  if (!p) {
    p = (async () => {
      const jwk = override ? await parseSigningKey(override) : (await clusterStore(env).serviceAccountSigningKey()).jwk;
      return importSigningJwk(jwk);
    })();
    p.catch(() => isolateKeys.delete(override));
    isolateKeys.set(override, p);
  }
  return p;
}
