// The sandbox's infra ("pause") image. No registry is reachable, so the agent makes it: a root
// filesystem holding one static executable that sleeps forever, imported into the engine under a
// tag derived from its content (imported only when missing).
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { EngineClient, isNotFound, readAll } from "./engine-client.js";
import { imagePath } from "./images.js";
import { writeTar } from "./tar.js";

export const PAUSE_REPOSITORY = "localhost/edgeplane-pause";

/**
 * A static x86-64 ELF executable (129 bytes) whose code is `loop: mov eax, 34; syscall; jmp loop`:
 * pause(2) forever. It installs no handlers, so as PID 1 it ignores SIGTERM (stop it with SIGKILL).
 */
export function pauseElf(): Buffer {
  const base = 0x400000n;
  const code = Buffer.from([0xb8, 0x22, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xeb, 0xf7]);
  const ehdr = Buffer.alloc(64);
  const phdr = Buffer.alloc(56);
  const size = BigInt(ehdr.length + phdr.length + code.length);
  ehdr.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]); // ELF, 64-bit, little-endian, version 1, System V
  ehdr.writeUInt16LE(2, 16); // ET_EXEC
  ehdr.writeUInt16LE(0x3e, 18); // x86-64
  ehdr.writeUInt32LE(1, 20);
  ehdr.writeBigUInt64LE(base + 120n, 24); // entry: the code, after both headers
  ehdr.writeBigUInt64LE(64n, 32); // program headers follow the ELF header
  ehdr.writeUInt16LE(64, 52);
  ehdr.writeUInt16LE(56, 54);
  ehdr.writeUInt16LE(1, 56);
  phdr.writeUInt32LE(1, 0); // PT_LOAD
  phdr.writeUInt32LE(5, 4); // read + execute
  phdr.writeBigUInt64LE(0n, 8);
  phdr.writeBigUInt64LE(base, 16);
  phdr.writeBigUInt64LE(base, 24);
  phdr.writeBigUInt64LE(size, 32);
  phdr.writeBigUInt64LE(size, 40);
  phdr.writeBigUInt64LE(0x1000n, 48);
  return Buffer.concat([ehdr, phdr, code]);
}

export interface PauseImage {
  /** `localhost/edgeplane-pause:<tag>` */
  name: string;
  /** The infra container's command. */
  command: string[];
  rootfs: Buffer;
}

/** The image for the engine's architecture: the hand-made executable on amd64, else the host's static busybox sleeping. */
export async function pauseImageFor(engineArch: string, busyboxPath = "/bin/busybox"): Promise<PauseImage> {
  let rootfs: Buffer;
  let command: string[];
  if (engineArch === "amd64" || engineArch === "x86_64") {
    rootfs = writeTar([{ path: "pause", data: pauseElf(), mode: 0o755 }]);
    command = ["/pause"];
  } else {
    const busybox = await readFile(busyboxPath).catch(() => {
      throw new Error(`no pause image for ${engineArch}: ${busyboxPath} (busybox-static) is missing`);
    });
    rootfs = writeTar([
      { path: "bin", mode: 0o755 },
      { path: "bin/busybox", data: busybox, mode: 0o755 },
    ]);
    // busybox sleep installs no handlers either: as PID 1 it ignores SIGTERM too.
    command = ["/bin/busybox", "sleep", "2147483647"];
  }
  const tag = createHash("sha256").update(rootfs).digest("hex").slice(0, 12);
  return { name: `${PAUSE_REPOSITORY}:${tag}`, command, rootfs };
}

/** Imports the pause image unless the engine has it; returns its name. */
export async function ensurePauseImage(engine: EngineClient, image: PauseImage): Promise<string> {
  try {
    await engine.json("GET", imagePath(image.name));
    return image.name;
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  const res = await engine.request("POST", "/images/create", {
    // The tag goes in `repo` (the API allows it): podman ignores the `tag` parameter of an import.
    query: { fromSrc: "-", repo: image.name, changes: `CMD ${JSON.stringify(image.command)}` },
    body: image.rootfs,
    contentType: "application/x-tar",
    timeoutMs: 60_000,
  });
  const out = (await readAll(res)).toString("utf8");
  const failure = /"error"\s*:\s*"([^"]*)"/.exec(out);
  if (failure) throw new Error(`importing ${image.name}: ${failure[1]}`);
  await engine.json("GET", imagePath(image.name));
  return image.name;
}
