// `--runtime docker`: pods as containers of Docker or Podman's Docker-compatible service, found
// at --runtime-endpoint.
import type { RuntimeDescriptor } from "../runtime.js";
import { DockerRuntime } from "./docker-runtime.js";
import { DEFAULT_DOCKER_ENDPOINT, EngineClient, engineInfo, socketPathOf } from "./engine-client.js";

/** Whether a Docker Engine API answers at `endpoint`: "podman 4.3.1 at unix:///…", or why not. */
export async function detectDocker(endpoint: string = DEFAULT_DOCKER_ENDPOINT): Promise<{ ok: true; detail: string } | { ok: false; reason: string }> {
  let engine: EngineClient;
  try {
    engine = new EngineClient(endpoint);
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  const where = `unix://${socketPathOf(endpoint)}`;
  try {
    const info = await engineInfo(engine, 3000);
    return { ok: true, detail: `${info.name} ${info.version} at ${where}` };
  } catch (err) {
    return { ok: false, reason: `no Docker Engine API answers at ${where}: ${(err as Error).message}` };
  } finally {
    engine.close();
  }
}

export const dockerRuntime: RuntimeDescriptor = {
  name: "docker",
  description: "containers of the Docker Engine API (Docker, or Podman's Docker-compatible service) at --runtime-endpoint",
  // One node per machine (pods get the machine's address); agents sharing an engine still see only their own node's containers.
  multiNode: false,
  simulatedAddresses: false,
  create: (ctx) => new DockerRuntime(ctx),
  detect: detectDocker,
};
