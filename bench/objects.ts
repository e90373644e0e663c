// Why: both stores must be fed the same payloads; this file builds them (a ~1 KB ConfigMap and a
// realistic Pod), so edgeplane and etcd compare like for like.

/** Filler that makes a ConfigMap about 1 KB once serialized. */
const FILLER = "abcdefghijklmnopqrstuvwxyz0123456789".repeat(24).slice(0, 760);

export function configMap(ns: string, name: string, i: number, resourceVersion?: string): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name,
      namespace: ns,
      labels: { app: "bench", tier: i % 2 ? "backend" : "frontend", shard: String(i % 8) },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    data: {
      "config.yaml": `generation: ${i}\nfeature: ${i % 3 === 0}\n`,
      payload: FILLER,
    },
  };
}

/** A pod as a Deployment would make one: labels, owner, two containers, probes, env, volumes. */
export function pod(ns: string, name: string, i: number): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: ns,
      labels: { app: "web", "pod-template-hash": "7c9d8f6b5d", tier: "frontend" },
      annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": "9113" },
      ownerReferences: [
        { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web-7c9d8f6b5d", uid: "5f0c8a9e-1c2d-4e3f-9a8b-7c6d5e4f3a2b", controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: {
      containers: [
        {
          name: "web",
          image: "nginx:1.27.2",
          imagePullPolicy: "IfNotPresent",
          ports: [{ name: "http", containerPort: 80, protocol: "TCP" }],
          env: [
            { name: "POD_INDEX", value: String(i) },
            { name: "LOG_LEVEL", value: "info" },
            { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
          ],
          resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
          readinessProbe: { httpGet: { path: "/healthz", port: "http" }, initialDelaySeconds: 2, periodSeconds: 5 },
          livenessProbe: { httpGet: { path: "/healthz", port: "http" }, initialDelaySeconds: 10, periodSeconds: 10 },
          volumeMounts: [
            { name: "config", mountPath: "/etc/nginx/conf.d", readOnly: true },
            { name: "cache", mountPath: "/var/cache/nginx" },
          ],
        },
        {
          name: "exporter",
          image: "nginx/nginx-prometheus-exporter:1.3.0",
          args: ["--nginx.scrape-uri=http://localhost:80/stub_status"],
          ports: [{ name: "metrics", containerPort: 9113 }],
          resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "32Mi" } },
        },
      ],
      volumes: [
        { name: "config", configMap: { name: "web-config" } },
        { name: "cache", emptyDir: {} },
      ],
      nodeSelector: { "kubernetes.io/os": "linux" },
      tolerations: [{ key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 }],
      terminationGracePeriodSeconds: 30,
    },
  };
}
