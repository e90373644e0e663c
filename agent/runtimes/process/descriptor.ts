// `--runtime process`: containers as host processes, for machines without a container engine.
import type { RuntimeDescriptor } from "../runtime.js";
import { ProcessRuntime } from "./process-runtime.js";

export const processRuntime: RuntimeDescriptor = {
  name: "process",
  description: "no engine: each container's command runs as a host process group, sharing the host's network (no images)",
  multiNode: false,
  simulatedAddresses: false,
  create: (ctx) => new ProcessRuntime(ctx),
  detect: async () => ({ ok: true, detail: "host processes" }),
};
