// The state folder of `edgeplane up`: the admin token, the lock that keeps a second `up` off
// the same folder, and the env file that hands the token to the Worker.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UpError } from "./up-error.js";

/** Read `<state>/admin-token`, or make one (32 random bytes, base64url) and keep it there, mode 0600. */
export function adminToken(stateDir: string): { token: string; created: boolean } {
  const path = join(stateDir, "admin-token");
  if (existsSync(path)) {
    const token = readFileSync(path, "utf8").trim();
    if (!/^[A-Za-z0-9_\-.~+/=]{16,}$/.test(token)) {
      throw new UpError(`${path} does not hold a usable token`, "delete it and run 'edgeplane up' again to make a new one");
    }
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    return { token, created: false };
  }
  const token = randomBytes(32).toString("base64url");
  writeFileSync(path, `${token}\n`, { mode: 0o600, flag: "wx" });
  return { token, created: true };
}

/**
 * Take `<state>/up.lock` (pid and port of the running `edgeplane up`); a lock left by a process
 * that is gone is taken over. Returns the release function.
 */
export function lockState(stateDir: string, port: number): () => void {
  const path = join(stateDir, "up.lock");
  const mine = JSON.stringify({ pid: process.pid, port }) + "\n";
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, mine, { flag: "wx", mode: 0o600 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) {
        throw new UpError(`cannot lock the state folder ${stateDir}: ${(err as Error).message}`);
      }
      let holder: { pid?: number; port?: number } = {};
      try {
        holder = JSON.parse(readFileSync(path, "utf8"));
      } catch {
        // unreadable: treat as stale
      }
      if (typeof holder.pid === "number" && processAlive(holder.pid)) {
        throw new UpError(
          `the state folder ${stateDir} is in use by another edgeplane up (pid ${holder.pid}, port ${holder.port})`,
          "stop that one first, or pass --state with another folder",
        );
      }
      rmSync(path, { force: true });
    }
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    try {
      if (readFileSync(path, "utf8") === mine) rmSync(path, { force: true });
    } catch {
      // already gone
    }
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The env file wrangler dev reads the Worker's secrets from (ADMIN_TOKEN), mode 0600. */
export function workerEnvFile(stateDir: string, token: string): string {
  const path = join(stateDir, "worker.env");
  writeFileSync(path, `# Written by edgeplane up on every start.\nADMIN_TOKEN=${token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}
