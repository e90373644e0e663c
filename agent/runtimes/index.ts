// The runtimes `--runtime` can name. A new runtime (docker, process) is one more entry here
// and a file implementing ContainerRuntime; nothing else in the agent changes.
import type { RuntimeDescriptor } from "./runtime.js";
import { simulatedRuntime } from "./simulated.js";

export const runtimes: Record<string, RuntimeDescriptor> = {
  simulated: simulatedRuntime,
};

export const DEFAULT_RUNTIME = "simulated";

export function runtimeNamed(name: string): RuntimeDescriptor | undefined {
  return Object.hasOwn(runtimes, name) ? runtimes[name] : undefined;
}
