// Helpers for the end-to-end suites that drive the real `kubectl` binary against `edgeplane up`
// (test/e2e/kubectl-*.test.ts): finding kubectl (and the other installed versions), running it
// with the harness's kubeconfig, parsing the tables it prints, manifests in a temp folder, and
// `kubectl get -w` as a long-running child.
//
//   const k = kubectlFor(h);                       // h from startEdgeplane()
//   const r = await k(["get", "pods", "-n", ns]);  // { code, stdout, stderr }
//   expect(table(r.stdout).headers).toEqual(["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Edgeplane } from "./harness.js";

/** Whether `kubectl` runs from PATH. */
export const hasKubectl: boolean = (() => {
  try {
    const r = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8", timeout: 20_000 });
    return r.status === 0;
  } catch {
    return false;
  }
})();

/** Prints (once per file) why a kubectl suite is skipped. */
export function warnIfNoKubectl(suite: string): void {
  if (!hasKubectl) {
    console.warn(`[${suite}] skipped: no \`kubectl\` on PATH (install kubectl v1.28+ to run the kubectl end-to-end suites)`);
  }
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  /** Extra environment (e.g. { KUBE_EDITOR: "/path/to/script" }). */
  env?: Record<string, string>;
  /** Working directory (defaults to the process cwd). */
  cwd?: string;
  /** Kill after this long (default 30 s). */
  timeoutMs?: number;
  /** Text fed to stdin (for `-f -`). */
  stdin?: string;
}

/** Runs `bin ARGS…` with KUBECONFIG pointing at the harness's kubeconfig; never rejects on a non-zero exit. */
export function runKubectl(
  kubeconfigPath: string,
  args: string[],
  opts: KubectlOptions = {},
  bin = "kubectl",
): Promise<KubectlResult> {
  return new Promise((resolveRun, reject) => {
    const child = execFile(
      bin,
      args,
      {
        env: { ...process.env, KUBECONFIG: kubeconfigPath, ...opts.env },
        cwd: opts.cwd,
        timeout: opts.timeoutMs ?? 30_000,
        maxBuffer: 32 * 1024 * 1024,
        encoding: "utf8",
      },
      (err, stdout, stderr) => {
        if (err && typeof (err as NodeJS.ErrnoException).code === "string") {
          reject(err); // ENOENT and friends: kubectl could not be run at all
          return;
        }
        const code = err ? ((err as { code?: number }).code ?? -1) : 0;
        if (err && (err as { killed?: boolean }).killed) {
          reject(new Error(`${bin} ${args.join(" ")} timed out after ${(opts.timeoutMs ?? 30_000) / 1000}s\n${stdout}\n${stderr}`));
          return;
        }
        resolveRun({ code, stdout, stderr });
      },
    );
    if (opts.stdin !== undefined) child.stdin?.end(opts.stdin);
  });
}

export type Kubectl = ((args: string[], opts?: KubectlOptions) => Promise<KubectlResult>) & {
  /** Runs and asserts a zero exit; returns stdout. */
  ok(args: string[], opts?: KubectlOptions): Promise<string>;
};

/** A kubectl runner bound to one edgeplane (and optionally another kubectl binary). */
export function kubectlFor(h: Pick<Edgeplane, "kubeconfigPath">, bin = "kubectl"): Kubectl {
  const run = ((args: string[], opts?: KubectlOptions) => runKubectl(h.kubeconfigPath, args, opts, bin)) as Kubectl;
  run.ok = async (args, opts) => {
    const r = await runKubectl(h.kubeconfigPath, args, opts, bin);
    if (r.code !== 0) {
      throw new Error(`${bin} ${args.join(" ")} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    }
    return r.stdout;
  };
  return run;
}

/** Other kubectl binaries installed beside the default one (kubectl.1.28 … kubectl.1.33), v1.28 and newer. */
export function otherKubectlVersions(): Array<{ version: string; bin: string }> {
  const dirs = new Set<string>(["/usr/bin", "/usr/local/bin", "/usr/lib/google-cloud-sdk/bin"]);
  for (const p of (process.env.PATH ?? "").split(":")) if (p) dirs.add(p);
  const found = new Map<string, string>();
  for (const dir of dirs) {
    let names: string[] = [];
    try {
      if (!existsSync(dir)) continue;
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) {
      const m = /^kubectl\.(1)\.(\d+)$/.exec(n);
      if (!m || Number(m[2]) < 28) continue;
      const version = `${m[1]}.${m[2]}`;
      if (!found.has(version)) found.set(version, join(dir, n));
    }
  }
  return [...found.entries()]
    .sort((a, b) => Number(a[0].split(".")[1]) - Number(b[0].split(".")[1]))
    .map(([version, bin]) => ({ version, bin }));
}

/** A kubectl AGE / LAST SEEN cell: 0s, 5s, 3m2s, 12m, 2d3h, … */
export const AGE = /^(\d+[smhdy])+$/;

export interface Table {
  headers: string[];
  /** One record per row, keyed by header. */
  rows: Array<Record<string, string>>;
  /** The raw header line. */
  headerLine: string;
}

/**
 * Parses a table kubectl printed (tabwriter, 3 spaces of padding): columns start where the
 * header's words start, so empty cells (a Job's DURATION) come out as "".
 * Only the first table of the text (up to an empty line) is parsed.
 */
export function table(text: string): Table {
  const lines = text.replace(/\r/g, "").split("\n");
  const start = lines.findIndex((l) => l.trim() !== "");
  if (start < 0) return { headers: [], rows: [], headerLine: "" };
  const headerLine = lines[start];
  const headers: string[] = [];
  const starts: number[] = [];
  const re = /\S+(?: \S+)*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(headerLine))) {
    headers.push(m[0]);
    starts.push(m.index);
  }
  const rows: Array<Record<string, string>> = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === "") break;
    const row: Record<string, string> = {};
    headers.forEach((hd, i) => {
      row[hd] = line.slice(starts[i], i + 1 < starts.length ? starts[i + 1] : undefined).trim();
    });
    rows.push(row);
  }
  return { headers, rows, headerLine };
}

/** Every table of a multi-table output (`kubectl get deploy,svc`), in order. */
export function tables(text: string): Table[] {
  return text
    .replace(/\r/g, "")
    .split(/\n\s*\n/)
    .filter((chunk) => chunk.trim() !== "")
    .map((chunk) => table(chunk));
}

/** The row whose NAME (or given column) is `name`. */
export function rowOf(t: Table, name: string, column = "NAME"): Record<string, string> {
  const row = t.rows.find((r) => r[column] === name);
  if (!row) throw new Error(`no row with ${column}=${name} in:\n${t.headerLine}\n${t.rows.map((r) => JSON.stringify(r)).join("\n")}`);
  return row;
}

/** A temporary folder for manifests; `write(name, text)` returns the absolute path. */
export function manifestDir(prefix = "edgeplane-kubectl-"): { dir: string; write(name: string, text: string): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    write(name, text) {
      const p = join(dir, name);
      writeFileSync(p, text, { mode: 0o755 });
      return p;
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface LiveKubectl {
  /** Everything printed on stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Waits until stdout matches. */
  until(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Ends the child (SIGTERM to its pid) and waits for it to exit. */
  stop(): Promise<void>;
}

const liveChildren = new Set<ChildProcess>();
process.on("exit", () => {
  for (const c of liveChildren) c.kill("SIGTERM");
});

/** Starts a long-running kubectl (`get -w`) and records its output. */
export function startKubectl(kubeconfigPath: string, args: string[], bin = "kubectl"): LiveKubectl {
  const child = spawn(bin, args, { env: { ...process.env, KUBECONFIG: kubeconfigPath }, stdio: ["ignore", "pipe", "pipe"] });
  liveChildren.add(child);
  let out = "";
  let err = "";
  child.stdout.on("data", (c: Buffer) => (out += c.toString("utf8")));
  child.stderr.on("data", (c: Buffer) => (err += c.toString("utf8")));
  const exited = new Promise<void>((r) =>
    child.on("exit", () => {
      liveChildren.delete(child);
      r();
    }),
  );
  return {
    stdout: () => out,
    stderr: () => err,
    async until(re, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!re.test(out)) {
        if (Date.now() > deadline) throw new Error(`kubectl ${args.join(" ")}: no ${re} after ${timeoutMs}ms\nstdout: ${out}\nstderr: ${err}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      return out;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}
