// A volumeMount's subPath (or subPathExpr): only part of the volume is mounted. As upstream's
// makeMounts and its safe-subpath helpers: no absolute path, no `..`, a missing subPath is made
// as a directory, and what is mounted must resolve to a place inside the volume (a symlink in a
// volume must not hand the container some other part of the node).
import { chmodSync, mkdirSync, realpathSync, statSync } from "node:fs";
import * as path from "node:path";
import { ContainerConfigError } from "../env/errors.js";
import { expand } from "../env/expand.js";

/** ExpandContainerVolumeMounts: every reference must name a var with a non-empty value. */
export function expandSubPathExpr(expr: string, env: Array<{ name: string; value: string }>): string {
  const vars = new Map(env.map((e) => [e.name, e.value]));
  const missing = new Set<string>();
  const out = expand(expr, (name) => {
    const v = vars.get(name);
    if (!v) missing.add(name);
    return v ?? "";
  });
  if (missing.size) throw new ContainerConfigError(`missing value for ${[...missing].sort().join(", ")}`);
  return out;
}

/** The subPath's own rules (before the volume is looked at). */
export function validateSubPath(subPath: string): void {
  if (path.isAbsolute(subPath)) throw new ContainerConfigError(`error SubPath \`${subPath}\` must not be an absolute path`);
  if (subPath.split("/").includes("..")) throw new ContainerConfigError(`unable to provision SubPath \`${subPath}\`: must not contain '..'`);
}

const inside = (root: string, p: string) => p === root || p.startsWith(root.endsWith("/") ? root : root + "/");

/**
 * The host path to mount for `subPath` of the volume at `volumePath`: made (as a directory with the
 * volume's mode) when missing, and resolved, so a symlink swapped in later cannot redirect it.
 */
export function prepareSubPath(volumePath: string, subPath: string, mountName: string, containerName: string): string {
  validateSubPath(subPath);
  const root = realpathSync(volumePath);
  const target = path.join(volumePath, subPath);
  let exists = true;
  try {
    statSync(target);
  } catch {
    exists = false;
  }
  if (!exists) {
    try {
      safeMakeDir(root, subPath, statSync(root).mode & 0o7777);
    } catch {
      // Upstream keeps the detail out of the pod's status: it may describe the node's filesystem.
      throw new ContainerConfigError(`failed to create subPath directory for volumeMount "${mountName}" of container "${containerName}"`);
    }
  }
  let resolved: string;
  try {
    resolved = realpathSync(target);
  } catch {
    throw new ContainerConfigError(`failed to prepare subPath for volumeMount "${mountName}" of container "${containerName}"`);
  }
  if (!inside(root, resolved)) throw new ContainerConfigError(`failed to prepare subPath for volumeMount "${mountName}" of container "${containerName}"`);
  return resolved;
}

/** mkdir -p of `rel` under `root`, refusing to follow a link out of the volume at any step. */
function safeMakeDir(root: string, rel: string, mode: number): void {
  let cur = root;
  for (const part of rel.split("/").filter((p) => p && p !== ".")) {
    const next = path.join(cur, part);
    try {
      const real = realpathSync(next);
      if (!inside(root, real) || !statSync(real).isDirectory()) throw new Error(`${next} leaves the volume or is not a directory`);
      cur = real;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      mkdirSync(next, { mode });
      chmodSync(next, mode); // mkdir's mode is filtered by the umask
      cur = next;
    }
  }
}
