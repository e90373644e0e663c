import { promises as fs, mkdtempSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { validatePayloadPath, writeAtomically } from "./atomic-writer.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "atomic-writer-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ls = async () => (await fs.readdir(dir)).sort();
const modeOf = async (p: string) => (await fs.stat(path.join(dir, p))).mode & 0o777;
const T0 = Date.UTC(2026, 10, 26, 7, 0, 0);

describe("writeAtomically", () => {
  it("lays files out as upstream: a timestamped directory, ..data, and visible links through it", async () => {
    expect(await writeAtomically(dir, { color: { data: "blue", mode: 0o644 }, "nested/deep/file": { data: "x", mode: 0o600 } }, () => T0)).toBe(true);
    const entries = await ls();
    const ts = entries.find((e) => e.startsWith("..2026_11_26_07_00_00."))!;
    expect(ts).toBeDefined();
    expect(entries).toEqual([ts, "..data", "color", "nested"].sort());
    expect(readlinkSync(path.join(dir, "..data"))).toBe(ts);
    expect(readlinkSync(path.join(dir, "color"))).toBe("..data/color");
    expect(readlinkSync(path.join(dir, "nested"))).toBe("..data/nested");
    expect(readFileSync(path.join(dir, "color"), "utf8")).toBe("blue");
    expect(readFileSync(path.join(dir, "nested/deep/file"), "utf8")).toBe("x");
    expect(await modeOf(ts)).toBe(0o755);
    expect(await modeOf("color")).toBe(0o644);
    expect(await modeOf("nested/deep/file")).toBe(0o600);
  });

  it("updates content through the same path while a reader of the old version keeps reading it", async () => {
    await writeAtomically(dir, { color: { data: "blue", mode: 0o644 } });
    const oldTs = readlinkSync(path.join(dir, "..data"));
    const reader = await fs.open(path.join(dir, "color"), "r");
    try {
      expect(await writeAtomically(dir, { color: { data: "green", mode: 0o644 } })).toBe(true);
      expect(readFileSync(path.join(dir, "color"), "utf8")).toBe("green");
      const buf = Buffer.alloc(16);
      const { bytesRead } = await reader.read(buf, 0, 16, 0);
      expect(buf.subarray(0, bytesRead).toString()).toBe("blue");
    } finally {
      await reader.close();
    }
    // The old version is gone from the directory.
    expect((await ls()).includes(oldTs)).toBe(false);
    expect((await ls()).filter((e) => e.startsWith("..2"))).toHaveLength(1);
  });

  it("leaves the directory alone when nothing changed", async () => {
    await writeAtomically(dir, { a: { data: "1", mode: 0o644 }, b: { data: Buffer.from([0, 1, 2]), mode: 0o400 } });
    const ts = readlinkSync(path.join(dir, "..data"));
    expect(await writeAtomically(dir, { a: { data: "1", mode: 0o644 }, b: { data: new Uint8Array([0, 1, 2]), mode: 0o400 } })).toBe(false);
    expect(readlinkSync(path.join(dir, "..data"))).toBe(ts);
    // A mode change alone is a change.
    expect(await writeAtomically(dir, { a: { data: "1", mode: 0o600 }, b: { data: Buffer.from([0, 1, 2]), mode: 0o400 } })).toBe(true);
    expect(await modeOf("a")).toBe(0o600);
  });

  it("removes keys that disappear, top-level links and nested files alike", async () => {
    await writeAtomically(dir, { a: { data: "1", mode: 0o644 }, b: { data: "2", mode: 0o644 }, "d/x": { data: "3", mode: 0o644 }, "d/y": { data: "4", mode: 0o644 } });
    expect(await writeAtomically(dir, { a: { data: "1", mode: 0o644 }, "d/x": { data: "3", mode: 0o644 } })).toBe(true);
    expect((await ls()).filter((e) => !e.startsWith(".."))).toEqual(["a", "d"]);
    expect(await fs.readdir(path.join(dir, "d"))).toEqual(["x"]);
    // Removing everything leaves only the bookkeeping.
    expect(await writeAtomically(dir, {})).toBe(true);
    expect((await ls()).filter((e) => !e.startsWith(".."))).toEqual([]);
  });

  it("refuses paths that would escape or clash with its own entries", async () => {
    for (const [p, msg] of [
      ["", 'invalid path: must not be empty: ""'],
      ["/etc/passwd", "invalid path: must be relative path: /etc/passwd"],
      ["a/../../b", "invalid path: must not contain '..': a/../../b"],
      ["..data", "invalid path: must not start with '..': ..data"],
      ["x".repeat(256), "invalid path: filenames must be less than or equal to 255 characters"],
    ]) {
      expect(validatePayloadPath(p)).toBe(msg);
      await expect(writeAtomically(dir, { [p]: { data: "", mode: 0o644 } })).rejects.toThrow(msg);
    }
    expect(validatePayloadPath("..")).toBe("invalid path: must not contain '..': ..");
    expect(validatePayloadPath("a/..b")).toBeUndefined();
    expect(await ls()).toEqual([]);
  });
});
