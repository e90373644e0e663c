// `edgeplane up` as a command: flags → startControlPlane, progress on stdout, errors on
// stderr, Ctrl-C / SIGTERM → stop wrangler and workerd and exit 0.
import { UsageError, type Parsed } from "./args.js";
import { startControlPlane, type ControlPlane } from "./up.js";
import { UpError } from "./up-error.js";

const OUTPUT_LINES_SHOWN = 30;

export async function runUp(parsed: Parsed): Promise<number> {
  if (parsed.positionals.length > 0) {
    throw new UsageError(`'edgeplane up' takes no arguments (got '${parsed.positionals[0]}')`, "run 'edgeplane up --help'");
  }
  const f = parsed.flags;
  const port = f.port === undefined ? undefined : parsePort(f.port as string);
  const vars: Record<string, string> = {};
  for (const kv of (f.var as string[] | undefined) ?? []) {
    const eq = kv.indexOf("=");
    if (eq <= 0) throw new UsageError(`--var needs KEY=VALUE (got '${kv}')`, "e.g. --var WATCH_LOG_MIN_AGE_SECONDS=0");
    const key = kv.slice(0, eq);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) {
      throw new UsageError(`--var: invalid variable name '${key}'`, "use letters, digits and _, e.g. --var WATCH_LOG_MIN_AGE_SECONDS=0");
    }
    if (key === "ADMIN_TOKEN") {
      throw new UsageError("--var ADMIN_TOKEN is not allowed: edgeplane up manages the admin token", "it is kept in <state>/admin-token; edit or delete that file to change it");
    }
    vars[key] = kv.slice(eq + 1);
  }
  const quiet = f.quiet === true;
  const say = (line: string) => {
    if (!quiet) process.stdout.write(`${line}\n`);
  };

  // Signals: while starting they abort the start; once running they stop; a second one forces.
  const abort = new AbortController();
  let cp: ControlPlane | undefined;
  let onSignal: (signal: NodeJS.Signals) => void = () => {};
  const stopRequested = new Promise<NodeJS.Signals>((resolveSignal) => {
    let count = 0;
    onSignal = (signal) => {
      count++;
      if (count > 1) {
        process.stderr.write("edgeplane: forced stop\n");
        if (cp && cp.pid > 0) {
          try {
            process.kill(-cp.pid, "SIGKILL");
          } catch {
            // already gone
          }
        }
        process.exit(130);
      }
      abort.abort();
      resolveSignal(signal);
    };
  });
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);

  // Tests (and supervisors) can ask us to stop when the process that started us goes away.
  let parentWatch: NodeJS.Timeout | undefined;
  if (process.env.EDGEPLANE_STOP_WITH_PARENT === "1") {
    const parent = process.ppid;
    parentWatch = setInterval(() => {
      if (process.ppid !== parent) onSignal("SIGTERM");
    }, 1000);
    parentWatch.unref();
  }

  try {
    try {
      cp = await startControlPlane({ port, stateDir: f.state as string | undefined, kubeconfigPath: f.kubeconfig as string | undefined, vars, log: say, signal: abort.signal });
    } catch (err) {
      if (err instanceof UpError && err.aborted) {
        say("✓ stopped");
        return 0;
      }
      if (err instanceof UpError) {
        reportFailure(err.message, err.output, err.hint);
        return 1;
      }
      throw err;
    }

    say("");
    say("Use it with kubectl:");
    say(`  export KUBECONFIG=${shellQuote(cp.kubeconfigPath)}`);
    say("  kubectl get namespaces");
    say("");
    say("Press Ctrl-C to stop.");

    const outcome = await Promise.race([
      stopRequested.then(() => "signal" as const),
      cp.exited.then(() => "exited" as const),
    ]);
    if (outcome === "signal") {
      say("… stopping");
      await cp.stop();
      say("✓ stopped");
      return 0;
    }
    const info = await cp.exited;
    const how = info.signal ? `signal ${info.signal}` : `code ${info.code}`;
    reportFailure(`the control plane stopped unexpectedly (${how})`, info.output, "run again with EDGEPLANE_DEBUG=1 to see all of wrangler's output");
    await cp.stop();
    return 1;
  } finally {
    if (parentWatch) clearInterval(parentWatch);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("SIGHUP", onSignal);
  }
}

function parsePort(value: string): number {
  const port = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`--port needs a number from 1 to 65535 (got '${value}')`, "e.g. --port 8787");
  }
  return port;
}

function reportFailure(message: string, output: string[], hint?: string): void {
  process.stderr.write(`✗ ${message}\n`);
  const lines = output.filter((l) => l.trim() !== "").slice(-OUTPUT_LINES_SHOWN);
  if (lines.length > 0) {
    process.stderr.write(`\nwrangler's last output:\n${lines.map((l) => `  │ ${l}`).join("\n")}\n\n`);
  }
  if (hint) process.stderr.write(`hint: ${hint}\n`);
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_\-./:=@%+,~]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
