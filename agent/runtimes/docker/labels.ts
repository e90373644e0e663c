// What the docker runtime records on the engine's containers, so that it keeps no state of its own:
// labels that say whose node a container is, which sandbox it belongs to and the sandbox's whole
// config (a restarted agent rebuilds it from them), and dockershim's container names.
import { randomBytes } from "node:crypto";
import type { ContainerConfig, PodSandboxConfig } from "../runtime.js";

const PREFIX = "io.edgeplane.";
/** On everything this runtime makes: the node it belongs to (several nodes may share one engine). */
export const NODE_LABEL = `${PREFIX}node`;
/** `"true"` on a sandbox's infra container. */
export const SANDBOX_LABEL = `${PREFIX}sandbox`;
/** On an app container: its sandbox's id. */
export const SANDBOX_ID_LABEL = `${PREFIX}sandbox-id`;
const POD_NAME = `${PREFIX}pod.name`;
const POD_NAMESPACE = `${PREFIX}pod.namespace`;
const POD_UID = `${PREFIX}pod.uid`;
const ATTEMPT = `${PREFIX}attempt`;
const HOSTNAME = `${PREFIX}hostname`;
const HOST_NETWORK = `${PREFIX}host-network`;
const ANNOTATIONS = `${PREFIX}annotations`;
const PORT_MAPPINGS = `${PREFIX}port-mappings`;
const DNS = `${PREFIX}dns`;
const CONTAINER_NAME = `${PREFIX}container.name`;
export const TERMINATION_MESSAGE_PATH_LABEL = `${PREFIX}termination-message-path`;

/** The labels the user gave (everything but this runtime's own). */
export function userLabels(labels: Record<string, string> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {})) if (!k.startsWith(PREFIX)) out[k] = v;
  return out;
}

function parseJson<T>(text: string | undefined, fallback: T): T {
  if (!text) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function sandboxLabels(nodeName: string, config: PodSandboxConfig): Record<string, string> {
  const labels: Record<string, string> = {
    ...config.labels,
    [NODE_LABEL]: nodeName,
    [SANDBOX_LABEL]: "true",
    [POD_NAME]: config.name,
    [POD_NAMESPACE]: config.namespace,
    [POD_UID]: config.uid,
    [ATTEMPT]: String(config.attempt),
    [HOSTNAME]: config.hostname,
    [HOST_NETWORK]: String(config.hostNetwork),
    [ANNOTATIONS]: JSON.stringify(config.annotations ?? {}),
  };
  if (config.portMappings?.length) labels[PORT_MAPPINGS] = JSON.stringify(config.portMappings);
  if (config.dns) labels[DNS] = JSON.stringify(config.dns);
  return labels;
}

/** The sandbox config `sandboxLabels` recorded. */
export function sandboxConfigFromLabels(labels: Record<string, string>): PodSandboxConfig {
  const config: PodSandboxConfig = {
    name: labels[POD_NAME] ?? "",
    namespace: labels[POD_NAMESPACE] ?? "",
    uid: labels[POD_UID] ?? "",
    attempt: Number(labels[ATTEMPT] ?? 0) || 0,
    hostname: labels[HOSTNAME] ?? "",
    hostNetwork: labels[HOST_NETWORK] === "true",
    labels: userLabels(labels),
    annotations: parseJson(labels[ANNOTATIONS], {}),
  };
  const ports = parseJson<PodSandboxConfig["portMappings"]>(labels[PORT_MAPPINGS], undefined);
  if (ports) config.portMappings = ports;
  const dns = parseJson<PodSandboxConfig["dns"]>(labels[DNS], undefined);
  if (dns) config.dns = dns;
  return config;
}

export function containerLabels(nodeName: string, sandboxId: string, sandbox: PodSandboxConfig, config: ContainerConfig): Record<string, string> {
  const labels: Record<string, string> = {
    ...config.labels,
    [NODE_LABEL]: nodeName,
    [SANDBOX_ID_LABEL]: sandboxId,
    [POD_NAME]: sandbox.name,
    [POD_NAMESPACE]: sandbox.namespace,
    [POD_UID]: sandbox.uid,
    [CONTAINER_NAME]: config.name,
    [ANNOTATIONS]: JSON.stringify(config.annotations ?? {}),
  };
  if (config.terminationMessagePath) labels[TERMINATION_MESSAGE_PATH_LABEL] = config.terminationMessagePath;
  return labels;
}

export function containerNameFromLabels(labels: Record<string, string>): string {
  return labels[CONTAINER_NAME] ?? "";
}

/** Engine names allow `[a-zA-Z0-9][a-zA-Z0-9_.-]*`; `_` separates the parts. */
const part = (s: string) => s.replace(/[^a-zA-Z0-9.-]/g, "-") || "-";

/** dockershim's `k8s_POD_<pod>_<namespace>_<uid>_<attempt>` (with a random suffix when `unique`). */
export function sandboxContainerName(config: PodSandboxConfig, unique = false): string {
  const name = ["k8s", "POD", part(config.name), part(config.namespace), part(config.uid), String(config.attempt)].join("_");
  return unique ? `${name}_${randomBytes(3).toString("hex")}` : name;
}

/** dockershim's `k8s_<container>_<pod>_<namespace>_<uid>_<attempt>` (with a random suffix when `unique`). */
export function appContainerName(sandbox: PodSandboxConfig, config: ContainerConfig, attempt: number, unique = false): string {
  const name = ["k8s", part(config.name), part(sandbox.name), part(sandbox.namespace), part(sandbox.uid), String(attempt)].join("_");
  return unique ? `${name}_${randomBytes(3).toString("hex")}` : name;
}
