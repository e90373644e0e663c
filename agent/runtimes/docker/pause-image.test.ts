// The hand-made pause executable really runs (and sleeps) on this x86-64 host, and the tars the
// runtime writes and reads agree with the system's tar.
import { execFile, spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pauseElf, pauseImageFor, PAUSE_REPOSITORY } from "./pause-image.js";
import { firstFileOfTar, writeTar } from "./tar.js";

const run = promisify(execFile);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "edgeplane-pause-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the pause image", () => {
  it("is a tiny static executable that sleeps until killed", async () => {
    const elf = pauseElf();
    expect(elf.length).toBeLessThan(200);
    const path = join(dir, "pause");
    await writeFile(path, elf);
    await chmod(path, 0o755);
    const child = spawn(path, { stdio: "ignore" });
    const exit = new Promise<NodeJS.Signals | null>((r) => child.on("exit", (_code, signal) => r(signal)));
    await new Promise((r) => setTimeout(r, 300));
    expect(child.exitCode).toBeNull();
    child.kill("SIGKILL");
    expect(await exit).toBe("SIGKILL");
  });

  it("is a tar the system's tar reads, named after its content", async () => {
    const image = await pauseImageFor("amd64");
    expect(image.name).toMatch(new RegExp(`^${PAUSE_REPOSITORY}:[0-9a-f]{12}$`));
    expect(image.command).toEqual(["/pause"]);
    expect((await pauseImageFor("amd64")).name).toBe(image.name);
    await writeFile(join(dir, "pause.tar"), image.rootfs);
    const { stdout } = await run("tar", ["-tvf", join(dir, "pause.tar")]);
    expect(stdout).toMatch(/^-rwxr-xr-x\s+0\/0\s+129 .* pause$/m);
    const other = await pauseImageFor("arm64");
    expect(other.command).toEqual(["/bin/busybox", "sleep", "2147483647"]);
  });

  it("reads the first file of a tar the system's tar wrote", async () => {
    await writeFile(join(dir, "msg"), "x".repeat(5000));
    await run("tar", ["-C", dir, "-cf", join(dir, "msg.tar"), "msg"]);
    const tar = await readFile(join(dir, "msg.tar"));
    expect(firstFileOfTar(tar, 4096)?.toString()).toBe("x".repeat(4096));
    expect(firstFileOfTar(writeTar([{ path: "d", mode: 0o755 }, { path: "d/f", data: Buffer.from("hi"), mode: 0o644 }]), 10)?.toString()).toBe("hi");
    expect(firstFileOfTar(Buffer.alloc(1024), 10)).toBeUndefined();
  });
});
