import { describe, expect, it } from "vitest";
import { deploymentDef } from "./apps/v1/deployment.js";
import { daemonSetDef } from "./apps/v1/daemonset.js";
import { statefulSetDef } from "./apps/v1/statefulset.js";
import { cronJobDef, parseCronSchedule } from "./batch/v1/cronjob.js";
import { jobDef } from "./batch/v1/job.js";
import { configMapDef } from "./core/v1/configmap.js";
import { namespaceDef } from "./core/v1/namespace.js";
import { podDef } from "./core/v1/pod.js";
import { defaultImagePullPolicy } from "./core/v1/podspec.js";
import { secretDef } from "./core/v1/secret.js";
import { serviceDef } from "./core/v1/service.js";
import { findKind, kinds } from "./index.js";
import { admit } from "./testing.js";

const container = { name: "web", image: "nginx:1.27" };
const deployment = (spec: Record<string, unknown>) => ({
  metadata: { name: "web" },
  spec: { selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [container] } }, ...spec },
});

describe("Pod", () => {
  it("upstream defaults", () => {
    const { obj, errors } = admit(podDef, { metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "nginx", ports: [{ containerPort: 80 }], readinessProbe: { httpGet: { port: 80 } } }] } });
    expect(errors).toEqual([]);
    const s = obj.spec;
    expect(s.restartPolicy).toBe("Always");
    expect(s.dnsPolicy).toBe("ClusterFirst");
    expect(s.terminationGracePeriodSeconds).toBe(30);
    expect(s.schedulerName).toBe("default-scheduler");
    expect(s.securityContext).toEqual({});
    expect(s.enableServiceLinks).toBe(true);
    expect(s.serviceAccountName).toBe("default");
    const c = s.containers![0];
    expect(c.imagePullPolicy).toBe("Always");
    expect(c.terminationMessagePath).toBe("/dev/termination-log");
    expect(c.terminationMessagePolicy).toBe("File");
    expect(c.ports![0].protocol).toBe("TCP");
    expect(c.readinessProbe).toMatchObject({ timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3, httpGet: { path: "/", scheme: "HTTP" } });
    expect(obj.status).toEqual({ phase: "Pending", qosClass: "BestEffort" });
  });

  it("imagePullPolicy by tag", () => {
    expect(defaultImagePullPolicy("nginx")).toBe("Always");
    expect(defaultImagePullPolicy("nginx:latest")).toBe("Always");
    expect(defaultImagePullPolicy("nginx:1.27")).toBe("IfNotPresent");
    expect(defaultImagePullPolicy("localhost:5000/nginx")).toBe("Always");
    expect(defaultImagePullPolicy("localhost:5000/nginx:v1")).toBe("IfNotPresent");
    expect(defaultImagePullPolicy("nginx@sha256:abcd")).toBe("IfNotPresent");
  });

  it("QoS classes", () => {
    const qos = (resources: unknown) => admit(podDef, { metadata: { name: "p" }, spec: { containers: [{ ...container, resources }] } }).obj.status?.qosClass;
    expect(qos({ limits: { cpu: "1", memory: "1Gi" } })).toBe("Guaranteed");
    expect(qos({ requests: { cpu: "100m" } })).toBe("Burstable");
    expect(qos({ limits: { cpu: "1", memory: "1Gi" }, requests: { cpu: "500m" } })).toBe("Burstable");
  });

  it("missing containers, bad container names, duplicates, restartPolicy", () => {
    expect(admit(podDef, { metadata: { name: "p" }, spec: {} }).errors).toEqual(["spec.containers: Required value"]);
    const { errors } = admit(podDef, {
      metadata: { name: "p" },
      spec: { restartPolicy: "Sometimes", containers: [{ name: "Web", image: "x" }, { name: "a", image: "x" }, { name: "a" }] },
    });
    expect(errors).toEqual([
      'spec.containers[0].name: Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character (e.g. \'my-name\',  or \'123-abc\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?\')',
      'spec.containers[2].name: Duplicate value: "a"',
      "spec.containers[2].image: Required value",
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]);
  });

  it("ports and env", () => {
    const { errors } = admit(podDef, { metadata: { name: "p" }, spec: { containers: [{ ...container, ports: [{ containerPort: 70000 }], env: [{ name: "A=B" }] }] } });
    expect(errors).toEqual([
      "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
      "spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='",
    ]);
  });

  it("updates may only change images", () => {
    const old = admit(podDef, { metadata: { name: "p" }, spec: { containers: [container] } }).obj;
    const next = structuredClone(old);
    next.spec.containers![0].image = "nginx:1.28";
    expect(podDef.validateUpdate!(next, old)).toEqual([]);
    next.spec.restartPolicy = "Never";
    expect(podDef.validateUpdate!(next, old)[0].field).toBe("spec");
  });
});

describe("Deployment", () => {
  it("defaults: replicas, strategy, history, template pod spec", () => {
    const { obj, errors } = admit(deploymentDef, deployment({}));
    expect(errors).toEqual([]);
    expect(obj.spec.replicas).toBe(1);
    expect(obj.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } });
    expect(obj.spec.revisionHistoryLimit).toBe(10);
    expect(obj.spec.progressDeadlineSeconds).toBe(600);
    expect(obj.spec.template.spec.restartPolicy).toBe("Always");
    expect(obj.spec.template.spec.containers![0].imagePullPolicy).toBe("IfNotPresent");
    expect(obj.spec.template.spec.enableServiceLinks).toBeUndefined(); // pod-only default
    expect(admit(deploymentDef, deployment({ strategy: { type: "Recreate" } })).obj.spec.strategy).toEqual({ type: "Recreate" });
  });

  it("replicas -1", () => {
    expect(admit(deploymentDef, deployment({ replicas: -1 })).errors).toEqual(["spec.replicas: Invalid value: -1: must be greater than or equal to 0"]);
  });

  it("selector must match template labels", () => {
    const { errors } = admit(deploymentDef, deployment({ selector: { matchLabels: { app: "other" } } }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^spec\.template\.metadata\.labels: Invalid value: .*: `selector` does not match template `labels`$/);
  });

  it("selector required, template restartPolicy Always", () => {
    const raw = deployment({});
    delete (raw.spec as Record<string, unknown>).selector;
    expect(admit(deploymentDef, raw).errors).toEqual(["spec.selector: Required value"]);
    const bad = deployment({});
    (bad.spec.template as { spec: Record<string, unknown> }).spec.restartPolicy = "Never";
    expect(admit(deploymentDef, bad).errors).toEqual(['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']);
  });

  it("bad name gives the DNS subdomain message", () => {
    const raw = deployment({});
    raw.metadata.name = "Web";
    expect(admit(deploymentDef, raw).errors[0]).toMatch(/^metadata\.name: Invalid value: "Web": a lowercase RFC 1123 subdomain must consist of/);
  });

  it("scale paths", () => {
    expect(deploymentDef.scale).toEqual({ specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas", labelSelectorPath: ".spec.selector" });
  });
});

describe("StatefulSet and DaemonSet", () => {
  it("defaults", () => {
    const ss = admit(statefulSetDef, deployment({ serviceName: "web" })).obj;
    expect(ss.spec.podManagementPolicy).toBe("OrderedReady");
    expect(ss.spec.updateStrategy).toEqual({ type: "RollingUpdate", rollingUpdate: { partition: 0 } });
    expect(ss.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: "Retain", whenScaled: "Retain" });
    expect(ss.spec.revisionHistoryLimit).toBe(10);
    const ds = admit(daemonSetDef, deployment({})).obj;
    expect(ds.spec.updateStrategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect(ds.spec.revisionHistoryLimit).toBe(10);
  });
});

describe("Job and CronJob", () => {
  const job = (spec: Record<string, unknown>) => ({ metadata: { name: "pi" }, spec: { template: { spec: { restartPolicy: "Never", containers: [container] } }, ...spec } });

  it("completions and parallelism", () => {
    expect(admit(jobDef, job({})).obj.spec).toMatchObject({ completions: 1, parallelism: 1, backoffLimit: 6, completionMode: "NonIndexed", suspend: false });
    const p = admit(jobDef, job({ parallelism: 3 })).obj.spec;
    expect(p.completions).toBeUndefined();
    expect(p.parallelism).toBe(3);
    expect(admit(jobDef, job({ completions: 5 })).obj.spec.parallelism).toBe(1);
  });

  it("generated selector and labels", () => {
    const uid = "abc-123";
    const { obj, errors } = admit(jobDef, job({}), uid);
    expect(errors).toEqual([]);
    expect(obj.spec.selector).toEqual({ matchLabels: { "batch.kubernetes.io/controller-uid": uid } });
    expect(obj.spec.template.metadata?.labels).toEqual({
      "controller-uid": uid,
      "job-name": "pi",
      "batch.kubernetes.io/controller-uid": uid,
      "batch.kubernetes.io/job-name": "pi",
    });
  });

  it("template restartPolicy must be Never or OnFailure", () => {
    const raw = job({});
    delete (raw.spec.template.spec as Record<string, unknown>).restartPolicy;
    expect(admit(jobDef, raw).errors).toEqual(['spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "Never", "OnFailure"']);
  });

  it("cron schedules", () => {
    expect(parseCronSchedule("*/5 * * * *")).toBeUndefined();
    expect(parseCronSchedule("@hourly")).toBeUndefined();
    expect(parseCronSchedule("0 0 * * MON-FRI")).toBeUndefined();
    expect(parseCronSchedule("* * * *")).toBe("expected exactly 5 fields, found 4: [* * * *]");
    expect(parseCronSchedule("60 * * * *")).toBe("end of range (60) above maximum (59): 60");
    expect(parseCronSchedule("@fortnightly")).toBe("unrecognized descriptor: @fortnightly");
    const cj = admit(cronJobDef, { metadata: { name: "c" }, spec: { schedule: "@daily", jobTemplate: { spec: job({}).spec } } });
    expect(cj.errors).toEqual([]);
    expect(cj.obj.spec).toMatchObject({ concurrencyPolicy: "Allow", suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    expect(admit(cronJobDef, { metadata: { name: "c" }, spec: { jobTemplate: { spec: job({}).spec } } }).errors).toEqual(["spec.schedule: Required value"]);
  });
});

describe("Service", () => {
  it("defaults", () => {
    const { obj, errors } = admit(serviceDef, { metadata: { name: "web" }, spec: { selector: { app: "web" }, ports: [{ port: 80 }] } });
    expect(errors).toEqual([]);
    expect(obj.spec).toMatchObject({ type: "ClusterIP", sessionAffinity: "None", ipFamilyPolicy: "SingleStack", internalTrafficPolicy: "Cluster" });
    expect(obj.spec.ports![0]).toEqual({ port: 80, protocol: "TCP", targetPort: 80 });
  });
  it("validation", () => {
    const { errors } = admit(serviceDef, { metadata: { name: "1web" }, spec: { type: "Bogus", ports: [{ port: 80 }, { port: 0, name: "b", nodePort: 80 }] } });
    expect(errors[0]).toMatch(/^metadata\.name: Invalid value: "1web": a DNS-1035 label/);
    expect(errors).toContain('spec.type: Unsupported value: "Bogus": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"');
    expect(errors).toContain("spec.ports[0].name: Required value");
    expect(errors).toContain("spec.ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive");
    // The node port range is the allocator's (SERVICE_NODE_PORT_RANGE): test/workers/api-service-addresses.test.ts.
    expect(errors.some((e) => e.includes("nodePort"))).toBe(false);
    const headlessNodePort = admit(serviceDef, { metadata: { name: "np" }, spec: { type: "NodePort", clusterIP: "None", ports: [{ port: 80 }] } });
    expect(headlessNodePort.errors).toContain(`spec.clusterIPs[0]: Invalid value: "None": may not be set to 'None' for NodePort services`);
    const external = admit(serviceDef, { metadata: { name: "ext" }, spec: { type: "ExternalName", externalName: "db.example.com", clusterIP: "10.96.0.9" } });
    expect(external.errors).toContain("spec.clusterIPs: Forbidden: may not be set for ExternalName services");
  });
});

describe("Namespace, ConfigMap, Secret", () => {
  it("namespace defaults", () => {
    const { obj } = admit(namespaceDef, { metadata: { name: "team-a" } });
    expect(obj.spec).toEqual({ finalizers: ["kubernetes"] });
    expect(obj.status).toEqual({ phase: "Active" });
    expect(obj.metadata.labels).toEqual({ "kubernetes.io/metadata.name": "team-a" });
    expect(admit(namespaceDef, { metadata: { name: "a.b" } }).errors).toEqual(['metadata.name: Invalid value: "a.b": must not contain dots']);
  });
  it("config keys", () => {
    expect(admit(configMapDef, { metadata: { name: "c" }, data: { "a b": "x" } }).errors[0]).toMatch(
      /^data\[a b\]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.'/,
    );
  });
  it("stringData merges into data, base64-encoded", () => {
    const { obj } = admit(secretDef, { metadata: { name: "s" }, data: { a: "YQ==" }, stringData: { b: "héllo" } });
    expect(obj.type).toBe("Opaque");
    expect(obj.data).toEqual({ a: "YQ==", b: "aMOpbGxv" });
    expect(obj.stringData).toBeUndefined();
  });
});

describe("index", () => {
  it("every kind is findable and unique", () => {
    expect(findKind("apps", "v1", "deployments")).toBe(deploymentDef as unknown);
    expect(findKind("", "v1", "pods")?.kind).toBe("Pod");
    expect(findKind("events.k8s.io", "v1", "events")?.group).toBe("events.k8s.io");
    expect(findKind("", "v1", "nope")).toBeUndefined();
    expect(new Set(kinds.map((k) => `${k.group}/${k.plural}`)).size).toBe(kinds.length);
    expect(kinds.filter((k) => k.hasStatus).map((k) => k.plural).sort()).toEqual(
      ["cronjobs", "daemonsets", "deployments", "jobs", "namespaces", "nodes", "pods", "replicasets", "resourcequotas", "services", "statefulsets"].sort(),
    );
  });
});
