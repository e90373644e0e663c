// The hostPath plugin's type check (upstream's checkTypeInternal): a path of the node given to
// the pod as is, after checking it is what `type` says, creating it for the *OrCreate types.
import { promises as fs } from "node:fs";

export const HOST_PATH_TYPES = ["", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"] as const;

async function statOrUndefined(p: string) {
  try {
    return await fs.stat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ENOTDIR") return undefined;
    throw err;
  }
}

/** Checks (and for the *OrCreate types makes) `hostPath`; throws with upstream's message. */
export async function checkHostPathType(hostPath: string, type: string | undefined): Promise<void> {
  if (hostPath.split("/").includes("..")) throw new Error(`invalid HostPath \`${hostPath}\`: must not contain '..'`);
  const t = type ?? "";
  if (t === "") return; // unset: nothing checked, as upstream
  const st = await statOrUndefined(hostPath);
  switch (t) {
    case "DirectoryOrCreate":
      if (!st) {
        // Upstream's makeDir: 0755, parents included.
        await fs.mkdir(hostPath, { recursive: true, mode: 0o755 });
        return;
      }
    // falls through
    case "Directory":
      if (!st?.isDirectory()) throw new Error(`hostPath type check failed: ${hostPath} is not a directory`);
      return;
    case "FileOrCreate":
      if (!st) {
        // Upstream's makeFile: an empty 0644 file; the parent directory must exist.
        const h = await fs.open(hostPath, "a", 0o644);
        await h.close();
        return;
      }
    // falls through
    case "File":
      if (!st?.isFile()) throw new Error(`hostPath type check failed: ${hostPath} is not a file`);
      return;
    case "Socket":
      if (!st?.isSocket()) throw new Error(`hostPath type check failed: ${hostPath} is not a socket file`);
      return;
    case "CharDevice":
      if (!st?.isCharacterDevice()) throw new Error(`hostPath type check failed: ${hostPath} is not a character device`);
      return;
    case "BlockDevice":
      if (!st?.isBlockDevice()) throw new Error(`hostPath type check failed: ${hostPath} is not a block device`);
      return;
    default:
      throw new Error(`${t} is an invalid volume type`);
  }
}
