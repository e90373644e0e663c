// Services end to end with real containers: `edgeplane up` plus `edgeplane agent --runtime docker`
// on Podman, the agent running its service proxy and cluster DNS. The seed's transcript (`kubectl
// expose deployment --type=NodePort`, the ClusterIP from the node, a pod deleted and the next request
// answered, NODE:NODEPORT from the host), a ClusterIP and names reached from inside pods, a pod going
// not-ready leaving the rotation and coming back, a stream of 1,000 requests across pod deletions,
// session affinity, and kubectl's svc, endpoints and endpointslices tables.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, kubeClient, type Edgeplane } from "./harness.js";
import { until } from "./helpers.js";
import { kubectlFor, rowOf, table, type Kubectl } from "./kubectl-helpers.js";
import { cleanupNode, podsOf, readyCondition, startContainerNode, stopContainerNode, type ContainerNode } from "./containers-helpers.js";
import { startAgent } from "./agent-process.js";
import { CoreV1Api } from "@kubernetes/client-node";
import { getOnce } from "../support/http-get.js";

const NODE = "svcbox";
const NS = "default";
const CLUSTER_CIDR = "10.250.0.0/16";
let n: ContainerNode;
let h: Edgeplane;
let kubectl: Kubectl;
let image: string;
let nodeIP: string;

beforeAll(async () => {
  n = await startContainerNode(NODE, CLUSTER_CIDR, ["--proxy-relay-port", "10263"]);
  ({ h, image } = n);
  kubectl = kubectlFor(h);
  const node = (await api(h, "GET", `/api/v1/nodes/${NODE}`)).body;
  nodeIP = node.status.addresses.find((a: any) => a.type === "InternalIP").address;
  // Readiness of the web pods is read from this ConfigMap: a pod named in `notready` fails its probe.
  await api(h, "POST", `/api/v1/namespaces/${NS}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "readiness" }, data: { notready: "" } });
}, 180_000);

afterAll(() => stopContainerNode(n, NODE), 120_000);

/** The seed's nginx Deployment as busybox httpd; each pod's page is its own name. */
function webDeployment(name: string, replicas: number) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: NS, labels: { app: "nginx" } },
    spec: {
      replicas,
      selector: { matchLabels: { app: "nginx" } },
      template: {
        metadata: { labels: { app: "nginx" } },
        spec: {
          terminationGracePeriodSeconds: 2,
          containers: [
            {
              name: "httpd",
              image,
              command: ["sh", "-c", 'mkdir -p /tmp/www && echo "$POD_NAME" > /tmp/www/index.html && exec httpd -f -p 80 -h /tmp/www'],
              env: [{ name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } }],
              ports: [{ containerPort: 80, name: "http" }],
              readinessProbe: { exec: { command: ["sh", "-c", '! grep -qx "$POD_NAME" /cfg/notready'] }, periodSeconds: 1 },
              volumeMounts: [{ name: "cfg", mountPath: "/cfg" }],
            },
          ],
          volumes: [{ name: "cfg", configMap: { name: "readiness" } }],
        },
      },
    },
  };
}

const get = getOnce;

async function readyPods(count: number): Promise<any[]> {
  return until(`${count} nginx pods Ready`, async () => {
    const list = await podsOf(h, "app=nginx");
    return list.length === count && list.every((p) => readyCondition(p) === "True") ? list : undefined;
  }, 90_000);
}

/** Endpoints' ready addresses, once they are exactly `ips`. */
async function endpointsAre(name: string, ips: string[]): Promise<void> {
  const want = [...ips].sort().join(",");
  await until(`endpoints ${name} = ${want}`, async () => {
    const ep = (await api(h, "GET", `/api/v1/namespaces/${NS}/endpoints/${name}`)).body;
    const got = (ep?.subsets ?? []).flatMap((s: any) => (s.addresses ?? []).map((a: any) => a.ip)).sort().join(",");
    return got === want ? true : undefined;
  }, 30_000);
}

/** A pod that runs `script` once (restartPolicy Never); its phase and output. */
async function runInPod(name: string, script: string): Promise<{ phase: string; log: string }> {
  const body = { apiVersion: "v1", kind: "Pod", metadata: { name, namespace: NS }, spec: { nodeName: NODE, restartPolicy: "Never", terminationGracePeriodSeconds: 1, containers: [{ name: "c", image, command: ["sh", "-c", script] }] } };
  const r = await api(h, "POST", `/api/v1/namespaces/${NS}/pods`, body);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  const phase = await until(`pod ${name} finished`, async () => {
    const p = (await api(h, "GET", `/api/v1/namespaces/${NS}/pods/${name}`)).body;
    return ["Succeeded", "Failed"].includes(p?.status?.phase) ? p.status.phase : undefined;
  }, 60_000);
  const log = String((await api(h, "GET", `/api/v1/namespaces/${NS}/pods/${name}/log`)).body ?? "");
  return { phase, log };
}

let clusterIP: string;
let nodePort: number;

describe("the seed's Service transcript", () => {
  it("kubectl expose deployment --type=NodePort: a cluster IP and node port that answer, also after a pod is deleted", async () => {
    const apply = await kubectl(["apply", "-f", "-"], { stdin: JSON.stringify(webDeployment("nginx-deployment", 3)) });
    expect(apply.code, apply.stderr).toBe(0);
    await readyPods(3);
    expect(await kubectl.ok(["expose", "deployment", "nginx-deployment", "--selector", "app=nginx", "--port=80", "--type=NodePort"])).toBe("service/nginx-deployment exposed\n");
    const svc = table(await kubectl.ok(["get", "svc"]));
    expect(svc.headers).toEqual(["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]);
    expect(rowOf(svc, "kubernetes")).toMatchObject({ TYPE: "ClusterIP", "CLUSTER-IP": "172.26.0.1", "EXTERNAL-IP": "<none>", "PORT(S)": "443/TCP" });
    const row = rowOf(svc, "nginx-deployment");
    expect(row).toMatchObject({ TYPE: "NodePort", "EXTERNAL-IP": "<none>" });
    clusterIP = row["CLUSTER-IP"];
    expect(clusterIP).toMatch(/^172\.26\.(\d|1[0-5])\.\d+$/);
    const m = /^80:(\d+)\/TCP$/.exec(row["PORT(S)"]);
    expect(m).not.toBeNull();
    nodePort = Number(m![1]);
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    expect(nodePort).toBeLessThanOrEqual(32767);

    const pods = await podsOf(h, "app=nginx");
    await endpointsAre("nginx-deployment", pods.map((p) => p.status.podIP));
    // From the node (the host), round robin over the three pods.
    const seen = new Set<string>();
    await until("the ClusterIP answers from every pod", async () => {
      for (let i = 0; i < 6; i++) seen.add(await get(`http://${clusterIP}/`));
      return pods.every((p) => seen.has(p.metadata.name)) ? true : undefined;
    }, 20_000);
    expect([...seen].filter((s) => s.startsWith("ERR"))).toEqual([]);

    const victim = pods[0].metadata.name;
    expect(await kubectl.ok(["delete", "pod", victim])).toBe(`pod "${victim}" deleted\n`);
    const after = await get(`http://${clusterIP}/`);
    expect(after).toMatch(/^nginx-deployment-/);
    expect(after).not.toBe(victim);
    // NODE:NODEPORT from the host.
    expect(await get(`http://${nodeIP}:${nodePort}/`)).toMatch(/^nginx-deployment-/);
    await readyPods(3);
  }, 180_000);

  it("kubectl get endpoints and endpointslices show the ready pods", async () => {
    const pods = await readyPods(3);
    const ips = pods.map((p) => p.status.podIP).sort();
    await endpointsAre("nginx-deployment", ips);
    const ep = table(await kubectl.ok(["get", "endpoints", "nginx-deployment"]));
    expect(ep.headers).toEqual(["NAME", "ENDPOINTS", "AGE"]);
    const shown = rowOf(ep, "nginx-deployment").ENDPOINTS;
    expect(shown).toMatch(/^(\d+\.\d+\.\d+\.\d+:80,){2}\d+\.\d+\.\d+\.\d+:80$/);
    expect(shown.split(",").map((s) => s.replace(/:80$/, "")).sort()).toEqual(ips);
    const slices = table(await kubectl.ok(["get", "endpointslices", "-l", "kubernetes.io/service-name=nginx-deployment"]));
    expect(slices.headers).toEqual(["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"]);
    expect(slices.rows).toHaveLength(1);
    expect(slices.rows[0].NAME).toMatch(/^nginx-deployment-[a-z0-9]{5}$/);
    expect(slices.rows[0]).toMatchObject({ ADDRESSTYPE: "IPv4", PORTS: "80" });
    expect(slices.rows[0].ENDPOINTS.split(",").sort()).toEqual(ips);
  }, 120_000);
});

describe("from inside pods", () => {
  it("reaches the ClusterIP, and the Service by name through the cluster DNS", async () => {
    const byIP = await runInPod("client-ip", `wget -q -O- http://${clusterIP}/`);
    expect(byIP.phase, byIP.log).toBe("Succeeded");
    expect(byIP.log).toMatch(/^nginx-deployment-/);
    // The search domains make `nginx-deployment.default` a name; resolv.conf is the kubelet's.
    const byName = await runInPod("client-dns", "cat /etc/resolv.conf; wget -q -O- http://nginx-deployment.default/");
    expect(byName.phase, byName.log).toBe("Succeeded");
    expect(byName.log).toContain("nameserver 172.26.0.10");
    expect(byName.log).toContain(`search ${NS}.svc.cluster.local svc.cluster.local cluster.local`);
    expect(byName.log).toContain("options ndots:5");
    expect(byName.log).toMatch(/nginx-deployment-\S+\s*$/);
    // The Service's env vars (enableServiceLinks) and the kubernetes Service's.
    const env = await runInPod("client-env", "env");
    expect(env.log).toContain(`NGINX_DEPLOYMENT_SERVICE_HOST=${clusterIP}`);
    expect(env.log).toContain("NGINX_DEPLOYMENT_SERVICE_PORT=80");
    expect(env.log).toContain("KUBERNETES_SERVICE_HOST=172.26.0.1");
    expect(env.log).toContain("KUBERNETES_SERVICE_PORT=443");
  }, 180_000);

  it("DNS: A records of a Service and of a headless Service's pods, SRV for named ports, NXDOMAIN", async () => {
    const headless = { apiVersion: "v1", kind: "Service", metadata: { name: "nginx-headless", namespace: NS }, spec: { clusterIP: "None", selector: { app: "nginx" }, ports: [{ name: "http", port: 80 }] } };
    expect((await api(h, "POST", `/api/v1/namespaces/${NS}/services`, headless)).status).toBe(201);
    const named = { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: NS }, spec: { selector: { app: "nginx" }, ports: [{ name: "http", port: 8078, targetPort: "http" }] } };
    const web = await api(h, "POST", `/api/v1/namespaces/${NS}/services`, named);
    expect(web.status).toBe(201);
    const pods = await readyPods(3);
    await until("headless slices list 3 pods", async () => {
      const list = (await api(h, "GET", `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices?labelSelector=${encodeURIComponent("kubernetes.io/service-name=nginx-headless")}`)).body;
      return (list.items ?? []).flatMap((s: any) => s.endpoints ?? []).length === 3 ? true : undefined;
    }, 30_000);
    const r = await runInPod(
      "client-lookups",
      [
        "nslookup nginx-deployment.default.svc.cluster.local",
        "echo ---",
        "nslookup nginx-headless.default.svc.cluster.local",
        "echo ---",
        "nslookup -type=SRV _http._tcp.web.default.svc.cluster.local",
        "echo ---",
        "nslookup missing.default.svc.cluster.local; echo rc=$?",
        "echo ---",
        // The Service port 8078 goes to the pods' port named http (80), through the proxy.
        `wget -q -O- http://web:8078/`,
      ].join("; "),
    );
    const [svcA, headlessA, srv, missing, viaNamedPort] = r.log.split("---\n");
    expect(svcA).toContain(`Address: ${clusterIP}`);
    for (const p of pods) expect(headlessA).toContain(`Address: ${p.status.podIP}`);
    expect(srv).toMatch(/service = 0 100 8078 web\.default\.svc\.cluster\.local/);
    expect(missing).toContain("NXDOMAIN");
    expect(viaNamedPort.trim()).toMatch(/^nginx-deployment-/);
  }, 180_000);
});

describe("readiness and rotation", () => {
  it("a pod going not-ready leaves the rotation and comes back when ready again", async () => {
    const pods = await readyPods(3);
    const out = pods[0];
    await api(h, "PATCH", `/api/v1/namespaces/${NS}/configmaps/readiness`, { data: { notready: `${out.metadata.name}\n` } }, { "content-type": "application/merge-patch+json" });
    await endpointsAre("nginx-deployment", pods.slice(1).map((p) => p.status.podIP));
    const slice = (await api(h, "GET", `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices?labelSelector=${encodeURIComponent("kubernetes.io/service-name=nginx-deployment")}`)).body.items[0];
    const ep = slice.endpoints.find((e: any) => e.addresses[0] === out.status.podIP);
    expect(ep.conditions).toMatchObject({ ready: false, serving: false, terminating: false });
    // Give the proxy its update (it is pushed by the watch), then no request reaches the pod.
    await new Promise((r) => setTimeout(r, 500));
    const answers: string[] = [];
    for (let i = 0; i < 30; i++) answers.push(await get(`http://${clusterIP}/`));
    expect(answers.filter((a) => a.startsWith("ERR"))).toEqual([]);
    expect(answers).not.toContain(out.metadata.name);
    await api(h, "PATCH", `/api/v1/namespaces/${NS}/configmaps/readiness`, { data: { notready: "" } }, { "content-type": "application/merge-patch+json" });
    await endpointsAre("nginx-deployment", pods.map((p) => p.status.podIP));
    await until("the pod answers again", async () => {
      for (let i = 0; i < 6; i++) if ((await get(`http://${clusterIP}/`)) === out.metadata.name) return true;
      return undefined;
    }, 20_000);
  }, 180_000);

  it("1,000 requests while two pods are deleted: none lost but those in flight on a deleted pod", async () => {
    const pods = await readyPods(3);
    let failures = 0;
    const deleted: string[] = [];
    for (let i = 0; i < 1000; i++) {
      if (i === 200 || i === 600) {
        const victim = pods[deleted.length].metadata.name;
        deleted.push(victim);
        void api(h, "DELETE", `/api/v1/namespaces/${NS}/pods/${victim}`);
      }
      const body = await get(`http://${clusterIP}/`);
      if (body.startsWith("ERR")) failures++;
    }
    console.log(`services e2e: 1,000 sequential requests, ${failures} failed, ${deleted.length} pods deleted during the stream`);
    // Requests are sequential: at most one is in flight when a pod stops; a refused connection is retried on another endpoint.
    expect(failures).toBeLessThanOrEqual(deleted.length);
    await readyPods(3);
  }, 240_000);

  it("sessionAffinity ClientIP keeps a client on one pod", async () => {
    await readyPods(3);
    await api(h, "PATCH", `/api/v1/namespaces/${NS}/services/nginx-deployment`, { spec: { sessionAffinity: "ClientIP" } }, { "content-type": "application/merge-patch+json" });
    const svc = (await api(h, "GET", `/api/v1/namespaces/${NS}/services/nginx-deployment`)).body;
    expect(svc.spec.sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 10800 } });
    // The proxy's update arrives through its watch: wait until two requests in a row agree, then all must.
    await until("affinity in force", async () => ((await get(`http://${clusterIP}/`)) === (await get(`http://${clusterIP}/`)) ? true : undefined), 10_000);
    const answers = new Set<string>();
    for (let i = 0; i < 20; i++) answers.add(await get(`http://${clusterIP}/`));
    expect(answers.size).toBe(1);
    await api(h, "PATCH", `/api/v1/namespaces/${NS}/services/nginx-deployment`, { spec: { sessionAffinity: "None" } }, { "content-type": "application/merge-patch+json" });
  }, 60_000);
});

describe("pods on another machine", () => {
  // A second node on the same machine stands in for another machine: its pods are only reached
  // through its relay, since this node's proxy (which holds the cluster IPs: it started first)
  // sends traffic for another node's endpoints to that node's relay.
  const OTHER = "svcbox2";
  it("a Service whose only pod runs on another node answers through that node's relay", async () => {
    const agent = startAgent(h, n.token, ["--name", OTHER, "--runtime", "docker", "--runtime-endpoint", n.podman.endpoint, "--root-dir", `${h.stateDir}/agent2`, "--proxy-relay-port", "10264", "--sync-frequency", "2s"]);
    try {
      await agent.ready;
      const other = (await api(h, "GET", `/api/v1/nodes/${OTHER}`)).body;
      expect(other.metadata.annotations["proxy.edgeplane.dev/relay-port"]).toBe("10264");
      const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "remote", namespace: NS, labels: { app: "remote" } }, spec: { nodeName: OTHER, terminationGracePeriodSeconds: 1, containers: [{ name: "httpd", image, command: ["sh", "-c", "mkdir -p /tmp/www && echo remote > /tmp/www/index.html && exec httpd -f -p 80 -h /tmp/www"], ports: [{ containerPort: 80 }] }] } };
      expect((await api(h, "POST", `/api/v1/namespaces/${NS}/pods`, pod)).status).toBe(201);
      const svc = await api(h, "POST", `/api/v1/namespaces/${NS}/services`, { apiVersion: "v1", kind: "Service", metadata: { name: "remote", namespace: NS }, spec: { selector: { app: "remote" }, ports: [{ port: 8080, targetPort: 80 }] } });
      expect(svc.status).toBe(201);
      const ip = svc.body.spec.clusterIP;
      await until("the remote pod answers through the ClusterIP", async () => ((await get(`http://${ip}:8080/`)) === "remote" ? true : undefined), 60_000);
      // And from a pod on this node.
      const r = await runInPod("client-remote", `wget -q -O- http://remote:8080/`);
      expect(r.log.trim()).toBe("remote");
    } finally {
      await api(h, "DELETE", `/api/v1/namespaces/${NS}/pods/remote?gracePeriodSeconds=0`);
      await agent.stop();
      await cleanupNode(n.podman, OTHER);
    }
  }, 120_000);
});

describe("the allocator through client-node", () => {
  it("50 Services created at once get 50 cluster IPs and node ports, freed on delete", async () => {
    const core = kubeClient(h).makeApiClient(CoreV1Api);
    const created = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        core.createNamespacedService({ namespace: NS, body: { metadata: { name: `many-${i}` }, spec: { type: "NodePort", selector: { app: `many-${i}` }, ports: [{ port: 80 }] } } }),
      ),
    );
    expect(new Set(created.map((s) => s.spec?.clusterIP)).size).toBe(50);
    expect(new Set(created.map((s) => s.spec?.ports?.[0].nodePort)).size).toBe(50);
    await Promise.all(created.map((s) => core.deleteNamespacedService({ namespace: NS, name: s.metadata!.name! })));
    // A freed node port can be asked for by value again.
    const port = created[0].spec!.ports![0].nodePort!;
    const again = await until("the freed node port is free", async () => {
      try {
        return await core.createNamespacedService({ namespace: NS, body: { metadata: { name: "again" }, spec: { type: "NodePort", selector: { app: "x" }, ports: [{ port: 80, nodePort: port }] } } });
      } catch {
        return undefined;
      }
    }, 10_000);
    expect(again.spec?.ports?.[0].nodePort).toBe(port);
  }, 60_000);
});

describe("--proxy-mode iptables", () => {
  it("the same Services through NAT rules: ClusterIP from the node and from a pod, NodePort from the host; the rules go with the agent", async () => {
    await readyPods(3);
    await n.agent.stop();
    n.agent = startAgent(h, n.token, [...n.agentArgs, "--proxy-mode", "iptables"]);
    await n.agent.ready;
    const rules = () => execFileSync("iptables-save", ["-t", "nat"], { encoding: "utf8" });
    await until("DNAT rules for the Service", async () => (rules().includes(`-d ${clusterIP}/32`) ? true : undefined), 30_000);
    // The cluster IP is no address of the host now: the kernel's NAT answers for it.
    expect(execFileSync("ip", ["-4", "addr", "show", "dev", "lo"], { encoding: "utf8" })).not.toContain(`${clusterIP}/32`);
    await until("the ClusterIP answers", async () => ((await get(`http://${clusterIP}/`)).startsWith("nginx-deployment-") ? true : undefined), 30_000);
    expect(await get(`http://${nodeIP}:${nodePort}/`)).toMatch(/^nginx-deployment-/);
    const r = await runInPod("client-iptables", `wget -q -O- http://${clusterIP}/ && wget -q -O- http://nginx-deployment.default/`);
    expect(r.phase, r.log).toBe("Succeeded");
    expect(r.log.trim().split("\n").every((l) => l.startsWith("nginx-deployment-"))).toBe(true);
    await n.agent.stop();
    expect(rules()).not.toContain("EDGEPLANE-");
  }, 120_000);
});
