// The key `edgeplane up` encrypts Secrets under (docs/security.md, "Data at rest"): made on the
// first start and kept in <state>/encryption-keys (mode 0600), like the admin token, so Secrets
// stay readable across restarts. One `name:base64` per line; the first encrypts, all decrypt:
// to rotate, put a new line first, restart, and run `edgeplane secrets rotate`.
import { appendFileSync, chmodSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { newKeyEntry, parseEncryptionKeys } from "../storage/encryption/keys.js";
import { UpError } from "./up-error.js";

export const ENCRYPTION_KEYS_FILE = "encryption-keys";

/** Read `<state>/encryption-keys`, or make it with one new key; returns the Worker's ENCRYPTION_KEYS value. */
export function encryptionKeys(stateDir: string): { value: string; created: boolean; path: string } {
  const path = join(stateDir, ENCRYPTION_KEYS_FILE);
  if (!existsSync(path)) {
    const entry = newKeyEntry("key1");
    writeFileSync(
      path,
      `# Keys that encrypt Secrets at rest: name:base64 of 32 bytes, one a line. The first encrypts;\n` +
        `# every key listed decrypts. Losing this file makes the stored Secrets unreadable.\n${entry}\n`,
      { mode: 0o600, flag: "wx" },
    );
    return { value: entry, created: true, path };
  }
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  const lines = readFileSync(path, "utf8")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
  const value = lines.join(",");
  const keys = parseEncryptionKeys(value);
  if (keys.problem || !keys.primary) {
    throw new UpError(
      `${path} does not hold usable keys: ${keys.problem ?? "it lists none"}`,
      "each line must be name:<base64 of 32 bytes> (e.g. key2:$(openssl rand -base64 32)); without the keys it held, stored Secrets cannot be read",
    );
  }
  return { value, created: false, path };
}

/** Adds ENCRYPTION_KEYS to the Worker's env file (written 0600 by workerEnvFile); returns its path. */
export function withEncryptionKeys(envFile: string, value: string): string {
  appendFileSync(envFile, `ENCRYPTION_KEYS=${value}\n`, { mode: 0o600 });
  return envFile;
}
