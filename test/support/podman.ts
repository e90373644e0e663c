// Real podman for tests: its Docker-compatible service on a socket of the test's own, and a busybox
// image made locally (no registry is reachable), so tests run real containers through the
// Docker Engine API. Missing tools are a failure, not a skip: CI installs them.
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile, copyFile, chmod } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The page `busybox httpd -h /www` serves from the test image. */
export const BUSYBOX_INDEX_HTML = "<html><body>edgeplane busybox test image</body></html>\n";
export const DEFAULT_BUSYBOX_IMAGE = "localhost/edgeplane-test/busybox:1";

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter).concat(["/usr/sbin", "/sbin"])) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Why podman-based tests cannot run here, or undefined when they can. */
export function podmanAvailable(): string | undefined {
  const missing = ["podman", "runc"].filter((n) => !onPath(n));
  if (!existsSync("/bin/busybox")) missing.push("/bin/busybox");
  if (missing.length === 0) return undefined;
  return `missing ${missing.join(", ")}: apt-get install -y podman runc busybox-static`;
}

/** Fails the calling test (not a skip) when podman cannot run. */
export function requirePodman(): void {
  const reason = podmanAvailable();
  if (reason) throw new Error(`podman tests cannot run: ${reason}`);
}

function ping(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath: socket, path: "/_ping", timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
  });
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

/** Starts `podman --runtime runc system service` on a socket in a fresh directory and waits until it answers. */
export async function startPodman(timeoutMs = 20_000): Promise<Podman> {
  requirePodman();
  const dir = await mkdtemp(join(tmpdir(), "edgeplane-podman-"));
  const socket = join(dir, "podman.sock");
  const endpoint = `unix://${socket}`;
  const child = spawn("podman", ["--runtime", "runc", "system", "service", "--time=0", endpoint], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (c: Buffer) => (stderr = (stderr + c.toString("utf8")).slice(-4000)));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(t);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    if (existsSync(socket) && (await ping(socket))) {
      const { stdout } = await run("podman", ["version", "--format", "{{.Client.Version}}"]);
      return { socket, endpoint, version: stdout.trim(), containersByLabel, removeByLabel, removeNetwork, stop };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`podman system service did not answer on ${endpoint}: ${stderr.trim()}`);
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
