import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkHostPathType } from "./host-path.js";

let root: string;
let server: Server;
let socketPath: string;
beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), "host-path-"));
  mkdirSync(path.join(root, "dir"));
  writeFileSync(path.join(root, "file"), "x");
  socketPath = path.join(root, "sock");
  server = createServer();
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(root, { recursive: true, force: true });
});

const p = (name: string) => path.join(root, name);

describe("checkHostPathType", () => {
  it("checks nothing for an unset type", async () => {
    await expect(checkHostPathType(p("missing"), "")).resolves.toBeUndefined();
    await expect(checkHostPathType(p("missing"), undefined)).resolves.toBeUndefined();
  });

  it("DirectoryOrCreate makes the directory with its parents, mode 0755", async () => {
    await checkHostPathType(p("made/a/b"), "DirectoryOrCreate");
    const st = statSync(p("made/a/b"));
    expect(st.isDirectory()).toBe(true);
    expect(st.mode & 0o777).toBe(0o755 & ~process.umask());
    await expect(checkHostPathType(p("made/a/b"), "DirectoryOrCreate")).resolves.toBeUndefined();
    await expect(checkHostPathType(p("file"), "DirectoryOrCreate")).rejects.toThrow(`hostPath type check failed: ${p("file")} is not a directory`);
  });

  it("FileOrCreate makes an empty file but not its directory", async () => {
    await checkHostPathType(p("new-file"), "FileOrCreate");
    expect(statSync(p("new-file")).size).toBe(0);
    await expect(checkHostPathType(p("file"), "FileOrCreate")).resolves.toBeUndefined();
    await expect(checkHostPathType(p("dir"), "FileOrCreate")).rejects.toThrow(`hostPath type check failed: ${p("dir")} is not a file`);
    await expect(checkHostPathType(p("no-dir/f"), "FileOrCreate")).rejects.toThrow(/ENOENT/);
  });

  it.each([
    ["Directory", "dir", "file", "is not a directory"],
    ["Directory", "dir", "missing", "is not a directory"],
    ["File", "file", "dir", "is not a file"],
    ["File", "file", "missing", "is not a file"],
    ["Socket", "sock", "file", "is not a socket file"],
  ])("%s accepts %s and refuses %s", async (type, good, bad, what) => {
    await expect(checkHostPathType(p(good), type)).resolves.toBeUndefined();
    await expect(checkHostPathType(p(bad), type)).rejects.toThrow(`hostPath type check failed: ${p(bad)} ${what}`);
  });

  it("CharDevice accepts /dev/null; BlockDevice refuses it", async () => {
    await expect(checkHostPathType("/dev/null", "CharDevice")).resolves.toBeUndefined();
    await expect(checkHostPathType(p("file"), "CharDevice")).rejects.toThrow(`hostPath type check failed: ${p("file")} is not a character device`);
    await expect(checkHostPathType("/dev/null", "BlockDevice")).rejects.toThrow("hostPath type check failed: /dev/null is not a block device");
  });

  it("refuses an unknown type and a path with ..", async () => {
    await expect(checkHostPathType(p("dir"), "Folder")).rejects.toThrow("Folder is an invalid volume type");
    await expect(checkHostPathType("/var/../etc", "Directory")).rejects.toThrow("invalid HostPath `/var/../etc`: must not contain '..'");
  });
});
