// Real podman for tests: its Docker-compatible service on a socket of the test's own, and a busybox
// image made locally (no registry is reachable), so tests run real containers through the
// Docker Engine API. Missing tools are a failure, not a skip: CI installs them.
import { onPath, startPodmanService } from "../../agent/local/runtime-choice.js";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile, copyFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The page `busybox httpd -h /www` serves from the test image. */
export const BUSYBOX_INDEX_HTML = "<html><body>edgeplane busybox test image</body></html>\n";
export const DEFAULT_BUSYBOX_IMAGE = "localhost/edgeplane-test/busybox:1";


/** Why podman-based tests cannot run here, or undefined when they can. */
export function podmanAvailable(): string | undefined {
  const missing = ["podman", "runc"].filter((n) => !onPath(n, `${process.env.PATH ?? ""}${delimiter}/usr/sbin${delimiter}/sbin`));
  if (!existsSync("/bin/busybox")) missing.push("/bin/busybox");
  if (missing.length === 0) return undefined;
  return `missing ${missing.join(", ")}: apt-get install -y podman runc busybox-static`;
}

/** Fails the calling test (not a skip) when podman cannot run. */
export function requirePodman(): void {
  const reason = podmanAvailable();
  if (reason) throw new Error(`podman tests cannot run: ${reason}`);
}


export interface Podman {
  socket: string;
  /** `unix://<socket>` */
  endpoint: string;
  /** Podman's version, e.g. "4.3.1". */
  version: string;
  /** Ids of the containers (running or not) carrying `key=value`. */
  containersByLabel(label: string): Promise<string[]>;
  /** Removes (forcibly) every container carrying `key=value`. */
  removeByLabel(label: string): Promise<void>;
  /** Removes a network; nothing when it does not exist. */
  removeNetwork(name: string): Promise<void>;
  /** Stops the service (not the containers: they outlive it, as on a real host). */
  stop(): Promise<void>;
}

async function containersByLabel(label: string): Promise<string[]> {
  const { stdout } = await run("podman", ["ps", "-a", "-q", "--no-trunc", "--filter", `label=${label}`]);
  return stdout.split("\n").filter(Boolean);
}

/** Containers that joined another's namespaces go first: podman refuses to remove one others depend on. */
async function removeByLabel(label: string): Promise<void> {
  const all = await containersByLabel(label);
  const { stdout } = await run("podman", ["ps", "-a", "-q", "--no-trunc", "--filter", `label=${label}`, "--filter", "label=io.edgeplane.sandbox=true"]);
  const infra = new Set(stdout.split("\n").filter(Boolean));
  const apps = all.filter((id) => !infra.has(id));
  if (apps.length) await run("podman", ["--runtime", "runc", "rm", "-f", "-t", "0", ...apps]);
  // --depend: also the containers of those sandboxes that do not carry the label.
  if (infra.size) await run("podman", ["--runtime", "runc", "rm", "-f", "--depend", "-t", "0", ...infra]);
}

async function removeNetwork(name: string): Promise<void> {
  await run("podman", ["network", "rm", "-f", name]).catch(() => {});
}

/** Starts Podman's service as `edgeplane up` does (runtime-choice.ts) on a socket in a fresh directory, once it answers. */
export async function startPodman(timeoutMs = 20_000): Promise<Podman> {
  requirePodman();
  const dir = await mkdtemp(join(tmpdir(), "edgeplane-podman-"));
  try {
    const svc = await startPodmanService("podman", dir, timeoutMs);
    const { stdout } = await run("podman", ["version", "--format", "{{.Client.Version}}"]);
    const stop = async () => {
      await svc.stop();
      await rm(dir, { recursive: true, force: true });
    };
    return { socket: svc.endpoint.slice("unix://".length), endpoint: svc.endpoint, version: stdout.trim(), containersByLabel, removeByLabel, removeNetwork, stop };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Makes a busybox image (busybox-static with its applets linked, /www/index.html, /etc/passwd with
 * root and nobody, /tmp) and imports it with `podman import`, unless it exists. Returns its name.
 */
export async function ensureBusyboxImage(name = DEFAULT_BUSYBOX_IMAGE): Promise<string> {
  requirePodman();
  const exists = await run("podman", ["image", "exists", name]).then(
    () => true,
    () => false,
  );
  if (exists) return name;
  const dir = await mkdtemp(join(tmpdir(), "edgeplane-busybox-"));
  try {
    const root = join(dir, "rootfs");
    for (const d of ["bin", "etc", "www", "tmp", "proc", "sys", "dev", "root"]) await mkdir(join(root, d), { recursive: true });
    await chmod(join(root, "tmp"), 0o1777);
    await copyFile("/bin/busybox", join(root, "bin", "busybox"));
    await chmod(join(root, "bin", "busybox"), 0o755);
    const { stdout } = await run("/bin/busybox", ["--list"]);
    for (const applet of stdout.split("\n").map((s) => s.trim())) {
      if (applet && applet !== "busybox") await symlink("busybox", join(root, "bin", applet)).catch(() => {});
    }
    await writeFile(join(root, "www", "index.html"), BUSYBOX_INDEX_HTML);
    await writeFile(join(root, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
    await writeFile(join(root, "etc", "group"), "root:x:0:\nnogroup:x:65534:\n");
    const tar = join(dir, "rootfs.tar");
    await run("tar", ["-C", root, "-cf", tar, "."]);
    await run("podman", ["import", "--change", 'CMD ["/bin/sh"]', "--change", "ENV PATH=/bin", tar, name]);
    return name;
  } catch (err) {
    // Two test files importing at once: the other one won.
    if (await run("podman", ["image", "exists", name]).then(() => true, () => false)) return name;
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
