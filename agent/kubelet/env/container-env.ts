// A container's environment as upstream's kubelet makes it (makeEnvironmentVariables): envFrom
// sources first, then env in order (a later name wins), `$(VAR)` in a value expanded from the
// vars before it and the service vars, valueFrom resolved from the pod, its resources, ConfigMaps
// and Secrets; the `kubernetes` service vars last unless the container sets them itself.
import type { Pod } from "../../../src/apis/core/v1/pod.js";
import type { Container } from "../../../src/apis/core/v1/podspec.js";
import { isEnvVarName } from "../../../src/apis/validation.js";
import type { ConfigMapData, ObjectSource, SecretData } from "../volumes/object-source.js";
import { ContainerConfigError, notFoundMessage } from "./errors.js";
import { expand, mappingFuncFor } from "./expand.js";
import { podFieldValue } from "./field-path.js";
import { type ResourceList, resourceFieldValue } from "./resource-field.js";
import type { Service } from "../../../src/apis/core/v1/service.js";
import { type ApiServerAddress, kubernetesServiceEnv, podServicesEnv } from "./service-env.js";

export type EnvVar = { name: string; value: string };

export interface EnvContext {
  nodeName: string;
  hostIP: string;
  podIP: string;
  source: ObjectSource;
  /** KUBERNETES_SERVICE_HOST/PORT for in-cluster clients when there are no Services to read (no service proxy). */
  apiServer?: ApiServerAddress;
  /** A namespace's Services, as the service proxy sees them: their env vars (enableServiceLinks) and the `kubernetes` Service's. */
  services?: (namespace: string) => Service[];
  /** Every address of the node (status.hostIPs); [hostIP] when absent. */
  hostIPs?: string[];
  /** Every address of the pod (status.podIPs); [podIP] when absent. */
  podIPs?: string[];
  /** The node's allocatable: what resourceFieldRef reports for a limit the container does not set. */
  nodeAllocatable?: ResourceList;
  /** A warning upstream records as an event on the pod (reason InvalidEnvironmentVariableNames). */
  onWarning?(reason: string, message: string): void;
}

export interface EnvWarning {
  reason: string;
  message: string;
}

/** The container's environment; ContainerConfigError when a source it needs is missing. */
export async function containerEnv(pod: Pod, container: Container, ctx: EnvContext): Promise<EnvVar[]> {
  const { env, warnings } = await resolveContainerEnv(pod, container, ctx);
  for (const w of warnings) ctx.onWarning?.(w.reason, w.message);
  return env;
}

/** ConfigMap and Secret reads of one call, each object read once. */
class Objects {
  private readonly configMaps = new Map<string, Promise<ConfigMapData | undefined>>();
  private readonly secrets = new Map<string, Promise<SecretData | undefined>>();

  constructor(
    private readonly source: ObjectSource,
    private readonly namespace: string,
  ) {}

  configMap(name: string): Promise<ConfigMapData | undefined> {
    return this.once(this.configMaps, name, () => this.source.configMap(this.namespace, name));
  }

  secret(name: string): Promise<SecretData | undefined> {
    return this.once(this.secrets, name, () => this.source.secret(this.namespace, name));
  }

  private once<T>(cache: Map<string, Promise<T>>, name: string, read: () => Promise<T>): Promise<T> {
    let p = cache.get(name);
    if (!p) {
      p = read().catch((err: unknown) => {
        throw new ContainerConfigError(err instanceof Error ? err.message : String(err), { cause: err });
      });
      cache.set(name, p);
    }
    return p;
  }
}

const decodeSecret = (b64: string) => Buffer.from(b64, "base64").toString("utf8");

export async function resolveContainerEnv(pod: Pod, container: Container, ctx: EnvContext): Promise<{ env: EnvVar[]; warnings: EnvWarning[] }> {
  const namespace = pod.metadata.namespace ?? "default";
  const objects = new Objects(ctx.source, namespace);
  const serviceEnv = ctx.services ? podServicesEnv(namespace, pod.spec.enableServiceLinks !== false, ctx.services) : new Map<string, string>();
  // No `kubernetes` Service seen (no service proxy, or its Services not listed yet): in-cluster clients still find the control plane.
  if (!serviceEnv.has("KUBERNETES_SERVICE_HOST") && ctx.apiServer) for (const [k, v] of kubernetesServiceEnv(ctx.apiServer)) serviceEnv.set(k, v);
  const tmpEnv = new Map<string, string>();
  const warnings: EnvWarning[] = [];

  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? "";
    let kind: "configMap" | "secret";
    let name: string;
    let values: Record<string, string>;
    if (from.configMapRef) {
      kind = "configMap";
      name = from.configMapRef.name ?? "";
      const cm = await objects.configMap(name);
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new ContainerConfigError(notFoundMessage("configmap", name));
      }
      values = cm.data ?? {};
    } else if (from.secretRef) {
      kind = "secret";
      name = from.secretRef.name ?? "";
      const s = await objects.secret(name);
      if (!s) {
        if (from.secretRef.optional) continue;
        throw new ContainerConfigError(notFoundMessage("secret", name));
      }
      values = Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, decodeSecret(v)]));
    } else continue;
    const invalid: string[] = [];
    for (const key of Object.keys(values).sort()) {
      const envName = prefix + key;
      if (!envName || isEnvVarName(envName).length) {
        invalid.push(envName);
        continue;
      }
      tmpEnv.set(envName, values[key]);
    }
    if (invalid.length) {
      warnings.push({
        reason: "InvalidEnvironmentVariableNames",
        message: `Keys [${invalid.join(", ")}] from the EnvFrom ${kind} ${namespace}/${name} were skipped since they are considered invalid environment variable names.`,
      });
    }
  }

  // Expansion sees the vars set so far (envFrom and earlier env), then the service vars.
  const mapping = mappingFuncFor(tmpEnv, serviceEnv);
  for (const e of container.env ?? []) {
    let value = e.value ?? "";
    if (value !== "") value = expand(value, mapping);
    else if (e.valueFrom) {
      const resolved = await valueFrom(e.valueFrom, pod, container, ctx, objects, namespace);
      if (resolved === undefined) continue; // optional and missing
      value = resolved;
    }
    tmpEnv.set(e.name, value);
  }

  const env: EnvVar[] = [...tmpEnv].map(([name, value]) => ({ name, value }));
  for (const [name, value] of serviceEnv) if (!tmpEnv.has(name)) env.push({ name, value });
  return { env, warnings };
}

type EnvVarSource = NonNullable<NonNullable<Container["env"]>[number]["valueFrom"]>;

/** One valueFrom; undefined when an optional source or key is missing. */
async function valueFrom(vf: EnvVarSource, pod: Pod, container: Container, ctx: EnvContext, objects: Objects, namespace: string): Promise<string | undefined> {
  const configError = (err: unknown) => new ContainerConfigError(err instanceof Error ? err.message : String(err), { cause: err });
  if (vf.fieldRef) {
    try {
      return podFieldValue(pod, vf.fieldRef.apiVersion, vf.fieldRef.fieldPath, {
        nodeName: ctx.nodeName,
        hostIPs: ctx.hostIPs?.length ? ctx.hostIPs : [ctx.hostIP],
        podIPs: ctx.podIPs?.length ? ctx.podIPs : ctx.podIP ? [ctx.podIP] : [],
      });
    } catch (err) {
      throw configError(err);
    }
  }
  if (vf.resourceFieldRef) {
    try {
      return resourceFieldValue(vf.resourceFieldRef, pod, container, ctx.nodeAllocatable);
    } catch (err) {
      throw configError(err);
    }
  }
  if (vf.configMapKeyRef) {
    const { name = "", key, optional } = vf.configMapKeyRef;
    const cm = await objects.configMap(name);
    if (!cm) {
      if (optional) return undefined;
      throw new ContainerConfigError(notFoundMessage("configmap", name));
    }
    if (cm.data && Object.prototype.hasOwnProperty.call(cm.data, key)) return cm.data[key];
    if (optional) return undefined;
    throw new ContainerConfigError(`couldn't find key ${key} in ConfigMap ${namespace}/${name}`);
  }
  if (vf.secretKeyRef) {
    const { name = "", key, optional } = vf.secretKeyRef;
    const s = await objects.secret(name);
    if (!s) {
      if (optional) return undefined;
      throw new ContainerConfigError(notFoundMessage("secret", name));
    }
    if (s.data && Object.prototype.hasOwnProperty.call(s.data, key)) return decodeSecret(s.data[key]);
    if (optional) return undefined;
    throw new ContainerConfigError(`couldn't find key ${key} in Secret ${namespace}/${name}`);
  }
  // fileKeyRef (the EnvFiles feature) is not offered: the var is set empty, as for a source the kubelet does not know.
  return "";
}

/** ExpandContainerCommandAndArgs: `$(VAR)` in command and args from the container's final environment. */
export function expandCommand(container: Container, env: EnvVar[]): { command?: string[]; args?: string[] } {
  const vars = new Map(env.map((e) => [e.name, e.value]));
  const mapping = mappingFuncFor(vars);
  const out: { command?: string[]; args?: string[] } = {};
  if (container.command?.length) out.command = container.command.map((c) => expand(c, mapping));
  if (container.args?.length) out.args = container.args.map((a) => expand(a, mapping));
  return out;
}
