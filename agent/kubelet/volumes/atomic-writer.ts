// Upstream's AtomicWriter: projects a set of files into a volume directory so that a reader sees
// either the old set or the new one, never a mix. The files live in a hidden timestamped
// directory; `..data` is a symlink to it, swapped by rename (atomic); the user-visible entries
// are symlinks through `..data`. A reader holding an old file open keeps reading the old file.
//
//   <dir>/key          -> ..data/key
//   <dir>/..data       -> ..2026_11_26_07_00_00.a1b2c3
//   <dir>/..2026_11_26_07_00_00.a1b2c3/key
import { promises as fs } from "node:fs";
import * as path from "node:path";

export interface FileProjection {
  data: Uint8Array | string;
  /** Permission bits (0o644). */
  mode: number;
}

export type Payload = Record<string, FileProjection>;

const DATA_DIR = "..data";
const NEW_DATA_DIR = "..data_tmp";
const MAX_FILE_NAME = 255;
const MAX_PATH = 4096;

/** Upstream's validatePath: a relative path without `..` elements that does not start with `..`. */
export function validatePayloadPath(p: string): string | undefined {
  if (p === "") return `invalid path: must not be empty: ""`;
  if (path.isAbsolute(p)) return `invalid path: must be relative path: ${p}`;
  if (p.length > MAX_PATH) return `invalid path: must be less than or equal to ${MAX_PATH} characters`;
  const items = p.split("/");
  for (const item of items) {
    if (item === "..") return `invalid path: must not contain '..': ${p}`;
    if (item.length > MAX_FILE_NAME) return `invalid path: filenames must be less than or equal to ${MAX_FILE_NAME} characters`;
  }
  if (items[0].startsWith("..") && items[0].length > 2) return `invalid path: must not start with '..': ${p}`;
  return undefined;
}

/** filepath.Clean for the relative paths a payload holds. */
function clean(p: string): string {
  const n = path.posix.normalize(p);
  return n.length > 1 && n.endsWith("/") ? n.slice(0, -1) : n;
}

const bytes = (d: Uint8Array | string) => (typeof d === "string" ? Buffer.from(d, "utf8") : Buffer.from(d.buffer, d.byteOffset, d.byteLength));
const pad = (n: number) => String(n).padStart(2, "0");

/** `..2006_01_02_15_04_05.` in UTC, the prefix of a timestamped directory. */
function timestampPrefix(ms: number): string {
  const d = new Date(ms);
  return `..${d.getUTCFullYear()}_${pad(d.getUTCMonth() + 1)}_${pad(d.getUTCDate())}_${pad(d.getUTCHours())}_${pad(d.getUTCMinutes())}_${pad(d.getUTCSeconds())}.`;
}

function isCode(err: unknown, code: string): boolean {
  return (err as NodeJS.ErrnoException)?.code === code;
}

/**
 * Writes `payload` into `targetDir` (which must exist). Returns whether anything changed: the same
 * content and modes leave the directory untouched.
 */
export async function writeAtomically(targetDir: string, payload: Payload, now: () => number = Date.now): Promise<boolean> {
  const files = new Map<string, FileProjection>();
  for (const [p, f] of Object.entries(payload)) {
    const problem = validatePayloadPath(p);
    if (problem) throw new Error(problem);
    files.set(clean(p), f);
  }

  const dataDirPath = path.join(targetDir, DATA_DIR);
  let oldTsDir = "";
  try {
    oldTsDir = await fs.readlink(dataDirPath);
  } catch (err) {
    if (!isCode(err, "ENOENT")) throw err;
  }
  const oldTsPath = oldTsDir ? path.join(targetDir, oldTsDir) : "";

  let toRemove = new Set<string>();
  if (oldTsPath) {
    toRemove = await pathsToRemove(files, oldTsPath);
    if (!(await shouldWrite(files, oldTsPath)) && toRemove.size === 0) return false;
  }

  const tsDir = await fs.mkdtemp(path.join(targetDir, timestampPrefix(now())));
  // Group and others must be able to walk into it whatever the umask.
  await fs.chmod(tsDir, 0o755);
  try {
    for (const [p, f] of files) {
      const full = path.join(tsDir, p);
      await fs.mkdir(path.dirname(full), { recursive: true });
      await fs.writeFile(full, bytes(f.data), { mode: f.mode });
      await fs.chmod(full, f.mode); // writeFile's mode is filtered by the umask
    }
    await createUserVisibleFiles(targetDir, files);
    const newDataDirPath = path.join(targetDir, NEW_DATA_DIR);
    await fs.rm(newDataDirPath, { force: true }); // a leftover of an interrupted write
    await fs.symlink(path.basename(tsDir), newDataDirPath);
    await fs.rename(newDataDirPath, dataDirPath);
  } catch (err) {
    await fs.rm(tsDir, { recursive: true, force: true });
    throw err;
  }

  for (const p of toRemove) {
    // Only the volume's top level holds user-visible links; deeper paths went with the old directory.
    if (!p.includes("/")) await fs.rm(path.join(targetDir, p), { force: true });
  }
  if (oldTsPath) await fs.rm(oldTsPath, { recursive: true, force: true });
  return true;
}

/** Paths of the current version that the new payload (with its parent directories) does not have. */
async function pathsToRemove(files: Map<string, FileProjection>, oldTsPath: string): Promise<Set<string>> {
  const current = new Set<string>();
  const walk = async (rel: string) => {
    let entries;
    try {
      entries = await fs.readdir(path.join(oldTsPath, rel), { withFileTypes: true });
    } catch (err) {
      if (isCode(err, "ENOENT")) return;
      throw err;
    }
    for (const e of entries) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      current.add(p);
      if (e.isDirectory()) await walk(p);
    }
  };
  await walk("");
  const wanted = new Set<string>();
  for (const p of files.keys()) {
    for (let sub = p; sub && sub !== "."; sub = path.posix.dirname(sub)) wanted.add(sub);
  }
  return new Set([...current].filter((p) => !wanted.has(p)));
}

async function shouldWrite(files: Map<string, FileProjection>, oldTsPath: string): Promise<boolean> {
  for (const [p, f] of files) {
    const full = path.join(oldTsPath, p);
    try {
      const st = await fs.lstat(full);
      if (!st.isFile() || (st.mode & 0o7777) !== (f.mode & 0o7777)) return true;
      if (!bytes(f.data).equals(await fs.readFile(full))) return true;
    } catch (err) {
      if (isCode(err, "ENOENT") || isCode(err, "ENOTDIR")) return true;
      throw err;
    }
  }
  return false;
}

/** `name -> ..data/name` for every top-level name of the payload that has no link yet. */
async function createUserVisibleFiles(targetDir: string, files: Map<string, FileProjection>): Promise<void> {
  const tops = new Set([...files.keys()].map((p) => p.split("/")[0]));
  for (const name of tops) {
    const visible = path.join(targetDir, name);
    try {
      await fs.lstat(visible);
    } catch (err) {
      if (!isCode(err, "ENOENT")) throw err;
      await fs.symlink(path.posix.join(DATA_DIR, name), visible);
    }
  }
}
