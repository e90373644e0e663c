// The flags of `edgeplane audit`, apart from the command so that main.ts can list them without
// loading it.
import type { FlagSpec } from "./args.js";

export const auditFlags: FlagSpec[] = [
  { name: "since", type: "string", valueName: "DURATION", description: "only events received this long ago or later, e.g. 10m, 2h (or an RFC 3339 time)" },
  { name: "user", type: "string", valueName: "NAME", description: "only this user's events" },
  { name: "limit", type: "string", valueName: "N", description: "at most the newest N events (at most 5000)", default: "500" },
  { name: "follow", short: "f", type: "boolean", description: "keep printing new events as they are recorded (Ctrl-C stops)" },
  { name: "output", short: "o", type: "string", valueName: "FORMAT", description: "table or json (json: an EventList; with --follow, one Event per line)", default: "table" },
  { name: "kubeconfig", type: "string", valueName: "PATH", description: "kubeconfig to use (default: $KUBECONFIG, else .edgeplane/kubeconfig, else ~/.kube/config)" },
  { name: "context", type: "string", valueName: "NAME", description: "kubeconfig context (default: its current-context)" },
  { name: "help", short: "h", type: "boolean", description: "Show this help" },
];
