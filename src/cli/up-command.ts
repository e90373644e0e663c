// `edgeplane up` as a command: flags → startControlPlane (and with --nodes N the node agent,
// agent/local), progress on stdout, errors on stderr, Ctrl-C / SIGTERM → stop the agent,
// wrangler and workerd and exit 0.
import { UsageError, type Parsed } from "./args.js";
import { startControlPlane, type ControlPlane } from "./up.js";
import { UpError } from "./up-error.js";
import { onStopSignals } from "./stop-signals.js";
import type { LocalAgent } from "../../agent/local/local-agent.js";

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
  const nodes = parseNodes(f.nodes as string | undefined);
  const runtime = (f.runtime as string | undefined) ?? "auto";
  const runtimeEndpoint = f["runtime-endpoint"] as string | undefined;
  if (nodes > 0) {
    const { runtimeNamed, runtimes } = await import("../../agent/runtimes/index.js");
    const descriptor = runtime === "auto" ? undefined : runtimeNamed(runtime);
    if (runtime !== "auto" && !descriptor) throw new UsageError(`unknown runtime '${runtime}'`, `the runtimes are: auto, ${Object.keys(runtimes).join(", ")}`);
    if (nodes > 1 && !descriptor?.multiNode) throw new UsageError(`--nodes ${nodes} needs a runtime that simulates nodes; '${runtime}' runs one node per machine`, "use --nodes 1, or --runtime simulated");
    if (runtimeEndpoint !== undefined && runtime !== "docker") throw new UsageError("--runtime-endpoint is for --runtime docker", "add --runtime docker, or drop --runtime-endpoint");
  }
  const quiet = f.quiet === true;
  const say = (line: string) => {
    if (!quiet) process.stdout.write(`${line}\n`);
  };

  // Signals: while starting they abort the start; once running they stop; a second one forces.
  const abort = new AbortController();
  let cp: ControlPlane | undefined;
  let agent: LocalAgent | undefined;
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
  const stopListening = onStopSignals(onSignal);


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

    if (nodes > 0) {
      const { startLocalAgent } = await import("../../agent/local/local-agent.js");
      try {
        // The agent's later lines are its state changes: problems (✗) go to stderr even with --quiet.
        const onOutput = (line: string) => (line.startsWith("✗") ? process.stderr.write(`[agent] ${line}\n`) : say(`[agent] ${line}`));
        agent = await startLocalAgent({ server: cp.url, caPath: cp.caPath, kubeconfigPath: cp.kubeconfigPath, stateDir: cp.stateDir, nodes, runtime, runtimeEndpoint, onOutput, say });
      } catch (err) {
        await cp.stop();
        if (!(err instanceof UpError)) throw err;
        reportFailure(err.message, err.output, err.hint, "the agent's");
        return 1;
      }
      say(`✓ Started ${agent.summary} (agent pid ${agent.pid}, ${agent.seconds.toFixed(1)}s)`);
      if (agent.runtimeDetail) say(`  runtime: ${agent.runtimeDetail}`);
    }

    say("");
    say("Use it with kubectl:");
    say(`  export KUBECONFIG=${shellQuote(cp.kubeconfigPath)}`);
    say(nodes > 0 ? "  kubectl get nodes" : "  kubectl get namespaces");
    say("");
    say("Press Ctrl-C to stop.");

    const outcome = await Promise.race([
      stopRequested.then(() => "signal" as const),
      cp.exited.then(() => "exited" as const),
      ...(agent ? [agent.exited.then(() => "agent-exited" as const)] : []),
    ]);
    if (outcome === "signal") {
      say("… stopping");
      await agent?.stop();
      await cp.stop();
      say("✓ stopped");
      return 0;
    }
    if (outcome === "agent-exited" && agent) {
      const info = await agent.exited;
      const how = info.signal ? `signal ${info.signal}` : `code ${info.code}`;
      reportFailure(`the node agent stopped unexpectedly (${how})`, info.output, undefined, "the agent's");
      await cp.stop();
      return 1;
    }
    await agent?.stop();
    const info = await cp.exited;
    const how = info.signal ? `signal ${info.signal}` : `code ${info.code}`;
    reportFailure(`the control plane stopped unexpectedly (${how})`, info.output, "run again with EDGEPLANE_DEBUG=1 to see all of wrangler's output");
    await cp.stop();
    return 1;
  } finally {
    stopListening();
  }
}

function parsePort(value: string): number {
  const port = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`--port needs a number from 1 to 65535 (got '${value}')`, "e.g. --port 8787");
  }
  return port;
}

function parseNodes(value: string | undefined): number {
  const n = value === undefined ? 0 : /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n > 3072) throw new UsageError(`--nodes needs a whole number from 0 to 3072 (got '${value}')`, "e.g. --nodes 3");
  return n;
}

function reportFailure(message: string, output: string[], hint?: string, whose = "wrangler's"): void {
  process.stderr.write(`✗ ${message}\n`);
  const lines = output.filter((l) => l.trim() !== "").slice(-OUTPUT_LINES_SHOWN);
  if (lines.length > 0) {
    process.stderr.write(`\n${whose} last output:\n${lines.map((l) => `  │ ${l}`).join("\n")}\n\n`);
  }
  if (hint) process.stderr.write(`hint: ${hint}\n`);
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_\-./:=@%+,~]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
