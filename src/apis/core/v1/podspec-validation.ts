// ValidatePodSpec and its parts (containers, volumes, probes, env, tolerations), shared by Pod
// and every pod template; paths are passed in so templates report `spec.template.spec.…`.
import type { z } from "zod";
import { type FieldError, duplicate, forbidden, invalid, notSupported, required } from "../../../lib/field-errors.js";
import {
  inclusiveRangeError,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isQualifiedName,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  validateLabelName,
  validateLabels,
  validateNonnegative,
  validatePortNumOrName,
  validateTemplateMeta,
} from "../../validation.js";
import {
  type Container,
  type EnvVarSchema,
  type PodSpec,
  type PodTemplateSpec,
  type ProbeSchema,
  type ResourceRequirementsSchema,
  type TolerationSchema,
  type Volume,
  parseQuantity,
  volumeSourceKeys,
} from "./podspec.js";

type AnyContainer = Container & { targetContainerName?: string };


const notFound = (field: string, badValue: unknown): FieldError => ({ type: "FieldValueNotFound", field, badValue });

export interface PodSpecValidationOptions {
  /** ReplicaSet-like templates: restartPolicy must be Always (checked by the caller). */
  isTemplate?: boolean;
}

function validateProbe(p: z.infer<typeof ProbeSchema> | undefined, path: string, mustSucceedOnce: boolean): FieldError[] {
  if (!p) return [];
  const errs: FieldError[] = [];
  const handlers = (["exec", "httpGet", "tcpSocket", "grpc"] as const).filter((k) => p[k] !== undefined);
  if (handlers.length === 0) errs.push(required(path, "must specify a handler type"));
  for (const k of handlers.slice(1)) errs.push(forbidden(`${path}.${k}`, "may not specify more than 1 handler type"));
  if (p.httpGet) errs.push(...validatePortNumOrName(p.httpGet.port, `${path}.httpGet.port`));
  if (p.httpGet && !["HTTP", "HTTPS"].includes(p.httpGet.scheme)) errs.push(notSupported(`${path}.httpGet.scheme`, p.httpGet.scheme, ["HTTP", "HTTPS"]));
  if (p.tcpSocket) errs.push(...validatePortNumOrName(p.tcpSocket.port, `${path}.tcpSocket.port`));
  if (p.grpc) errs.push(...isValidPortNum(p.grpc.port ?? 0).map((m) => invalid(`${path}.grpc.port`, p.grpc!.port ?? 0, m)));
  for (const k of ["initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"] as const) {
    errs.push(...validateNonnegative(p[k], `${path}.${k}`));
  }
  if (mustSucceedOnce && p.successThreshold !== 1) errs.push(invalid(`${path}.successThreshold`, p.successThreshold, "must be 1"));
  return errs;
}

function validateEnv(env: z.infer<typeof EnvVarSchema>[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (env ?? []).forEach((e, i) => {
    const p = `${path}[${i}]`;
    if (!e.name) errs.push(required(`${p}.name`, ""));
    else for (const m of isEnvVarName(e.name)) errs.push(invalid(`${p}.name`, e.name, m));
    if (e.valueFrom) {
      const vf = e.valueFrom;
      const sources = (["fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef", "fileKeyRef"] as const).filter((k) => vf[k] !== undefined);
      if (e.value) errs.push(invalid(`${p}.valueFrom`, "", "may not be specified when `value` is not empty"));
      if (sources.length === 0) errs.push(invalid(`${p}.valueFrom`, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
      else if (sources.length > 1) errs.push(invalid(`${p}.valueFrom`, "", "may not have more than one field specified at a time"));
      if (vf.fieldRef && !vf.fieldRef.fieldPath) errs.push(required(`${p}.valueFrom.fieldRef.fieldPath`, ""));
      if (vf.resourceFieldRef && !vf.resourceFieldRef.resource) errs.push(required(`${p}.valueFrom.resourceFieldRef.resource`, ""));
      for (const k of ["configMapKeyRef", "secretKeyRef"] as const) {
        const ref = vf[k];
        if (!ref) continue;
        if (!ref.name) errs.push(required(`${p}.valueFrom.${k}.name`, ""));
        if (!ref.key) errs.push(required(`${p}.valueFrom.${k}.key`, ""));
      }
    }
  });
  return errs;
}

const standardResources = new Set(["cpu", "memory", "ephemeral-storage", "storage"]);

function validateResources(r: z.infer<typeof ResourceRequirementsSchema> | undefined, path: string): FieldError[] {
  if (!r) return [];
  const errs: FieldError[] = [];
  for (const kind of ["limits", "requests"] as const) {
    for (const [name, q] of Object.entries(r[kind] ?? {})) {
      const p = `${path}.${kind}[${name}]`;
      if (!standardResources.has(name) && !name.startsWith("hugepages-") && !name.includes("/")) {
        errs.push(invalid(p, name, "must be a standard resource type or fully qualified"));
      }
      for (const m of isQualifiedName(name)) errs.push(invalid(p, name, m));
      if (parseQuantity(q) < 0) errs.push(invalid(p, String(q), "must be greater than or equal to 0"));
    }
  }
  for (const [name, q] of Object.entries(r.requests ?? {})) {
    const lim = r.limits?.[name];
    if (lim !== undefined && parseQuantity(q) > parseQuantity(lim)) {
      errs.push(invalid(`${path}.requests[${name}]`, String(q), `must be less than or equal to ${name} limit of ${String(lim)}`));
    }
  }
  return errs;
}

function validateContainer(c: AnyContainer, path: string, volumes: Set<string>, ephemeral: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (!c.image) errs.push(required(`${path}.image`, ""));
  else if (c.image.trim() !== c.image) errs.push(invalid(`${path}.image`, c.image, "must not have leading or trailing whitespace"));
  const portNames = new Set<string>();
  (c.ports ?? []).forEach((p, i) => {
    const pp = `${path}.ports[${i}]`;
    if (p.name) {
      for (const m of isValidPortName(p.name)) errs.push(invalid(`${pp}.name`, p.name, m));
      if (portNames.has(p.name)) errs.push(duplicate(`${pp}.name`, p.name));
      portNames.add(p.name);
    }
    if (!p.containerPort) errs.push(required(`${pp}.containerPort`, ""));
    else for (const m of isValidPortNum(p.containerPort)) errs.push(invalid(`${pp}.containerPort`, p.containerPort, m));
    if (p.hostPort) for (const m of isValidPortNum(p.hostPort)) errs.push(invalid(`${pp}.hostPort`, p.hostPort, m));
    if (!["SCTP", "TCP", "UDP"].includes(p.protocol)) errs.push(notSupported(`${pp}.protocol`, p.protocol, ["SCTP", "TCP", "UDP"]));
  });
  errs.push(...validateEnv(c.env, `${path}.env`));
  (c.envFrom ?? []).forEach((e, i) => {
    const p = `${path}.envFrom[${i}]`;
    if (e.prefix) for (const m of isEnvVarName(e.prefix)) errs.push(invalid(`${p}.prefix`, e.prefix, m));
    const n = (e.configMapRef ? 1 : 0) + (e.secretRef ? 1 : 0);
    if (n === 0) errs.push(invalid(p, "", "must specify one of: `configMapRef` or `secretRef`"));
    else if (n > 1) errs.push(invalid(p, "", "may not have more than one field specified at a time"));
  });
  const mountPaths = new Set<string>();
  (c.volumeMounts ?? []).forEach((m, i) => {
    const p = `${path}.volumeMounts[${i}]`;
    if (!m.name) errs.push(required(`${p}.name`, ""));
    else if (!volumes.has(m.name)) errs.push(notFound(`${p}.name`, m.name));
    if (!m.mountPath) errs.push(required(`${p}.mountPath`, ""));
    else if (mountPaths.has(m.mountPath)) errs.push(invalid(`${p}.mountPath`, m.mountPath, "must be unique"));
    mountPaths.add(m.mountPath);
  });
  errs.push(...validateResources(c.resources, `${path}.resources`));
  if (ephemeral) {
    for (const k of ["ports", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle", "resources"] as const) {
      if (c[k] !== undefined) errs.push(forbidden(`${path}.${k}`, "cannot be set for an Ephemeral Container"));
    }
  } else {
    errs.push(...validateProbe(c.livenessProbe, `${path}.livenessProbe`, true));
    errs.push(...validateProbe(c.readinessProbe, `${path}.readinessProbe`, false));
    errs.push(...validateProbe(c.startupProbe, `${path}.startupProbe`, true));
  }
  if (c.imagePullPolicy && !["Always", "IfNotPresent", "Never"].includes(c.imagePullPolicy)) {
    errs.push(notSupported(`${path}.imagePullPolicy`, c.imagePullPolicy, ["Always", "IfNotPresent", "Never"]));
  }
  if (!["File", "FallbackToLogsOnError"].includes(c.terminationMessagePolicy)) {
    errs.push(notSupported(`${path}.terminationMessagePolicy`, c.terminationMessagePolicy, ["File", "FallbackToLogsOnError"]));
  }
  return errs;
}

function validateTolerations(tols: z.infer<typeof TolerationSchema>[] | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (tols ?? []).forEach((t, i) => {
    const p = `${path}[${i}]`;
    if (t.key) errs.push(...validateLabelName(t.key, `${p}.key`));
    if (!t.key && t.operator !== "Exists") {
      errs.push(invalid(`${p}.operator`, t.operator ?? "", 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.effect !== "NoExecute") {
      errs.push(invalid(`${p}.effect`, t.effect ?? "", "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (t.operator ?? "") {
      case "":
      case "Equal":
        for (const m of isValidLabelValue(t.value ?? "")) errs.push(invalid(`${p}.operator`, t.value ?? "", m));
        break;
      case "Exists":
        if (t.value) errs.push(invalid(`${p}.operator`, t, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(notSupported(`${p}.operator`, t.operator, ["Equal", "Exists"]));
    }
    if (t.effect && !["NoExecute", "NoSchedule", "PreferNoSchedule"].includes(t.effect)) {
      errs.push(notSupported(`${p}.effect`, t.effect, ["NoExecute", "NoSchedule", "PreferNoSchedule"]));
    }
  });
  return errs;
}

function validateVolumes(vols: Volume[] | undefined, path: string): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (vols ?? []).forEach((v, i) => {
    const p = `${path}[${i}]`;
    if (!v.name) errs.push(required(`${p}.name`, ""));
    else {
      for (const m of isDNS1123Label(v.name)) errs.push(invalid(`${p}.name`, v.name, m));
      if (names.has(v.name)) errs.push(duplicate(`${p}.name`, v.name));
      names.add(v.name);
    }
    const rec = v as Record<string, unknown>;
    const sources = volumeSourceKeys.filter((k) => rec[k] !== undefined);
    if (sources.length === 0) errs.push(required(p, "must specify a volume type"));
    for (const k of sources.slice(1)) errs.push(forbidden(`${p}.${k}`, "may not specify more than 1 volume type"));
    if (v.configMap && !v.configMap.name) errs.push(required(`${p}.configMap.name`, ""));
    if (v.secret && !v.secret.secretName) errs.push(required(`${p}.secret.secretName`, ""));
    if (v.hostPath && !v.hostPath.path) errs.push(required(`${p}.hostPath.path`, ""));
    if (v.persistentVolumeClaim && !v.persistentVolumeClaim.claimName) errs.push(required(`${p}.persistentVolumeClaim.claimName`, ""));
  });
  return { errs, names };
}

/** Upstream's ValidatePodSpec at `path` ("spec" for pods, "spec.template.spec" for templates). */
const SYSCTL_SEGMENT = "[a-z0-9]([-_a-z0-9]*[a-z0-9])?";
const SYSCTL_FMT = `(${SYSCTL_SEGMENT}[\\./])*${SYSCTL_SEGMENT}`;
const SYSCTL_RE = new RegExp(`^${SYSCTL_FMT}$`);
const SYSCTL_MAX = 253;

/** Pod sysctls, as upstream's validateSysctls: valid names, none twice. */
function validateSysctls(sysctls: unknown, path: string): FieldError[] {
  if (!Array.isArray(sysctls)) return [];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  sysctls.forEach((s: { name?: string }, i) => {
    const p = `${path}[${i}].name`;
    const name = s?.name ?? "";
    if (!name) errs.push(required(p, ""));
    else if (name.length > SYSCTL_MAX || !SYSCTL_RE.test(name)) {
      errs.push(invalid(p, name, `must have at most ${SYSCTL_MAX} characters and match regex ^${SYSCTL_FMT}$`));
    } else if (seen.has(name)) errs.push(duplicate(p, name));
    seen.add(name);
  });
  return errs;
}

export function validatePodSpec(spec: PodSpec | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec) return [required(path, "")];
  errs.push(...validateSysctls((spec.securityContext as { sysctls?: unknown } | undefined)?.sysctls, `${path}.securityContext.sysctls`));
  const { errs: volErrs, names: volumes } = validateVolumes(spec.volumes, `${path}.volumes`);
  errs.push(...volErrs);
  const containerNames = new Set<string>();
  const checkName = (c: AnyContainer, p: string) => {
    if (!c.name) errs.push(required(`${p}.name`, ""));
    else {
      for (const m of isDNS1123Label(c.name)) errs.push(invalid(`${p}.name`, c.name, m));
      if (containerNames.has(c.name)) errs.push(duplicate(`${p}.name`, c.name));
      containerNames.add(c.name);
    }
  };
  (spec.initContainers ?? []).forEach((c, i) => {
    const p = `${path}.initContainers[${i}]`;
    checkName(c, p);
    errs.push(...validateContainer(c, p, volumes, false));
    if (c.restartPolicy && c.restartPolicy !== "Always") errs.push(notSupported(`${p}.restartPolicy`, c.restartPolicy, ["Always"]));
  });
  if (!spec.containers || spec.containers.length === 0) errs.push(required(`${path}.containers`, ""));
  (spec.containers ?? []).forEach((c, i) => {
    const p = `${path}.containers[${i}]`;
    checkName(c, p);
    errs.push(...validateContainer(c, p, volumes, false));
    if (c.restartPolicy) errs.push(forbidden(`${p}.restartPolicy`, "may not be set for non-init containers"));
  });
  (spec.ephemeralContainers ?? []).forEach((c, i) => {
    const p = `${path}.ephemeralContainers[${i}]`;
    checkName(c, p);
    errs.push(...validateContainer(c, p, volumes, true));
  });
  if (!spec.restartPolicy) errs.push(required(`${path}.restartPolicy`, ""));
  else if (!["Always", "OnFailure", "Never"].includes(spec.restartPolicy)) {
    errs.push(notSupported(`${path}.restartPolicy`, spec.restartPolicy, ["Always", "OnFailure", "Never"]));
  }
  if (!["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"].includes(spec.dnsPolicy)) {
    errs.push(notSupported(`${path}.dnsPolicy`, spec.dnsPolicy, ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]));
  }
  errs.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`));
  if (spec.serviceAccountName) for (const m of isDNS1123Subdomain(spec.serviceAccountName)) errs.push(invalid(`${path}.serviceAccountName`, spec.serviceAccountName, m));
  if (spec.nodeName) for (const m of isDNS1123Subdomain(spec.nodeName)) errs.push(invalid(`${path}.nodeName`, spec.nodeName, m));
  if (spec.hostname) for (const m of isDNS1123Label(spec.hostname)) errs.push(invalid(`${path}.hostname`, spec.hostname, m));
  if (spec.subdomain) for (const m of isDNS1123Label(spec.subdomain)) errs.push(invalid(`${path}.subdomain`, spec.subdomain, m));
  if (spec.activeDeadlineSeconds !== undefined && (spec.activeDeadlineSeconds < 1 || spec.activeDeadlineSeconds > 2147483647)) {
    errs.push(invalid(`${path}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, inclusiveRangeError(1, 2147483647)));
  }
  errs.push(...validateNonnegative(spec.terminationGracePeriodSeconds, `${path}.terminationGracePeriodSeconds`));
  errs.push(...validateTolerations(spec.tolerations, `${path}.tolerations`));
  (spec.readinessGates ?? []).forEach((g, i) => {
    for (const m of isQualifiedName(g.conditionType)) errs.push(invalid(`${path}.readinessGates[${i}].conditionType`, g.conditionType, m));
  });
  (spec.imagePullSecrets ?? []).forEach((s, i) => {
    if (!s.name) errs.push(required(`${path}.imagePullSecrets[${i}].name`, ""));
  });
  return errs;
}

/** Upstream's ValidatePodTemplateSpec: template labels/annotations plus the spec. */
export function validatePodTemplateSpec(t: PodTemplateSpec | undefined, path: string): FieldError[] {
  if (!t) return [required(path, "")];
  return [...validateTemplateMeta(t.metadata, `${path}.metadata`), ...validatePodSpec(t.spec, `${path}.spec`)];
}

