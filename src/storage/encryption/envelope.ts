// AES-256-GCM values in the format of upstream's aesgcm provider
// (k8s.io/apiserver/pkg/storage/value/encrypt/aes): `k8s:enc:aesgcm:v1:<key name>:` followed by
// nonce (12 bytes) || ciphertext || tag (16 bytes). The columns are TEXT, so that binary part
// is base64 here. Each seal draws a fresh random 96-bit nonce; the authenticated data binds a
// value to where it is stored (upstream uses the etcd key), so a value copied elsewhere fails.
//
// node:crypto's AES-GCM is synchronous (workerd implements it under nodejs_compat with
// BoringSSL), which the synchronous Storage interface needs; WebCrypto's is async only.
import { Buffer } from "node:buffer";
import { createCipheriv, createDecipheriv } from "node:crypto";
import type { EncryptionKey, Keyring } from "./keys.js";

/** Every encrypted value starts with this (upstream's marker for any provider). */
export const ENCRYPTED_MARK = "k8s:enc:";
export const AESGCM_PREFIX = "k8s:enc:aesgcm:v1:";
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

/** AES-256-GCM with an explicit nonce: ciphertext || tag. Callers other than seal() are tests. */
export function aesGcmSeal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  const c = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
  c.setAAD(aad);
  return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
}

/** Opens ciphertext || tag; throws when the key, nonce, data or authenticated data do not match. */
export function aesGcmOpen(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array {
  if (sealed.length < TAG_BYTES) throw new Error("sealed value shorter than its tag");
  const d = createDecipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
  d.setAAD(aad);
  d.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - TAG_BYTES)), d.final()]);
}

/** Encrypts `plaintext` under `key`, with a fresh random nonce, bound to `aad`. */
export function seal(key: EncryptionKey, plaintext: string, aad: string): string {
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const sealed = aesGcmSeal(key.secret, nonce, Buffer.from(plaintext, "utf8"), Buffer.from(aad, "utf8"));
  return `${AESGCM_PREFIX}${key.name}:${Buffer.concat([nonce, sealed]).toString("base64")}`;
}

/** How a stored value is held: plain JSON (identity), or encrypted under a named key. */
export function describeValue(value: string): { encrypted: false } | { encrypted: true; keyName?: string } {
  if (!value.startsWith(ENCRYPTED_MARK)) return { encrypted: false };
  if (!value.startsWith(AESGCM_PREFIX)) return { encrypted: true };
  const end = value.indexOf(":", AESGCM_PREFIX.length);
  return end < 0 ? { encrypted: true } : { encrypted: true, keyName: value.slice(AESGCM_PREFIX.length, end) };
}

export type Opened =
  | { ok: true; plaintext: string; keyName?: string }
  | { ok: false; reason: "unknownProvider" | "malformed" | "unknownKey" | "unauthenticated"; keyName?: string };

/** Decrypts a stored value; plain JSON (written before encryption, or of a kind not encrypted) passes through. */
export function open(keyring: Keyring, value: string, aad: string): Opened {
  const d = describeValue(value);
  if (!d.encrypted) return { ok: true, plaintext: value };
  if (!value.startsWith(AESGCM_PREFIX)) return { ok: false, reason: "unknownProvider" };
  const keyName = d.keyName;
  if (keyName === undefined) return { ok: false, reason: "malformed" };
  const key = keyring.byName.get(keyName);
  if (!key) return { ok: false, reason: "unknownKey", keyName };
  const bytes = Buffer.from(value.slice(AESGCM_PREFIX.length + keyName.length + 1), "base64");
  if (bytes.length < NONCE_BYTES + TAG_BYTES) return { ok: false, reason: "malformed", keyName };
  try {
    const plain = aesGcmOpen(key.secret, bytes.subarray(0, NONCE_BYTES), bytes.subarray(NONCE_BYTES), Buffer.from(aad, "utf8"));
    return { ok: true, plaintext: Buffer.from(plain).toString("utf8"), keyName };
  } catch {
    return { ok: false, reason: "unauthenticated", keyName };
  }
}
