// The keys Secrets are encrypted under, from the Worker secret ENCRYPTION_KEYS
// ("key2:<base64 of 32 bytes>,key1:<base64>"): the first encrypts, every one listed decrypts,
// as the key list of upstream's EncryptionConfiguration aesgcm provider.
import { Buffer } from "node:buffer";

export interface EncryptionKey {
  /** The key id written in front of every value it encrypts: `k8s:enc:aesgcm:v1:<name>:`. */
  name: string;
  /** 32 bytes: AES-256. */
  secret: Uint8Array;
}

export interface Keyring {
  /** The key new values are encrypted under; undefined when none is configured. */
  primary?: EncryptionKey;
  byName: ReadonlyMap<string, EncryptionKey>;
  /** Why the configured value cannot be used (never quotes key material); unset when it can. */
  problem?: string;
}

export const KEY_BYTES = 32;
const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * Parses ENCRYPTION_KEYS. Never throws: an unusable value becomes a Keyring with a `problem`,
 * so that only Secrets fail (with that message) and every other kind keeps working.
 */
export function parseEncryptionKeys(value: string | undefined): Keyring {
  const byName = new Map<string, EncryptionKey>();
  const text = (value ?? "").trim();
  if (text === "") return { byName };
  const entries = text.split(/[,\n]/).map((e) => e.trim()).filter((e) => e !== "");
  for (const [i, entry] of entries.entries()) {
    const colon = entry.indexOf(":");
    const name = colon < 0 ? "" : entry.slice(0, colon);
    const where = `ENCRYPTION_KEYS entry ${i + 1}`;
    if (!KEY_NAME.test(name)) {
      return invalid(`${where} must be <name>:<base64 of ${KEY_BYTES} bytes>, with a name of letters, digits, '.', '_' or '-'`);
    }
    if (byName.has(name)) return invalid(`${where}: key name "${name}" is listed twice`);
    const secret = decodeBase64(entry.slice(colon + 1));
    if (!secret || secret.length !== KEY_BYTES) {
      return invalid(`${where} (key "${name}") must be ${KEY_BYTES} bytes of base64, e.g. from 'openssl rand -base64 32'`);
    }
    byName.set(name, { name, secret });
  }
  return { primary: byName.values().next().value, byName };
}

function invalid(problem: string): Keyring {
  return { byName: new Map(), problem: `${problem}; Secrets cannot be read or written until it is fixed` };
}

function decodeBase64(text: string): Uint8Array | undefined {
  const t = text.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(t) || t.length % 4 !== 0) return undefined;
  return new Uint8Array(Buffer.from(t, "base64"));
}

/** A new key entry for ENCRYPTION_KEYS: `<name>:<base64 of 32 random bytes>`. */
export function newKeyEntry(name: string): string {
  if (!KEY_NAME.test(name)) throw new Error(`invalid key name "${name}"`);
  return `${name}:${Buffer.from(crypto.getRandomValues(new Uint8Array(KEY_BYTES))).toString("base64")}`;
}
