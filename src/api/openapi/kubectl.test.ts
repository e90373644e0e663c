// Why this exists: the OpenAPI documents are only right if stock kubectl can use them. A tiny
// node:http server answers discovery (built from src/api/discovery.ts), /openapi/v2 (protobuf,
// as kubectl asks), /openapi/v3 and its group-version documents, and records writes; kubectl
// 1.32 then explains fields, and validates manifests on its own (a variant of the server that
// hides the `fieldValidation` parameter, as an old apiserver would) or hands validation to the
// server with fieldValidation=Strict (the real documents, which advertise it).
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kinds } from "../../apis/index.js";
import { apiGroupDoc, apiGroupList, apiResourceList, apiVersions, versionInfo } from "../discovery.js";
import { encodeOpenAPIV2 } from "./protobuf.js";
import { OPENAPI_V2_PROTOBUF_CONTENT_TYPE, type Json, openapiV2, openapiV3Doc, openapiV3Index, wantsOpenAPIV2Protobuf } from "./index.js";

const KUBECTL = "/usr/bin/kubectl";

/** A copy of a document without the fieldValidation query parameter anywhere. */
function withoutFieldValidation<T>(doc: T): T {
  return JSON.parse(JSON.stringify(doc), (_k, v) => (Array.isArray(v) ? v.filter((p) => !(p && typeof p === "object" && p.name === "fieldValidation")) : v));
}

interface Recorded {
  method: string;
  url: string;
  body: string;
}

async function startServer(opts: { advertiseFieldValidation: boolean }) {
  const recorded: Recorded[] = [];
  const v2 = opts.advertiseFieldValidation ? openapiV2() : withoutFieldValidation(openapiV2());
  const v2pb = encodeOpenAPIV2(v2);
  const v3 = (gv: string) => {
    const d = openapiV3Doc(gv);
    return d && !opts.advertiseFieldValidation ? withoutFieldValidation(d) : d;
  };
  const json = (res: ServerResponse, code: number, body: unknown) => {
    res.writeHead(code, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      const p = url.pathname;
      if (req.method !== "GET") {
        recorded.push({ method: req.method ?? "", url: req.url ?? "", body });
        const obj = JSON.parse(body || "{}");
        obj.metadata = { ...obj.metadata, namespace: obj.metadata?.namespace ?? "default", uid: "u1", resourceVersion: "1" };
        return json(res, 201, obj);
      }
      if (p === "/version") return json(res, 200, versionInfo());
      if (p === "/api") return json(res, 200, apiVersions("127.0.0.1"));
      if (p === "/apis") return json(res, 200, apiGroupList(kinds));
      if (p === "/openapi/v2") {
        if (wantsOpenAPIV2Protobuf(req.headers.accept)) {
          res.writeHead(200, { "content-type": OPENAPI_V2_PROTOBUF_CONTENT_TYPE });
          return res.end(Buffer.from(v2pb));
        }
        return json(res, 200, v2);
      }
      if (p === "/openapi/v3") return json(res, 200, openapiV3Index());
      if (p.startsWith("/openapi/v3/")) {
        const d = v3(p.slice("/openapi/v3/".length));
        return d ? json(res, 200, d) : json(res, 404, { kind: "Status", apiVersion: "v1", status: "Failure", code: 404, reason: "NotFound" });
      }
      const parts = p.split("/").filter(Boolean);
      let doc: unknown;
      if (parts[0] === "api" && parts.length === 2) doc = apiResourceList(kinds, "", parts[1]);
      else if (parts[0] === "apis" && parts.length === 2) doc = apiGroupDoc(kinds, parts[1]);
      else if (parts[0] === "apis" && parts.length === 3) doc = apiResourceList(kinds, parts[1], parts[2]);
      if (doc) return json(res, 200, doc);
      json(res, 404, { kind: "Status", apiVersion: "v1", status: "Failure", code: 404, reason: "NotFound", message: "the server could not find the requested resource" });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return { server, recorded, url: `http://127.0.0.1:${port}` };
}

describe.skipIf(!existsSync(KUBECTL))("kubectl against the generated OpenAPI", () => {
  let dir: string;
  let strictServer: Awaited<ReturnType<typeof startServer>>;
  let clientServer: Awaited<ReturnType<typeof startServer>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "edgeplane-openapi-"));
    writeFileSync(join(dir, "kubeconfig"), "apiVersion: v1\nkind: Config\n");
    strictServer = await startServer({ advertiseFieldValidation: true });
    clientServer = await startServer({ advertiseFieldValidation: false });
  });
  afterAll(() => {
    strictServer?.server.close();
    clientServer?.server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs kubectl against `server`; resolves with exit code and output (a fresh cache per call). */
  function kubectl(server: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const cache = mkdtempSync(join(dir, "cache-"));
    return new Promise((resolve) => {
      execFile(
        KUBECTL,
        ["--server", server, "--cache-dir", cache, ...args],
        { env: { PATH: process.env.PATH, HOME: dir, KUBECONFIG: join(dir, "kubeconfig") }, timeout: 30_000 },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  const manifest = (name: string, container: Json) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [container] } }));
    return file;
  };

  it("explain pod.spec.containers prints the field list with descriptions and -required-", async () => {
    const r = await kubectl(strictServer.url, "explain", "pod.spec.containers");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("KIND:       Pod");
    expect(r.stdout).toContain("VERSION:    v1");
    expect(r.stdout).toContain("FIELD: containers <[]Container>");
    expect(r.stdout).toContain("Containers belonging to the pod. At least one is required.");
    expect(r.stdout).toMatch(/name\t<string> -required-\n\s+Name of the container, a DNS_LABEL unique within the pod\./);
    expect(r.stdout).toMatch(/image\t<string>\n\s+Container image name\./);
    expect(r.stdout).toMatch(/ports\t<\[\]ContainerPort>/);
    expect(r.stdout).toMatch(/resources\t<ResourceRequirements>/);
  });

  it("explain deployment.spec.replicas and a nested named type", async () => {
    const r = await kubectl(strictServer.url, "explain", "deployment.spec.replicas");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("GROUP:      apps");
    expect(r.stdout).toContain("FIELD: replicas <integer>");
    expect(r.stdout).toContain("Number of desired pods. Defaults to 1.");
    const t = await kubectl(strictServer.url, "explain", "deployment.spec.template.spec.containers.livenessProbe.periodSeconds");
    expect(t.code).toBe(0);
    expect(t.stdout).toContain("How often (in seconds) to perform the probe. Defaults to 10.");
    const m = await kubectl(strictServer.url, "explain", "cronjob.metadata.labels");
    expect(m.code).toBe(0);
    expect(m.stdout).toContain("FIELD: labels <map[string]string>");
  });

  it("with fieldValidation advertised, kubectl leaves validation to the server (fieldValidation=Strict)", async () => {
    const good = manifest("good", { name: "web", image: "nginx" });
    const r = await kubectl(strictServer.url, "create", "-f", good);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("pod/good created");
    const post = strictServer.recorded.find((x) => x.method === "POST");
    expect(post?.url).toMatch(/^\/api\/v1\/namespaces\/default\/pods\?.*fieldValidation=Strict/);
    // An unknown field is not caught client-side: it reaches the server, which must reject it.
    const bad = manifest("bad", { name: "web", imagee: "nginx" });
    const b = await kubectl(strictServer.url, "create", "-f", bad);
    expect(b.code).toBe(0);
    expect(strictServer.recorded.at(-1)?.body).toContain('"imagee"');
    // Plain `kubectl apply -f` (default validation): downloads the OpenAPI, GETs (404), creates.
    const a = await kubectl(strictServer.url, "apply", "-f", good);
    expect(a.stderr).toBe("");
    expect(a.stdout.trim()).toBe("pod/good created");
    expect(strictServer.recorded.at(-1)?.url).toMatch(/fieldManager=kubectl-client-side-apply&fieldValidation=Strict/);
  });

  it("without it, kubectl validates client-side against the v2 schema", async () => {
    const bad = manifest("bad", { name: "web", imagee: "nginx" });
    const b = await kubectl(clientServer.url, "create", "--dry-run=client", "-o", "name", "-f", bad);
    expect(b.code).not.toBe(0);
    expect(b.stderr).toContain('unknown field "imagee" in io.k8s.api.core.v1.Container');
    const missing = manifest("noname", { image: "nginx" });
    const m = await kubectl(clientServer.url, "create", "--dry-run=client", "-o", "name", "-f", missing);
    expect(m.code).not.toBe(0);
    expect(m.stderr).toContain('missing required field "name" in io.k8s.api.core.v1.Container');
    const good = manifest("good", { name: "web", image: "nginx", ports: [{ containerPort: 80 }], resources: { limits: { cpu: "100m", memory: 128 } } });
    const g = await kubectl(clientServer.url, "create", "--dry-run=client", "-o", "name", "-f", good);
    expect(g.stderr).toBe("");
    expect(g.stdout.trim()).toBe("pod/good");
    expect(clientServer.recorded).toEqual([]);
  });

  it("client-side validation accepts a full Deployment and a CronJob", async () => {
    const dep = join(dir, "dep.yaml");
    writeFileSync(
      dep,
      [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata: {name: web, labels: {app: web}}",
        "spec:",
        "  replicas: 2",
        "  selector: {matchLabels: {app: web}}",
        "  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 25%}}",
        "  template:",
        "    metadata: {labels: {app: web}}",
        "    spec:",
        "      containers:",
        "      - name: web",
        "        image: nginx:1.27",
        "        env: [{name: A, value: '1'}, {name: B, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]",
        "        readinessProbe: {httpGet: {path: /, port: 80}}",
        "        securityContext: {runAsNonRoot: true}",
        "      affinity: {nodeAffinity: {}}",
        "      volumes: [{name: data, emptyDir: {sizeLimit: 1Gi}}]",
        "---",
        "apiVersion: batch/v1",
        "kind: CronJob",
        "metadata: {name: tick}",
        "spec:",
        "  schedule: '*/5 * * * *'",
        "  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}}",
      ].join("\n"),
    );
    const r = await kubectl(clientServer.url, "create", "--dry-run=client", "-o", "name", "-f", dep);
    expect(r.stderr).toBe("");
    expect(r.stdout.trim().split("\n")).toEqual(["deployment.apps/web", "cronjob.batch/tick"]);
  });
});
