// Why this exists: round-trip and edge-case tests for the protobuf codec (encode → decode must give
// back the JSON), plus bytes captured from stock kubectl 1.32 so decoding is checked without kubectl.

import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "./codec.js";
import {
  PROTOBUF_CONTENT_TYPE,
  ProtobufError,
  decodeProtobufObject,
  decodeProtobufWatchEvent,
  encodeProtobufObject,
  encodeProtobufWatchEvent,
  isProtobufBody,
  registeredKinds,
} from "./index.js";
import { Reader, Writer } from "./wire.js";

const hex = (s: string) => new Uint8Array(s.match(/../g)!.map((b) => parseInt(b, 16)));

function roundTrip(obj: Record<string, unknown>) {
  const bytes = encodeProtobufObject(obj);
  expect(isProtobufBody(bytes)).toBe(true);
  const decoded = decodeProtobufObject(bytes);
  expect(decoded.apiVersion).toBe(obj.apiVersion);
  expect(decoded.kind).toBe(obj.kind);
  expect(decoded.object).toEqual(obj);
  return bytes;
}

const meta = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  namespace: "default",
  uid: "6f1c1b5e-1d2a-4c1e-9a9e-0a1b2c3d4e5f",
  resourceVersion: "42",
  generation: 3,
  creationTimestamp: "2026-01-02T03:04:05Z",
  labels: { app: name, "app.kubernetes.io/part-of": "shop" },
  annotations: { "deployment.kubernetes.io/revision": "2" },
  ...extra,
});

const podSpec = {
  volumes: [
    { name: "cfg", configMap: { name: "web-config", items: [{ key: "nginx.conf", path: "nginx.conf", mode: 420 }], defaultMode: 420 } },
    { name: "tls", secret: { secretName: "web-tls", optional: false } },
    { name: "scratch", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } },
    { name: "host", hostPath: { path: "/var/log", type: "Directory" } },
    { name: "data", persistentVolumeClaim: { claimName: "data", readOnly: true } },
    {
      name: "kube-api-access",
      projected: {
        defaultMode: 420,
        sources: [
          { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
          { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
          { downwardAPI: { items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }] } },
        ],
      },
    },
    { name: "podinfo", downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] } },
  ],
  initContainers: [{ name: "init", image: "busybox:1.36", command: ["sh", "-c", "echo hi"], resources: {} }],
  containers: [
    {
      name: "web",
      image: "nginx:1.27",
      args: ["-g", "daemon off;"],
      workingDir: "/usr/share/nginx",
      ports: [
        { name: "http", containerPort: 80, protocol: "TCP" },
        { containerPort: 9113, hostPort: 9113, protocol: "UDP", hostIP: "0.0.0.0" },
      ],
      envFrom: [{ prefix: "CFG_", configMapRef: { name: "env-config", optional: true } }, { secretRef: { name: "env-secret" } }],
      env: [
        { name: "MODE", value: "prod" },
        { name: "EMPTY" },
        { name: "POD_IP", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "status.podIP" } } },
        { name: "MEM", valueFrom: { resourceFieldRef: { containerName: "web", resource: "limits.memory", divisor: "1Mi" } } },
        { name: "KEY", valueFrom: { configMapKeyRef: { name: "env-config", key: "key", optional: false } } },
        { name: "PASS", valueFrom: { secretKeyRef: { name: "env-secret", key: "password" } } },
      ],
      resources: { limits: { cpu: "500m", memory: "256Mi" }, requests: { cpu: "100m", memory: "128Mi", "ephemeral-storage": "1Gi" } },
      volumeMounts: [
        { name: "cfg", mountPath: "/etc/nginx/nginx.conf", subPath: "nginx.conf", readOnly: true },
        { name: "scratch", mountPath: "/tmp", mountPropagation: "None" },
      ],
      livenessProbe: {
        httpGet: { path: "/healthz", port: "http", scheme: "HTTP", httpHeaders: [{ name: "X-Probe", value: "1" }] },
        initialDelaySeconds: 5,
        periodSeconds: 10,
        timeoutSeconds: 1,
        successThreshold: 1,
        failureThreshold: 3,
      },
      readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5 },
      startupProbe: { exec: { command: ["cat", "/tmp/ready"] }, failureThreshold: 30, terminationGracePeriodSeconds: 0 },
      lifecycle: {
        postStart: { exec: { command: ["sh", "-c", "true"] } },
        preStop: { httpGet: { path: "/drain", port: 8080, host: "localhost" } },
      },
      terminationMessagePath: "/dev/termination-log",
      terminationMessagePolicy: "File",
      imagePullPolicy: "IfNotPresent",
      securityContext: {
        privileged: false,
        runAsUser: 1000,
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      },
      stdin: true,
      tty: true,
    },
    { name: "sidecar", image: "envoy", readinessProbe: { grpc: { port: 9901, service: "" } }, resources: {} },
  ],
  restartPolicy: "Always",
  terminationGracePeriodSeconds: 30,
  activeDeadlineSeconds: 600,
  dnsPolicy: "ClusterFirst",
  nodeSelector: { "kubernetes.io/os": "linux" },
  serviceAccountName: "web",
  serviceAccount: "web",
  automountServiceAccountToken: false,
  nodeName: "node-1",
  hostNetwork: true,
  shareProcessNamespace: true,
  securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000, 5000], sysctls: [{ name: "net.core.somaxconn", value: "1024" }] },
  imagePullSecrets: [{ name: "regcred" }],
  hostname: "web-0",
  subdomain: "web",
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: ["a", "b"] }] }],
      },
      preferredDuringSchedulingIgnoredDuringExecution: [
        { weight: 1, preference: { matchExpressions: [{ key: "disktype", operator: "Exists" }] } },
      ],
    },
    podAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "cache" } }, topologyKey: "kubernetes.io/hostname" }],
    },
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            labelSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["web"] }] },
            namespaces: ["default"],
            topologyKey: "kubernetes.io/hostname",
          },
        },
      ],
    },
  },
  schedulerName: "default-scheduler",
  tolerations: [
    { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    { key: "dedicated", operator: "Equal", value: "web", effect: "NoSchedule" },
  ],
  hostAliases: [{ ip: "127.0.0.1", hostnames: ["foo.local", "bar.local"] }],
  priorityClassName: "high",
  priority: 0,
  dnsConfig: { nameservers: ["1.1.1.1"], searches: ["svc.cluster.local"], options: [{ name: "ndots", value: "2" }, { name: "edns0" }] },
  readinessGates: [{ conditionType: "example.com/ready" }],
  enableServiceLinks: true,
  preemptionPolicy: "PreemptLowerPriority",
  topologySpreadConstraints: [
    { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app: "web" } }, minDomains: 2 },
  ],
  os: { name: "linux" },
};

describe("protobuf round-trips (encode → decode gives back the JSON)", () => {
  it("Pod with the whole PodSpec tree and a status", () => {
    roundTrip({
      apiVersion: "v1",
      kind: "Pod",
      metadata: meta("web-0", {
        generateName: "web-",
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: "0b7c3e0e-9f8a-4b1b-8f5e-2f6f3c1d9e7a", controller: true, blockOwnerDeletion: true },
        ],
        finalizers: ["example.com/keep"],
        deletionTimestamp: "2026-01-02T04:00:00Z",
        deletionGracePeriodSeconds: 0,
        managedFields: [
          {
            manager: "kubectl-client-side-apply",
            operation: "Update",
            apiVersion: "v1",
            time: "2026-01-02T03:04:05Z",
            fieldsType: "FieldsV1",
            fieldsV1: { "f:metadata": { "f:labels": { ".": {}, "f:app": {} } } },
          },
        ],
      }),
      spec: podSpec,
      status: {
        phase: "Running",
        conditions: [
          { type: "Ready", status: "True", lastProbeTime: "2026-01-02T03:05:00Z", lastTransitionTime: "2026-01-02T03:05:00Z" },
          { type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/3 nodes are available" },
        ],
        hostIP: "10.0.0.1",
        hostIPs: [{ ip: "10.0.0.1" }],
        podIP: "10.244.1.7",
        podIPs: [{ ip: "10.244.1.7" }, { ip: "fd00::7" }],
        startTime: "2026-01-02T03:04:06Z",
        initContainerStatuses: [
          {
            name: "init",
            state: { terminated: { exitCode: 0, reason: "Completed", startedAt: "2026-01-02T03:04:07Z", finishedAt: "2026-01-02T03:04:08Z", containerID: "containerd://abc" } },
            ready: true,
            restartCount: 0,
            image: "busybox:1.36",
            imageID: "docker.io/library/busybox@sha256:1",
          },
        ],
        containerStatuses: [
          {
            name: "web",
            state: { running: { startedAt: "2026-01-02T03:04:09Z" } },
            lastState: { waiting: { reason: "CrashLoopBackOff", message: "back-off 10s" } },
            ready: false,
            restartCount: 2,
            image: "nginx:1.27",
            imageID: "",
            containerID: "containerd://def",
            started: false,
          },
        ],
        qosClass: "Burstable",
      },
    });
  });

  it("Deployment, with replicas: 0 kept and IntOrString percentages", () => {
    roundTrip({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta("web"),
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx", resources: {} }] } },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: 1 } },
        minReadySeconds: 5,
        revisionHistoryLimit: 10,
        paused: true,
        progressDeadlineSeconds: 600,
      },
      status: {
        observedGeneration: 3,
        replicas: 2,
        updatedReplicas: 2,
        readyReplicas: 1,
        availableReplicas: 1,
        unavailableReplicas: 1,
        conditions: [
          { type: "Available", status: "True", lastUpdateTime: "2026-01-02T03:04:05Z", lastTransitionTime: "2026-01-02T03:04:05Z", reason: "MinimumReplicasAvailable", message: "ok" },
        ],
        collisionCount: 0,
      },
    });
  });

  it("ConfigMap (data, binaryData as base64, immutable: false kept)", () => {
    roundTrip({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: meta("cfg"),
      immutable: false,
      data: { "app.properties": "a=b\nc=d\n", empty: "", unicode: "héllo ✓" },
      binaryData: { "blob.bin": "AAECA/8=" },
    });
  });

  it("Secret: byte values travel as raw bytes and come back as base64", () => {
    const secret = { apiVersion: "v1", kind: "Secret", metadata: meta("s"), type: "Opaque", data: { password: "aHVudGVyMg==", bin: "AP8A/w==" } };
    const bytes = roundTrip(secret);
    // the wire holds the decoded bytes, not the base64 text
    expect(Buffer.from(bytes).includes(Buffer.from("hunter2"))).toBe(true);
    expect(Buffer.from(bytes).includes(Buffer.from("aHVudGVyMg=="))).toBe(false);
    roundTrip({ apiVersion: "v1", kind: "Secret", metadata: { name: "t" }, type: "kubernetes.io/tls", immutable: true, stringData: { "tls.crt": "x" } });
  });

  it("Service: targetPort as a number and as a name", () => {
    roundTrip({
      apiVersion: "v1",
      kind: "Service",
      metadata: meta("svc"),
      spec: {
        ports: [
          { name: "http", protocol: "TCP", port: 80, targetPort: 8080, nodePort: 30080 },
          { name: "grpc", protocol: "TCP", appProtocol: "kubernetes.io/h2c", port: 9090, targetPort: "grpc" },
        ],
        selector: { app: "web" },
        clusterIP: "10.96.0.10",
        clusterIPs: ["10.96.0.10"],
        type: "LoadBalancer",
        sessionAffinity: "ClientIP",
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
        externalTrafficPolicy: "Local",
        healthCheckNodePort: 31000,
        ipFamilies: ["IPv4"],
        ipFamilyPolicy: "SingleStack",
        allocateLoadBalancerNodePorts: true,
        internalTrafficPolicy: "Cluster",
      },
      status: {
        loadBalancer: { ingress: [{ ip: "203.0.113.1", ipMode: "VIP", ports: [{ port: 80, protocol: "TCP", error: "" }] }] },
        conditions: [{ type: "Ready", status: "True", observedGeneration: 1, lastTransitionTime: "2026-01-02T03:04:05Z", reason: "Ok", message: "" }],
      },
    });
  });

  it("Namespace, Node, Endpoints, ServiceAccount, core Event", () => {
    roundTrip({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "team-a", labels: { "kubernetes.io/metadata.name": "team-a" } },
      spec: { finalizers: ["kubernetes"] },
      status: { phase: "Terminating", conditions: [{ type: "NamespaceDeletionContentFailure", status: "False", lastTransitionTime: "2026-01-02T03:04:05Z", reason: "ContentDeleted" }] },
    });
    roundTrip({
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "node-1", labels: { "kubernetes.io/hostname": "node-1" } },
      spec: { podCIDR: "10.244.1.0/24", podCIDRs: ["10.244.1.0/24"], providerID: "edge://node-1", unschedulable: true, taints: [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule", timeAdded: "2026-01-02T03:04:05Z" }] },
      status: {
        capacity: { cpu: "4", memory: "16Gi", pods: "110" },
        allocatable: { cpu: "3800m", memory: "15Gi", pods: "110" },
        conditions: [{ type: "Ready", status: "True", lastHeartbeatTime: "2026-01-02T03:04:05Z", lastTransitionTime: "2026-01-02T03:00:00Z", reason: "KubeletReady", message: "kubelet is posting ready status" }],
        addresses: [{ type: "InternalIP", address: "10.0.0.1" }, { type: "Hostname", address: "node-1" }],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          machineID: "m", systemUUID: "u", bootID: "b", kernelVersion: "6.1.0", osImage: "Debian", containerRuntimeVersion: "containerd://1.7.0",
          kubeletVersion: "v1.32.4", kubeProxyVersion: "", operatingSystem: "linux", architecture: "amd64",
        },
        images: [{ names: ["nginx:1.27", "nginx@sha256:1"], sizeBytes: 72_000_000_123 }],
      },
    });
    roundTrip({
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: meta("svc"),
      subsets: [
        {
          addresses: [{ ip: "10.244.1.7", nodeName: "node-1", targetRef: { kind: "Pod", namespace: "default", name: "web-0", uid: "u1" } }],
          notReadyAddresses: [{ ip: "10.244.2.8", hostname: "web-1" }],
          ports: [{ name: "http", port: 80, protocol: "TCP" }],
        },
      ],
    });
    roundTrip({ apiVersion: "v1", kind: "ServiceAccount", metadata: meta("web"), secrets: [{ name: "web-token" }], imagePullSecrets: [{ name: "regcred" }], automountServiceAccountToken: false });
    roundTrip({
      apiVersion: "v1",
      kind: "Event",
      metadata: meta("web-0.17a"),
      involvedObject: { kind: "Pod", namespace: "default", name: "web-0", uid: "u1", apiVersion: "v1", resourceVersion: "7", fieldPath: "spec.containers{web}" },
      reason: "Pulled",
      message: "Container image pulled",
      source: { component: "kubelet", host: "node-1" },
      firstTimestamp: "2026-01-02T03:04:05Z",
      lastTimestamp: "2026-01-02T03:04:06Z",
      count: 2,
      type: "Normal",
      eventTime: "2026-01-02T03:04:05.123456Z",
      reportingComponent: "kubelet",
      reportingInstance: "node-1",
    });
  });

  it("Job (podFailurePolicy, successPolicy) and CronJob", () => {
    roundTrip({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: meta("pi"),
      spec: {
        parallelism: 2,
        completions: 4,
        activeDeadlineSeconds: 100,
        backoffLimit: 0,
        completionMode: "Indexed",
        suspend: false,
        manualSelector: false,
        ttlSecondsAfterFinished: 0,
        selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "u" } },
        podFailurePolicy: {
          rules: [
            { action: "FailJob", onExitCodes: { containerName: "main", operator: "In", values: [42, 43] } },
            { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] },
          ],
        },
        successPolicy: { rules: [{ succeededIndexes: "0-2", succeededCount: 1 }] },
        template: { metadata: { labels: { job: "pi" } }, spec: { restartPolicy: "Never", containers: [{ name: "pi", image: "perl", command: ["perl", "-e", "print 1"], resources: {} }] } },
      },
      status: {
        conditions: [{ type: "Complete", status: "True", lastProbeTime: "2026-01-02T03:04:05Z", lastTransitionTime: "2026-01-02T03:04:05Z" }],
        startTime: "2026-01-02T03:00:00Z",
        completionTime: "2026-01-02T03:04:05Z",
        succeeded: 4,
        completedIndexes: "0-3",
        uncountedTerminatedPods: {},
        ready: 0,
        terminating: 0,
      },
    });
    roundTrip({
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: meta("hello"),
      spec: {
        schedule: "*/5 * * * *",
        timeZone: "Etc/UTC",
        startingDeadlineSeconds: 200,
        concurrencyPolicy: "Forbid",
        suspend: false,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 1,
        jobTemplate: { metadata: { labels: { cron: "hello" } }, spec: { template: { metadata: {}, spec: { restartPolicy: "OnFailure", containers: [{ name: "hello", image: "busybox", resources: {} }] } } } },
      },
      status: { active: [{ kind: "Job", namespace: "default", name: "hello-1", uid: "u", apiVersion: "batch/v1", resourceVersion: "9" }], lastScheduleTime: "2026-01-02T03:05:00Z" },
    });
  });

  it("Lease keeps MicroTime microseconds; events.k8s.io Event too", () => {
    roundTrip({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "node-1", namespace: "kube-node-lease" },
      spec: { holderIdentity: "node-1", leaseDurationSeconds: 40, acquireTime: "2026-01-02T03:04:05.000001Z", renewTime: "2026-01-02T03:04:45.123456Z", leaseTransitions: 0 },
    });
    roundTrip({
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: meta("e1"),
      eventTime: "2026-01-02T03:04:05.654321Z",
      series: { count: 3, lastObservedTime: "2026-01-02T03:05:05.000000Z" },
      reportingController: "example.com/ctl",
      reportingInstance: "ctl-0",
      action: "Scale",
      reason: "Scaled",
      regarding: { kind: "Deployment", namespace: "default", name: "web", apiVersion: "apps/v1" },
      note: "scaled to 3",
      type: "Normal",
    });
  });

  it("MicroTime normalises other offsets and digit counts to UTC with six digits; Time drops sub-seconds", () => {
    const lease = encodeProtobufObject({
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "l", creationTimestamp: "2026-01-02T05:04:05.9+02:00" },
      spec: { renewTime: "2026-01-02T05:04:05.5+02:00" },
    });
    const out = decodeProtobufObject(lease).object as { metadata: { creationTimestamp: string }; spec: { renewTime: string } };
    expect(out.metadata.creationTimestamp).toBe("2026-01-02T03:04:05Z");
    expect(out.spec.renewTime).toBe("2026-01-02T03:04:05.500000Z");
  });

  it("Scale (the /scale subresource), StatefulSet with a PVC template, DaemonSet, ReplicaSet", () => {
    roundTrip({ apiVersion: "autoscaling/v1", kind: "Scale", metadata: meta("web"), spec: { replicas: 5 }, status: { replicas: 3, selector: "app=web" } });
    // replicas 0 in ScaleSpec is omitempty in Go, ScaleStatus.replicas is not
    const zero = decodeProtobufObject(encodeProtobufObject({ apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "w" }, spec: { replicas: 0 }, status: { replicas: 0 } }));
    expect(zero.object).toEqual({ apiVersion: "autoscaling/v1", kind: "Scale", metadata: { name: "w" }, spec: {}, status: { replicas: 0 } });
    roundTrip({
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: meta("db"),
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "db" } },
        template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "pg", image: "postgres:17", volumeMounts: [{ name: "data", mountPath: "/var/lib/postgresql" }], resources: {} }] } },
        volumeClaimTemplates: [
          {
            metadata: { name: "data" },
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } }, storageClassName: "standard", volumeMode: "Filesystem" },
            status: { phase: "Pending" },
          },
        ],
        serviceName: "db",
        podManagementPolicy: "Parallel",
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0, maxUnavailable: 1 } },
        revisionHistoryLimit: 10,
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Delete" },
        ordinals: { start: 1 },
      },
      status: { observedGeneration: 1, replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, currentRevision: "db-1", updateRevision: "db-1", collisionCount: 0, availableReplicas: 3 },
    });
    roundTrip({
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: meta("agent"),
      spec: {
        selector: { matchLabels: { app: "agent" } },
        template: { metadata: { labels: { app: "agent" } }, spec: { containers: [{ name: "a", image: "agent", resources: {} }], tolerations: [{ operator: "Exists" }] } },
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
        revisionHistoryLimit: 10,
      },
      status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0, conditions: [{ type: "X", status: "False" }] },
    });
    roundTrip({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: meta("web-5d4f"),
      spec: { replicas: 2, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "w", image: "nginx", resources: {} }] } } },
      status: { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 },
    });
  });

  it("lists (XList) and Status", () => {
    roundTrip({
      apiVersion: "v1",
      kind: "ConfigMapList",
      metadata: { resourceVersion: "100", continue: "abc", remainingItemCount: 0 },
      items: [
        { metadata: { name: "a", namespace: "default" }, data: { k: "v" } },
        { metadata: { name: "b", namespace: "default" } },
      ],
    });
    // an empty list still has "items": [] (Go's list types have no omitempty on items)
    roundTrip({ apiVersion: "apps/v1", kind: "DeploymentList", metadata: { resourceVersion: "7" }, items: [] });
    roundTrip({
      apiVersion: "v1",
      kind: "Status",
      metadata: {},
      status: "Failure",
      message: 'configmaps "x" already exists',
      reason: "AlreadyExists",
      details: { name: "x", kind: "configmaps", causes: [{ reason: "FieldValueInvalid", message: "bad", field: "metadata.name" }], retryAfterSeconds: 1 },
      code: 409,
    });
    // Status and DeleteOptions are registered in every group version, as upstream does
    roundTrip({ apiVersion: "apps/v1", kind: "DeleteOptions", gracePeriodSeconds: 0, propagationPolicy: "Foreground", preconditions: { uid: "u" }, dryRun: ["All"] });
  });
});

describe("protobuf decoding details", () => {
  it("drops zero values of omitempty fields but keeps pointer and non-omitempty ones", () => {
    // encode zero values explicitly, as Go does for every non-pointer field
    const obj = decodeProtobufObject(
      encodeProtobufObject({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: "", generation: 0, resourceVersion: "" },
        spec: { replicas: 0, paused: false, minReadySeconds: 0, template: { spec: { containers: [{ name: "", image: "" }] } } },
      }),
    ).object;
    expect(obj).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web" },
      spec: { replicas: 0, template: { spec: { containers: [{ name: "" }] } } },
    });
  });

  it("skips unknown field numbers and reads packed repeated scalars", () => {
    const w = new Writer();
    w.tag(99, 2);
    w.string("from the future");
    w.tag(2, 2);
    w.string("f1");
    w.tag(98, 0);
    w.int64(7);
    const body = w.finish();
    // wrap as a NamespaceSpec inside a Namespace: {2: spec}
    const ns = new Writer();
    ns.tag(2, 2);
    const spec = new Writer();
    spec.tag(1, 2);
    spec.string("kubernetes");
    spec.tag(77, 5); // fixed32 unknown
    spec.raw(new Uint8Array([1, 2, 3, 4]));
    ns.bytes(spec.finish());
    const env = (apiVersion: string, kind: string, raw: Uint8Array) => {
      const tm = new Writer();
      tm.tag(1, 2);
      tm.string(apiVersion);
      tm.tag(2, 2);
      tm.string(kind);
      const e = new Writer();
      e.raw(new Uint8Array([0x6b, 0x38, 0x73, 0]));
      e.tag(1, 2);
      e.bytes(tm.finish());
      e.tag(2, 2);
      e.bytes(raw);
      return e.finish();
    };
    expect(decodeProtobufObject(env("v1", "Namespace", ns.finish())).object).toEqual({ apiVersion: "v1", kind: "Namespace", spec: { finalizers: ["kubernetes"] } });
    // ObjectMeta field 2 (generateName) amid unknown fields
    const cm = new Writer();
    cm.tag(1, 2);
    cm.bytes(body);
    expect(decodeProtobufObject(env("v1", "ConfigMap", cm.finish())).object).toEqual({ apiVersion: "v1", kind: "ConfigMap", metadata: { generateName: "f1" } });
    // packed repeated int64 (PodSecurityContext.supplementalGroups = 4)
    const psc = new Writer();
    psc.tag(4, 2);
    psc.bytes(new Uint8Array([0x01, 0x96, 0x01]));
    const ps = new Writer();
    ps.tag(14, 2);
    ps.bytes(psc.finish());
    const pod = new Writer();
    pod.tag(2, 2);
    pod.bytes(ps.finish());
    expect(decodeProtobufObject(env("v1", "Pod", pod.finish())).object).toEqual({
      apiVersion: "v1",
      kind: "Pod",
      spec: { securityContext: { supplementalGroups: [1, 150] } },
    });
  });

  it("rejects bad bytes and unknown kinds with upstream's messages", () => {
    const err = (b: Uint8Array) => {
      try {
        decodeProtobufObject(b);
      } catch (e) {
        expect(e).toBeInstanceOf(ProtobufError);
        return (e as ProtobufError).message;
      }
      throw new Error("expected an error");
    };
    expect(err(new Uint8Array())).toBe("empty data");
    expect(err(new TextEncoder().encode('{"kind":"ConfigMap"}'))).toBe(
      "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]",
    );
    expect(err(hex("6b387300"))).toBe("empty body");
    const foo = encodeProtobufObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } });
    const renamed = hex(Buffer.from(foo).toString("hex").replace(Buffer.from("ConfigMap").toString("hex"), Buffer.from("FooBarBaz").toString("hex")));
    expect(err(renamed)).toBe('no kind "FooBarBaz" is registered for version "v1" in scheme "pkg/api/legacyscheme/scheme.go:30"');
    expect(() => encodeProtobufObject({ apiVersion: "example.com/v1", kind: "Widget" })).toThrow(
      'no kind "Widget" is registered for version "example.com/v1"',
    );
    expect(err(foo.subarray(0, foo.length - 5))).toBe("unexpected EOF");
    expect(err(hex("6b3873000a0f0a0276311209436f6e6669674d617012020a05"))).toBe("unexpected EOF");
    expect(err(hex("6b3873000a0f0a0276311209436f6e6669674d6170120208011a00"))).toBe("proto: wrong wireType = 0 for field Metadata");
    expect(err(hex("6b3873000a040a027631"))).toMatch(/^Object 'Kind' is missing in/);
    expect(err(hex("6b387300ffffffffffffffffffffff"))).toBe("proto: integer overflow");
  });

  it("exports the content type and the served kinds", () => {
    expect(PROTOBUF_CONTENT_TYPE).toBe("application/vnd.kubernetes.protobuf");
    const kinds = registeredKinds().map((k) => `${k.apiVersion}/${k.kind}`);
    for (const k of ["v1/Pod", "v1/PodList", "apps/v1/Deployment", "batch/v1/CronJob", "coordination.k8s.io/v1/Lease", "events.k8s.io/v1/Event", "autoscaling/v1/Scale", "v1/Status"]) {
      expect(kinds).toContain(k);
    }
  });

  it("watch frames: length prefix + WatchEvent with an enveloped object", () => {
    const frame = encodeProtobufWatchEvent("ADDED", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { a: "b" } });
    expect(new DataView(frame.buffer).getUint32(0)).toBe(frame.length - 4);
    expect(decodeProtobufWatchEvent(frame)).toEqual({ type: "ADDED", object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { a: "b" } } });
  });
});

describe("protobuf wire helpers", () => {
  it("varints: negative int32/int64 are sign-extended to ten bytes", () => {
    for (const v of [0, 1, 127, 128, 300, -1, -2147483648, 2147483647, 2 ** 40 + 5, -(2 ** 40) - 5, Number.MAX_SAFE_INTEGER]) {
      const w = new Writer();
      w.int64(v);
      const b = w.finish();
      if (v < 0) expect(b.length).toBe(10);
      expect(new Reader(b).int64()).toBe(v);
      if (v >= -2147483648 && v <= 2147483647) expect(new Reader(b).int32()).toBe(v);
    }
  });

  it("durations format and parse like Go", () => {
    const cases: Array<[number, string]> = [
      [0, "0s"],
      [1, "1ns"],
      [1500, "1.5µs"],
      [2_500_000, "2.5ms"],
      [1e9, "1s"],
      [90e9, "1m30s"],
      [3600e9, "1h0m0s"],
      [3723.5e9, "1h2m3.5s"],
      [-5e9, "-5s"],
    ];
    for (const [ns, s] of cases) {
      expect(formatDuration(ns)).toBe(s);
      expect(parseDuration(s)).toBe(ns);
    }
    expect(parseDuration("1.5h")).toBe(5400e9);
    expect(parseDuration("bogus")).toBeUndefined();
  });
});

describe("bytes captured from kubectl 1.32 (no kubectl needed)", () => {
  it("kubectl create configmap x --from-literal=a=b", () => {
    const d = decodeProtobufObject(hex("6b3873000a0f0a0276311209436f6e6669674d6170121b0a110a017812001a0022002a0032003800420012060a01611201621a002200"));
    expect(d).toEqual({ apiVersion: "v1", kind: "ConfigMap", object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { a: "b" } } });
  });

  it("kubectl create deployment web --image=nginx --replicas=3 --port=80", () => {
    const d = decodeProtobufObject(
      hex(
        "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412b8010a1f0a0377656212001a0022002a003200380042005a0a0a0361707012037765621286010803120c0a0a0a0361707012037765621a6c0a1c0a0012001a0022002a003200380042005a0a0a036170701203776562124c122e0a056e67696e7812056e67696e782a00320a0a001000185022002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200",
      ),
    );
    expect(d.object).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", labels: { app: "web" } },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "nginx", ports: [{ containerPort: 80 }], resources: {} }] } },
        strategy: {},
      },
      status: {},
    });
  });

  it("kubectl create service clusterip svc --tcp=80:8080", () => {
    const d = decodeProtobufObject(
      hex(
        "6b3873000a0d0a02763112075365727669636512690a1f0a0373766312001a0022002a003200380042005a0a0a03617070120373766312420a1b0a0738302d38303830120354435018502207080010903f1a002800120a0a0361707012037376631a002209436c757374657249503a00420052005a00600068001a020a001a002200",
      ),
    );
    expect(d.object).toEqual({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "svc", labels: { app: "svc" } },
      spec: { ports: [{ name: "80-8080", protocol: "TCP", port: 80, targetPort: 8080 }], selector: { app: "svc" }, type: "ClusterIP" },
      status: { loadBalancer: {} },
    });
  });
});
