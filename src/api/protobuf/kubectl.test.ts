// Why this exists: checks the decoder against what stock kubectl really sends. A throwaway HTTP
// server records kubectl's protobuf POST bodies; each must decode to exactly the JSON that
// `kubectl ... --dry-run=client -o json` prints for the same command. Skipped without kubectl.

import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROTOBUF_CONTENT_TYPE, decodeProtobufObject, encodeProtobufObject } from "./index.js";

const KUBECTL = "/usr/bin/kubectl";
const run = promisify(execFile);

const resourceList = (groupVersion: string, resources: Array<[string, string, boolean]>) => ({
  kind: "APIResourceList",
  apiVersion: "v1",
  groupVersion,
  resources: resources.map(([name, kind, namespaced]) => ({
    name,
    singularName: "",
    namespaced,
    kind,
    verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
  })),
});
const group = (name: string) => ({
  name,
  versions: [{ groupVersion: `${name}/v1`, version: "v1" }],
  preferredVersion: { groupVersion: `${name}/v1`, version: "v1" },
});
const DISCOVERY: Record<string, unknown> = {
  "/api": { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "127.0.0.1" }] },
  "/apis": { kind: "APIGroupList", apiVersion: "v1", groups: [group("apps"), group("batch")] },
  "/api/v1": resourceList("v1", [
    ["configmaps", "ConfigMap", true],
    ["namespaces", "Namespace", false],
    ["secrets", "Secret", true],
    ["services", "Service", true],
  ]),
  "/apis/apps/v1": resourceList("apps/v1", [["deployments", "Deployment", true]]),
  "/apis/batch/v1": resourceList("batch/v1", [
    ["jobs", "Job", true],
    ["cronjobs", "CronJob", true],
  ]),
};

interface Captured {
  path: string;
  contentType: string;
  body: Uint8Array;
}

/** Go's JSON writes zero times as null (`creationTimestamp: null`); we leave them out. */
const withoutNulls = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(withoutNulls)
    : v && typeof v === "object"
      ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, withoutNulls(x)]))
      : v;

describe.skipIf(!existsSync(KUBECTL))("real kubectl protobuf bodies", () => {
  let server: http.Server;
  let base = "";
  let kubeconfig = "";
  const captured: Captured[] = [];
  /** When set, POSTs are answered in protobuf with this object (kubectl accepts protobuf replies). */
  let protobufReply: Record<string, unknown> | undefined;

  beforeAll(async () => {
    kubeconfig = join(mkdtempSync(join(tmpdir(), "edgeplane-pb-")), "kubeconfig");
    writeFileSync(kubeconfig, "");
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const path = (req.url ?? "/").split("?")[0];
        const body = new Uint8Array(Buffer.concat(chunks));
        if (req.method === "GET" && path in DISCOVERY) {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify(DISCOVERY[path]));
          return;
        }
        if (req.method === "POST") {
          captured.push({ path, contentType: String(req.headers["content-type"] ?? ""), body });
          if (protobufReply) {
            res.writeHead(201, { "content-type": PROTOBUF_CONTENT_TYPE });
            res.end(Buffer.from(encodeProtobufObject(protobufReply)));
            return;
          }
          // answer with the decoded object as JSON, as edgeplane would
          let reply: unknown;
          try {
            reply = decodeProtobufObject(body).object;
          } catch {
            reply = JSON.parse(Buffer.from(body).toString("utf8"));
          }
          res.writeHead(201, { "content-type": "application/json" });
          res.end(JSON.stringify(reply));
          return;
        }
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404 }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const kubectl = (args: string[]) =>
    run(KUBECTL, ["--server", base, "--insecure-skip-tls-verify", ...args], {
      env: { ...process.env, KUBECONFIG: kubeconfig, HOME: tmpdir() },
      timeout: 30_000,
    });

  const cases: Array<{ args: string[]; path: string; expected: Record<string, unknown> }> = [
    {
      args: ["create", "configmap", "x", "--from-literal=a=b"],
      path: "/api/v1/namespaces/default/configmaps",
      expected: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" }, data: { a: "b" } },
    },
    {
      args: ["create", "deployment", "web", "--image=nginx", "--replicas=3", "--port=80"],
      path: "/apis/apps/v1/namespaces/default/deployments",
      expected: {
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
      },
    },
    {
      args: ["create", "namespace", "ns1"],
      path: "/api/v1/namespaces",
      expected: { apiVersion: "v1", kind: "Namespace", metadata: { name: "ns1" }, spec: {}, status: {} },
    },
    {
      args: ["create", "secret", "generic", "s", "--from-literal=k=v"],
      path: "/api/v1/namespaces/default/secrets",
      expected: { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, data: { k: "dg==" } },
    },
    {
      args: ["create", "service", "clusterip", "svc", "--tcp=80:8080"],
      path: "/api/v1/namespaces/default/services",
      expected: {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "svc", labels: { app: "svc" } },
        spec: { ports: [{ name: "80-8080", protocol: "TCP", port: 80, targetPort: 8080 }], selector: { app: "svc" }, type: "ClusterIP" },
        status: { loadBalancer: {} },
      },
    },
    {
      args: ["create", "job", "j", "--image=busybox"],
      path: "/apis/batch/v1/namespaces/default/jobs",
      expected: {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name: "j" },
        spec: { template: { metadata: {}, spec: { containers: [{ name: "j", image: "busybox", resources: {} }], restartPolicy: "Never" } } },
        status: {},
      },
    },
    {
      args: ["create", "cronjob", "cj", "--image=busybox", "--schedule=*/1 * * * *"],
      path: "/apis/batch/v1/namespaces/default/cronjobs",
      expected: {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: "cj" },
        spec: {
          schedule: "*/1 * * * *",
          jobTemplate: { metadata: { name: "cj" }, spec: { template: { metadata: {}, spec: { containers: [{ name: "cj", image: "busybox", resources: {} }], restartPolicy: "OnFailure" } } } },
        },
        status: {},
      },
    },
  ];

  for (const c of cases) {
    it(`kubectl ${c.args.join(" ")}`, async () => {
      const before = captured.length;
      const { stdout } = await kubectl([...c.args, "-o", "name"]);
      expect(stdout.trim()).toMatch(new RegExp(`/${c.args[c.args[1] === "secret" || c.args[1] === "service" ? 3 : 2]}$`));
      const posts = captured.slice(before);
      expect(posts).toHaveLength(1);
      expect(posts[0].path).toBe(c.path);
      expect(posts[0].contentType).toBe(PROTOBUF_CONTENT_TYPE);

      const decoded = decodeProtobufObject(posts[0].body);
      expect(decoded.object).toEqual(c.expected);

      // and it is exactly what kubectl itself would have sent as JSON
      const dry = await kubectl([...c.args, "--dry-run=client", "-o", "json"]);
      expect(decoded.object).toEqual(withoutNulls(JSON.parse(dry.stdout)));
    });
  }

  it("kubectl decodes our protobuf encoding of its reply (the encoder, checked by Go's decoder)", async () => {
    const reply = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        name: "web",
        namespace: "default",
        uid: "0b7c3e0e-9f8a-4b1b-8f5e-2f6f3c1d9e7a",
        resourceVersion: "12",
        generation: 1,
        creationTimestamp: "2026-01-02T03:04:05Z",
        labels: { app: "web" },
        managedFields: [
          {
            manager: "kubectl-create",
            operation: "Update",
            apiVersion: "apps/v1",
            time: "2026-01-02T03:04:05Z",
            fieldsType: "FieldsV1",
            fieldsV1: { "f:metadata": { "f:labels": { ".": {}, "f:app": {} } } },
          },
        ],
      },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: {
            containers: [
              {
                name: "nginx",
                image: "nginx",
                ports: [{ name: "http", containerPort: 80, protocol: "TCP" }],
                env: [{ name: "A", valueFrom: { configMapKeyRef: { name: "cfg", key: "a", optional: true } } }],
                readinessProbe: { httpGet: { path: "/", port: "http", scheme: "HTTP" }, periodSeconds: 10 },
                resources: { limits: { cpu: "500m" } },
              },
            ],
            tolerations: [{ key: "k", operator: "Exists", effect: "NoSchedule", tolerationSeconds: 0 }],
          },
        },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: 1 } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
      status: {
        observedGeneration: 1,
        conditions: [
          { type: "Progressing", status: "True", lastUpdateTime: "2026-01-02T03:04:05Z", lastTransitionTime: "2026-01-02T03:04:05Z", reason: "NewReplicaSetCreated", message: "created" },
        ],
      },
    };
    protobufReply = reply;
    try {
      const { stdout } = await kubectl(["create", "deployment", "web", "--image=nginx", "-o", "json", "--show-managed-fields"]);
      const printed = withoutNulls(JSON.parse(stdout)) as { spec: { template: { metadata: Record<string, unknown> } } };
      expect(printed).toEqual(reply);
    } finally {
      protobufReply = undefined;
    }
  });
});
