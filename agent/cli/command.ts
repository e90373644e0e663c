// `edgeplane agent` as a command: flags → Agent, progress on stdout, errors on stderr; Ctrl-C
// or SIGTERM stops every node (their pods are left to the control plane, as a kubelet that
// stops leaves them) and exits 0. A failure to join exits 1 with what to fix.
import type { Parsed } from "../../src/cli/args.js";
import { CommandError } from "../../src/cli/api-client.js";
import { Agent } from "../agent.js";
import { JoinError } from "../credentials/node-credentials.js";
import { consoleLogger } from "../log.js";
import { parseAgentFlags } from "./parse.js";
import { onStopSignals } from "../../src/cli/stop-signals.js";

export async function runAgent(parsed: Parsed): Promise<number> {
  const s = parseAgentFlags(parsed);
  const log = consoleLogger(s.quiet);
  const agent = new Agent({
    server: s.server,
    ca: s.ca,
    insecureSkipTLSVerify: s.insecureSkipTLSVerify,
    bootstrapToken: s.bootstrapToken,
    name: s.name,
    nodes: s.nodes,
    runtime: s.runtime,
    labels: s.labels,
    taints: s.taints,
    capacity: s.capacity,
    statusFrequencyMs: s.statusFrequencyMs,
    syncFrequencyMs: s.syncFrequencyMs,
    runtimeEndpoint: s.runtimeEndpoint,
    rootDir: s.rootDir,
    manifestsDir: s.manifestsDir,
    proxyMode: s.proxyMode,
    clusterDomain: s.clusterDomain,
    clusterDNS: s.clusterDNS,
    proxyRelayPort: s.proxyRelayPort,
    log,
  });

  let onSignal: () => void = () => {};
  let signals = 0;
  const stopRequested = new Promise<void>((resolve) => {
    onSignal = () => {
      if (++signals > 1) {
        process.stderr.write("edgeplane: forced stop\n");
        process.exit(130);
      }
      resolve();
    };
  });
  const stopListening = onStopSignals(onSignal);

  try {
    log.info(`… joining ${s.server} as ${s.nodes === 1 ? `node ${s.name}` : `${s.nodes} ${s.runtime.name} nodes`}`);
    const started = await Promise.race([agent.start().then(() => true), stopRequested.then(() => false)]).catch(async (err) => {
      await agent.stop();
      if (err instanceof JoinError) throw new CommandError(err.message, err.hint);
      throw new CommandError((err as Error).message);
    });
    if (started) await stopRequested;
    log.info("… stopping");
    await agent.stop();
    log.info("✓ stopped");
    return 0;
  } finally {
    stopListening();
  }
}
