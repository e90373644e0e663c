// The runtimes `--runtime` can name. A new runtime is one more entry here and a folder
// implementing ContainerRuntime; nothing else in the agent changes.
import { dockerRuntime } from "./docker/descriptor.js";
import { processRuntime } from "./process/descriptor.js";
import type { RuntimeDescriptor } from "./runtime.js";
import { simulatedRuntime } from "./simulated.js";

export const runtimes: Record<string, RuntimeDescriptor> = {
  docker: dockerRuntime,
  process: processRuntime,
  simulated: simulatedRuntime,
};

export const DEFAULT_RUNTIME = "simulated";

export function runtimeNamed(name: string): RuntimeDescriptor | undefined {
  return Object.hasOwn(runtimes, name) ? runtimes[name] : undefined;
}
