// The edgeplane command line. bin/edgeplane.js loads this file through tsx and calls main().
// Each command is a { summary, flags, run } entry; `run` resolves to the process exit code.
import { reportCommandError } from "./api-client.js";
import { formatFlags, parseArgs, closest, UsageError, type FlagSpec, type Parsed } from "./args.js";
import { packageVersion } from "./paths.js";
import { auditFlags } from "./audit-flags.js";
import { tokenFlags } from "./token-flags.js";
import { agentFlags, BOOTSTRAP_TOKEN_ENV } from "../../agent/cli/flags.js";

interface Command {
  summary: string;
  usage: string;
  description: string;
  flags: FlagSpec[];
  examples?: string[];
  environment?: string[];
  run(parsed: Parsed): Promise<number>;
}

const helpFlag: FlagSpec = { name: "help", short: "h", type: "boolean", description: "Show this help" };

const upFlags: FlagSpec[] = [
  { name: "port", type: "string", valueName: "N", description: "Port to listen on, on 127.0.0.1", default: "8787" },
  {
    name: "state",
    type: "string",
    valueName: "DIR",
    description: "Folder for the admin token and the Durable Object storage",
    default: ".edgeplane/state",
  },
  { name: "kubeconfig", type: "string", valueName: "PATH", description: "Where to write the kubeconfig", default: ".edgeplane/kubeconfig" },
  {
    name: "var",
    type: "list",
    valueName: "KEY=VALUE",
    description: "Advanced: pass a variable to the Worker, e.g. WATCH_LOG_MIN_AGE_SECONDS=0 (repeatable)",
  },
  { name: "nodes", type: "string", valueName: "N", description: "Run the node agent with N local nodes (0: none; N > 1 needs --runtime simulated)", default: "1" },
  {
    name: "runtime",
    type: "string",
    valueName: "NAME",
    description: "The local nodes' runtime: auto (a Docker or Podman socket, else Podman's service started here, else process), docker, process or simulated",
    default: "auto",
  },
  { name: "runtime-endpoint", type: "string", valueName: "URL", description: "The docker runtime's socket (with --runtime docker), e.g. unix:///run/podman/podman.sock" },
  { name: "quiet", short: "q", type: "boolean", description: "Print only errors" },
  helpFlag,
];

export const commands: Record<string, Command> = {
  up: {
    summary: "Run the control plane locally on workerd and write a kubeconfig",
    usage: "edgeplane up [flags]",
    description: [
      "Runs the edgeplane control plane (the Worker and its Durable Objects) on workerd through",
      "wrangler dev, keeps its state on disk, and writes a kubeconfig so kubectl can use it.",
      "The admin token is made on the first start and reused while the state folder is kept.",
      "Cron Triggers are ticked every minute, as on Cloudflare. It also runs the node agent",
      "('edgeplane agent') as one local node, edgeplane, that runs pods as containers with the best",
      "runtime it finds (Docker, Podman, else host processes) and says which; --nodes N --runtime",
      "simulated runs N simulated nodes edgeplane-0 … instead, and --nodes 0 none.",
      "Ctrl-C stops everything.",
    ].join("\n"),
    flags: upFlags,
    environment: ["EDGEPLANE_DEBUG=1   show wrangler's and workerd's output"],
    examples: ["edgeplane up", "edgeplane up --runtime process", "edgeplane up --nodes 100 --runtime simulated", "edgeplane up --nodes 0", "edgeplane up --port 9000 --state /var/lib/edgeplane --kubeconfig ~/.kube/edgeplane"],
    run: async (parsed) => (await import("./up-command.js")).runUp(parsed),
  },
  token: {
    summary: "Create, list and delete bootstrap tokens for joining machines",
    usage: "edgeplane token create|list|delete [ID…] [flags]",
    description: [
      "Manages bootstrap tokens (as 'kubeadm token' does): 'create' prints a new token",
      "abcdef.0123456789abcdef, kept as Secret kube-system/bootstrap-token-<id>; a machine joining",
      "with it trades it for node credentials and never sees the admin token. An expired token stops",
      "working and is deleted. Uses the control plane of a kubeconfig, like kubectl.",
    ].join("\n"),
    flags: tokenFlags,
    examples: ["edgeplane token create", "edgeplane token create --ttl 2h --description 'rack 4'", "edgeplane token list", "edgeplane token delete abcdef"],
    run: async (parsed) => (await import("./token.js")).runToken(parsed),
  },
  secrets: {
    summary: "Re-encrypt every stored Secret under the first key of ENCRYPTION_KEYS",
    usage: "edgeplane secrets rotate [flags]",
    description: [
      "Secrets are stored encrypted (AES-256-GCM) under the first key of the Worker secret",
      "ENCRYPTION_KEYS; every key listed can read them. After putting a new key first, 'rotate'",
      "re-encrypts every namespace's Secrets and their watch-log rows under it (Secrets stored",
      "unencrypted are encrypted too) and reports any value under a key no longer listed. Remove",
      "an old key only after a rotation that reports nothing under it. Needs system:masters.",
    ].join("\n"),
    flags: [
      { name: "kubeconfig", type: "string", valueName: "PATH", description: "kubeconfig to use (default: $KUBECONFIG, .edgeplane/kubeconfig, ~/.kube/config)" },
      { name: "context", type: "string", valueName: "NAME", description: "kubeconfig context (default: its current-context)" },
      helpFlag,
    ],
    examples: ["edgeplane secrets rotate", "edgeplane secrets rotate --kubeconfig ~/.kube/edgeplane --context prod"],
    run: async (parsed) => (await import("./secrets.js")).runSecrets(parsed),
  },
  audit: {
    summary: "Show the control plane's audit log: who did what, when, with what result",
    usage: "edgeplane audit [flags]",
    description: [
      "Prints the audit.k8s.io/v1 Events the control plane recorded for every request (GET",
      "/debug/audit), newest last: TIME USER VERB RESOURCE NAMESPACE NAME CODE LATENCY. Uses the",
      "control plane of a kubeconfig, like kubectl; reading the log needs system:masters (or RBAC",
      "'get' on the non-resource URL /debug/audit).",
    ].join("\n"),
    flags: auditFlags,
    examples: ["edgeplane audit --since 10m", "edgeplane audit --user system:serviceaccount:ci:deployer -o json", "edgeplane audit -f"],
    run: async (parsed) => (await import("./audit.js")).runAudit(parsed),
  },
  agent: {
    summary: "Join this machine to a control plane as a node (the kubelet), or simulate many nodes",
    usage: "edgeplane agent --server URL --token TOKEN [flags]",
    description: [
      "Runs the node agent (what the kubelet is to Kubernetes): trades the bootstrap token for",
      "node credentials (user system:node:NAME, renewed before they expire), registers the Node",
      "with the machine's capacity, renews its Lease in kube-node-lease every 10s, reports its",
      "status, and runs the pods bound to it through the runtime. It only dials out. With --nodes N",
      "(simulated runtime) one process runs nodes NAME-0 … NAME-(N-1) whose pods run at once, as kwok.",
    ].join("\n"),
    flags: agentFlags,
    environment: [`${BOOTSTRAP_TOKEN_ENV}=TOKEN   the bootstrap token, instead of --token (kept out of 'ps')`],
    examples: [
      "edgeplane agent --server https://127.0.0.1:8787 --token abcdef.0123456789abcdef --certificate-authority .edgeplane/state/tls/ca.crt",
      "edgeplane agent --server https://edgeplane.example.workers.dev --token abcdef.0123456789abcdef --name sim --nodes 100",
      "edgeplane agent --server URL --token TOKEN --labels disk=ssd --taints gpu=true:NoSchedule --capacity cpu=4,memory=8Gi",
    ],
    run: async (parsed) => (await import("../../agent/cli/command.js")).runAgent(parsed),
  },
  help: {
    summary: "Show help for edgeplane or one of its commands",
    usage: "edgeplane help [command]",
    description: "Shows the commands, or the flags of one command.",
    flags: [helpFlag],
    run: async (parsed) => {
      const [name, ...rest] = parsed.positionals;
      if (rest.length > 0) throw new UsageError(`'help' takes one command name, got ${parsed.positionals.length}`, "run 'edgeplane help'");
      if (name === undefined) {
        process.stdout.write(rootHelp());
        return 0;
      }
      process.stdout.write(commandHelp(lookup(name)));
      return 0;
    },
  },
};

function lookup(name: string): Command {
  const cmd = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!cmd) {
    const guess = closest(name, Object.keys(commands));
    throw new UsageError(`unknown command '${name}'`, (guess ? `did you mean '${guess}'? ` : "") + "run 'edgeplane help' to see the commands");
  }
  return cmd;
}

function rootHelp(): string {
  const names = Object.keys(commands);
  const width = Math.max(...names.map((n) => n.length)) + 4;
  return [
    "edgeplane: a Kubernetes-compatible control plane on Cloudflare Workers",
    "",
    "Usage:",
    "  edgeplane <command> [flags]",
    "",
    "Commands:",
    ...names.map((n) => `  ${n.padEnd(width)}${commands[n].summary}`),
    "",
    "Flags:",
    "  -h, --help      Show help",
    "  -v, --version   Show the version",
    "",
    "Run 'edgeplane <command> --help' for the flags of a command.",
    "",
  ].join("\n");
}

function commandHelp(cmd: Command): string {
  const lines = [`Usage: ${cmd.usage}`, "", cmd.description, "", "Flags:", formatFlags(cmd.flags)];
  if (cmd.environment?.length) lines.push("", "Environment:", ...cmd.environment.map((e) => `  ${e}`));
  if (cmd.examples?.length) lines.push("", "Examples:", ...cmd.examples.map((e) => `  ${e}`));
  lines.push("");
  return lines.join("\n");
}

/** Runs the CLI; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === undefined) {
      process.stdout.write(rootHelp());
      return 0;
    }
    if (first === "--version" || first === "-v" || first === "version") {
      process.stdout.write(`edgeplane ${packageVersion()}\n`);
      return 0;
    }
    if (first === "--help" || first === "-h") {
      process.stdout.write(rootHelp());
      return 0;
    }
    if (first.startsWith("-")) {
      throw new UsageError(`unknown flag ${first}`, "flags go after the command, e.g. 'edgeplane up --port 9000'; run 'edgeplane help'");
    }
    const cmd = lookup(first);
    const parsed = parseArgs(rest, cmd.flags, `edgeplane ${first}`);
    if (parsed.flags.help) {
      process.stdout.write(commandHelp(cmd));
      return 0;
    }
    return await cmd.run(parsed);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`edgeplane: ${err.message}\n`);
      if (err.hint) process.stderr.write(`hint: ${err.hint}\n`);
      return 2;
    }
    return reportCommandError(err, process.stderr);
  }
}
