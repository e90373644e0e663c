// The flags of `edgeplane token`, apart from the command so that main.ts can list them without
// loading it.
import type { FlagSpec } from "./args.js";
import { DEFAULT_EXTRA_GROUP } from "../auth/tokens/bootstrap.js";

export const DEFAULT_TTL = "24h";

export const tokenFlags: FlagSpec[] = [
  { name: "ttl", type: "string", valueName: "DURATION", description: "create: how long the token works, e.g. 30m, 24h, 168h; 0 for never", default: DEFAULT_TTL },
  { name: "description", type: "string", valueName: "TEXT", description: "create: a note shown by 'edgeplane token list'" },
  { name: "groups", type: "string", valueName: "G1,G2", description: "create: extra groups (system:bootstrappers:…)", default: DEFAULT_EXTRA_GROUP },
  { name: "kubeconfig", type: "string", valueName: "PATH", description: "kubeconfig to use (default: $KUBECONFIG, else .edgeplane/kubeconfig, else ~/.kube/config)" },
  { name: "context", type: "string", valueName: "NAME", description: "kubeconfig context (default: its current-context)" },
  { name: "help", short: "h", type: "boolean", description: "Show this help" },
];
