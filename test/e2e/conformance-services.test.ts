// Upstream's conformance tests of Services, DNS and EndpointSlices that need a node (test/e2e/network/
// service.go, dns.go, endpointslice.go, service_latency.go; common/node/pods.go's service variables), written from their descriptions against
// a real `edgeplane agent --runtime docker` on Podman: its service proxy and cluster DNS. Upstream
// runs its checks with `kubectl exec` in an exec pod; edgeplane has no pods/exec yet, so the exec pod
// here fetches each script from the test over HTTP and posts its output back. A ReplicaSet of three
// busybox httpd pods answering their hostname stands in for upstream's ReplicationController of
// serve-hostname pods. Each `it` title starts with the upstream testname (docs/conformance.md cites them).
import { createSocket } from "node:dgram";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import dnsPacket from "dns-packet";
import { Watch } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, kubeClient } from "./harness.js";
import { until } from "./helpers.js";
import { createPod, outputOf, podOn, sh, startConformanceNode, stopConformanceNode, type ConformanceNode } from "./conformance-node-helpers.js";

const NODE = "svcconf";
const NS = "default";
const HOSTNAMES = { app: "hostnames" };
const EXTERNAL_FQDN = `externalsvc.${NS}.svc.cluster.local`;
const CLUSTER_DNS = "172.23.0.10";
const WEB_PORTS = [{ name: "http", port: 80, protocol: "TCP", targetPort: 9376 }];
let n: ConformanceNode;
let img: string;
let nodeIPs: string[];
let exec: Awaited<ReturnType<typeof startExecServer>>;
let execIP: string;

/** The test's side of the exec pod: scripts queued by run(), fetched by the pod's loop, their output posted back. */
async function startExecServer() {
  const jobs: string[] = [];
  const waiting = new Map<number, (out: string) => void>();
  const server = createServer(async (req, res) => {
    if (req.url === "/next") return void (jobs.length ? res.end(jobs.shift()) : res.writeHead(404).end());
    let body = "";
    for await (const chunk of req) body += chunk;
    res.end();
    waiting.get(Number(req.url?.split("/").pop()))?.(body);
  });
  await new Promise<void>((r) => server.listen(0, "0.0.0.0", r));
  let next = 1;
  return {
    port: (server.address() as AddressInfo).port,
    close: () => server.close(),
    run(script: string, ms = 60_000): Promise<string> {
      const id = next++;
      jobs.push(`#${id}\n${PRELUDE}\n${script}\n`);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`exec pod: no answer within ${ms / 1000}s to: ${script}`)), ms);
        waiting.set(id, (out) => (clearTimeout(timer), resolve(out)));
      });
    },
  };
}

/** Shell functions for the scripts: get URL (its body or ERR), resolve NAME through libc (its first address), srv NAME. */
const PRELUDE = [
  `get() { timeout 5 wget -q -O- "$1" 2>/dev/null || echo ERR; }`,
  `resolve() { timeout 5 wget -O /dev/null "http://$1:1/" 2>&1 | sed -n 's/^Connecting to [^ ]* (\\(.*\\):1)$/\\1/p'; }`,
  // busybox nslookup applies no search list to a name with a dot (dig +search does): walk the pod's own.
  `srv() { for d in $(sed -n 's/^search //p' /etc/resolv.conf); do out=$(nslookup -type=SRV "$1.$d" 2>&1); if echo "$out" | grep -q "service = "; then echo "$out"; return; fi; done; echo "no SRV for $1"; }`,
].join("\n");

/** Runs `script` in the exec pod until `check(output)` gives a value. */
const untilExec = <T>(what: string, script: string, check: (out: string) => T | undefined, ms = 30_000) => until(what, async () => check(await exec.run(script)), ms);
const lines = (out: string) => out.split("\n").filter((l) => l && !l.startsWith("rc="));
/** DNS over TCP from the exec pod (busybox nslookup asks over UDP only): the test's queries, sent by nc; the answers. */
async function askOverTcp(questions: Array<{ name: string; type: "A" | "SRV" | "PTR" | "CNAME" }>): Promise<Array<Array<{ data: any }>>> {
  const query = Buffer.concat(questions.map((q, i) => dnsPacket.streamEncode({ type: "query", id: i + 1, flags: dnsPacket.RECURSION_DESIRED, questions: [q] })));
  const out = await exec.run(`echo ${query.toString("base64")} | base64 -d > /tmp/q; (cat /tmp/q; sleep 1) | timeout 3 nc ${CLUSTER_DNS} 53 | base64`);
  const buf = Buffer.from(lines(out).join(""), "base64");
  const answers: Array<Array<{ data: any }>> = [];
  for (let at = 0; at + 2 <= buf.length; at += 2 + buf.readUInt16BE(at)) {
    const m = dnsPacket.decode(buf.subarray(at + 2, at + 2 + buf.readUInt16BE(at)));
    answers[(m.id ?? 0) - 1] = (m.answers ?? []) as any;
  }
  return answers;
}

/** `count` GETs of `url`, one connection each: the answering pods' names (ERR for a failure). */
const fetchMany = async (url: string, count = 15) => lines(await exec.run(`for i in $(seq 1 ${count}); do get ${url}; done`));

async function createSvc(name: string, spec: Record<string, unknown>, labels?: Record<string, string>): Promise<any> {
  const r = await api(n.h, "POST", `/api/v1/namespaces/${NS}/services`, { apiVersion: "v1", kind: "Service", metadata: { name, labels }, spec });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body;
}

/** GET, change, PUT (upstream's jig.UpdateService). */
async function updateSvc(name: string, change: (s: any) => void): Promise<any> {
  const s = (await api(n.h, "GET", `/api/v1/namespaces/${NS}/services/${name}`)).body;
  change(s);
  const r = await api(n.h, "PUT", `/api/v1/namespaces/${NS}/services/${name}`, s);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body;
}

const inServiceRange = (ip: string) => expect(ip).toMatch(/^172\.23\.([0-9]|1[0-5])\.\d+$/);
const hostnamePods = async (): Promise<any[]> => (await api(n.h, "GET", `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dhostnames`)).body.items;

/** Each URL answers, from one of the hostnames pods. */
async function reachable(urls: string[]): Promise<void> {
  const pods = (await hostnamePods()).map((p) => p.metadata.name);
  await untilExec(`${urls.join(", ")} answer`, urls.map((u) => `get ${u}`).join("; "), (out) => (lines(out).length === urls.length && lines(out).every((l) => pods.includes(l)) ? true : undefined));
}

/** Waits for a round of requests that all succeed, then expects them all answered by one pod. */
async function sticksToOnePod(url: string): Promise<void> {
  const answers = await until(`${url}: 15 answers`, async () => ((await fetchMany(url)).filter((a) => a !== "ERR").length === 15 ? fetchMany(url) : undefined), 30_000);
  expect(new Set(answers).size, answers.join(" ")).toBe(1);
}

/** A Service over the hostnames pods with ClientIP affinity, reached by name and address (and node port): the last URL. */
async function affinityService(name: string, type: "ClusterIP" | "NodePort"): Promise<string> {
  const svc = await createSvc(name, { type, selector: HOSTNAMES, ports: WEB_PORTS, sessionAffinity: "ClientIP" });
  inServiceRange(svc.spec.clusterIP);
  const urls = [`http://${name}:80/`, `http://${svc.spec.clusterIP}:80/`, ...(type === "NodePort" ? nodeIPs.map((ip) => `http://${ip}:${svc.spec.ports[0].nodePort}/`) : [])];
  await reachable(urls);
  return urls[urls.length - 1];
}

/** Affinity None spreads the requests over the pods; ClientIP again keeps them on one. */
async function switchAffinity(name: string, url: string): Promise<void> {
  expect((await updateSvc(name, (s) => (s.spec.sessionAffinity = "None"))).spec.sessionAffinity).toBe("None");
  await until(`${url} answered by more than one pod`, async () => (new Set((await fetchMany(url)).filter((a) => a !== "ERR")).size > 1 ? true : undefined), 30_000);
  await updateSvc(name, (s) => (s.spec.sessionAffinity = "ClientIP"));
  await until("ClientIP in force again", async () => (new Set(await fetchMany(url, 6)).size === 1 ? true : undefined), 30_000);
  await sticksToOnePod(url);
}

/** The ExternalName Service `name` resolves through a CNAME to externalsvc's cluster IP. */
const resolvesToExternal = (name: string, external: any) =>
  untilExec(`${name} resolves to externalsvc`, `nslookup ${name}.${NS}.svc.cluster.local`, (out) => (out.includes(`canonical name = ${EXTERNAL_FQDN}`) && out.includes(`Address: ${external.spec.clusterIP}`) ? true : undefined));

let externalSvc: Promise<any> | undefined;
/** The ClusterIP Service that upstream's ExternalName Services point to. */
const ensureExternalSvc = () => (externalSvc ??= createSvc("externalsvc", { selector: HOSTNAMES, ports: WEB_PORTS }));

beforeAll(async () => {
  n = await startConformanceNode(NODE, "10.247.0.0/16");
  img = n.image;
  const node = (await api(n.h, "GET", `/api/v1/nodes/${NODE}`)).body;
  nodeIPs = node.status.addresses.filter((a: any) => a.type === "InternalIP" || a.type === "ExternalIP").map((a: any) => a.address);
  exec = await startExecServer();
  const base = `http://${nodeIPs[0]}:${exec.port}`;
  const loop = `while true; do if wget -q -O /tmp/job ${base}/next 2>/dev/null; then id=$(head -1 /tmp/job | tr -d "#"); sh /tmp/job > /tmp/out 2>&1; echo "rc=$?" >> /tmp/out; wget -q -O /dev/null --post-file /tmp/out ${base}/result/$id; else sleep 0.2; fi; done`;
  const serveHostname = sh(img, "serve-hostname", "mkdir -p /w && hostname > /w/index.html && exec httpd -f -p 9376 -h /w", { ports: [{ containerPort: 9376, name: "http" }] });
  const template = { metadata: { labels: HOSTNAMES }, spec: { terminationGracePeriodSeconds: 1, containers: [serveHostname] } };
  const rs = { apiVersion: "apps/v1", kind: "ReplicaSet", metadata: { name: "hostnames" }, spec: { replicas: 3, selector: { matchLabels: HOSTNAMES }, template } };
  expect((await api(n.h, "POST", `/apis/apps/v1/namespaces/${NS}/replicasets`, rs)).status).toBe(201);
  // The exec pod is also upstream's DNS querier, with a hostname and a subdomain of its own.
  await createPod(n.h, podOn(NODE, "execpod", [sh(img, "c", loop)], { restartPolicy: "Always", hostname: "dns-querier-1", subdomain: "dns-test-service" }, { labels: { "dns-test": "true" } }));
  const dnsConfig = { dnsPolicy: "None", dnsConfig: { nameservers: ["1.1.1.1"], searches: ["resolv.conf.local"] } };
  await createPod(n.h, podOn(NODE, "dns-custom", [sh(img, "c", "cat /etc/resolv.conf")], dnsConfig));
  await exec.run("true", 90_000);
  execIP = await n.pods.until("execpod", "a pod IP", (p) => p.status?.podIP);
  await n.pods.untilAll("app=hostnames", 3, (p) => p.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True"), 90_000);
}, 180_000);

afterAll(async () => {
  exec?.close();
  await stopConformanceNode(n, NODE);
}, 120_000);

/** What the Endpoints (once they exist) and the EndpointSlices of a Service serve: `pod:port` of ready endpoints, sorted. */
async function served(svc: string): Promise<{ endpoints: string[]; slices: string[] } | undefined> {
  const ep = await api(n.h, "GET", `/api/v1/namespaces/${NS}/endpoints/${svc}`);
  if (ep.status !== 200) return undefined;
  const endpoints = (ep.body.subsets ?? []).flatMap((s: any) => (s.addresses ?? []).flatMap((a: any) => s.ports.map((p: any) => `${a.targetRef.name}:${p.port}`)));
  const slices = (await slicesOf(svc)).flatMap((s: any) => s.endpoints.filter((e: any) => e.conditions.ready).flatMap((e: any) => (s.ports ?? []).map((p: any) => `${e.targetRef.name}:${p.port}`)));
  return { endpoints: endpoints.sort(), slices: slices.sort() };
}

const slicesOf = async (svc: string) => (await api(n.h, "GET", `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3D${svc}`)).body.items;
const servedAre = (svc: string, want: string[]) =>
  until(`${svc} serves ${want.join(",") || "nothing"}`, async () => {
    const got = await served(svc);
    return JSON.stringify(got) === JSON.stringify({ endpoints: [...want].sort(), slices: [...want].sort() }) ? got : undefined;
  }, 30_000);

/** A pod that sleeps until it is stopped, with `ports`, selected by `labels`. */
const sleeper = (name: string, labels: Record<string, string>, ports: any[]) => createPod(n.h, podOn(NODE, name, [sh(img, "c", 'trap "exit 0" TERM; sleep 3600 & wait', { ports })], {}, { labels }));

/** Two pods join the Service one after the other, then leave (`leaving` first); it serves nothing before and after. */
async function podsComeAndGo(svc: string, labels: Record<string, string>, pods: Array<{ name: string; ports: any[]; serves: string }>, leaving: 0 | 1): Promise<void> {
  const serving: string[] = [];
  await servedAre(svc, serving);
  for (const p of pods) {
    await sleeper(p.name, labels, p.ports);
    await servedAre(svc, serving.concat(p.serves));
    serving.push(p.serves);
  }
  for (const p of [pods[leaving], pods[1 - leaving]]) {
    await api(n.h, "DELETE", `/api/v1/namespaces/${NS}/pods/${p.name}`);
    serving.splice(serving.indexOf(p.serves), 1);
    await servedAre(svc, serving);
  }
}

describe("Services", () => {
  it("Service, endpoints: none before any pod, each pod's port as pods come and go, none at the end", async () => {
    await createSvc("endpoint-test2", { selector: { "ep-test": "basic" }, ports: [{ port: 80, targetPort: 80 }] });
    const pods = ["pod1", "pod2"].map((name) => ({ name, ports: [{ containerPort: 80 }], serves: `${name}:80` }));
    await podsComeAndGo("endpoint-test2", { "ep-test": "basic" }, pods, 1);
  }, 90_000);

  it("Service, endpoints with multiple ports: each pod on the port its named target port resolves to", async () => {
    const ports = [{ name: "portname1", port: 80, targetPort: "svc1" }, { name: "portname2", port: 81, targetPort: "svc2" }];
    await createSvc("multi-endpoint-test", { selector: { "ep-test": "multi" }, ports });
    const pods = [1, 2].map((i) => ({ name: `pod-multi${i}`, ports: [{ name: `svc${i}`, containerPort: 99 + i }], serves: `pod-multi${i}:${99 + i}` }));
    await podsComeAndGo("multi-endpoint-test", { "ep-test": "multi" }, pods, 0);
  }, 90_000);

  it("Service, NodePort Service: a client pod reaches it by name and cluster IP on the service port, and on the node's addresses on the node port", async () => {
    const svc = await createSvc("nodeport-test", { type: "NodePort", selector: HOSTNAMES, ports: WEB_PORTS });
    inServiceRange(svc.spec.clusterIP);
    const nodePort = svc.spec.ports[0].nodePort;
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    expect(nodePort).toBeLessThanOrEqual(32767);
    await reachable(["http://nodeport-test:80/", `http://${svc.spec.clusterIP}:80/`, ...nodeIPs.map((ip) => `http://${ip}:${nodePort}/`)]);
  }, 60_000);

  it("Service, change type, ClusterIP to ExternalName: the cluster IP is dropped and the name resolves, through a CNAME, to the external name's address", async () => {
    const external = await ensureExternalSvc();
    inServiceRange((await createSvc("clusterip-service", { selector: HOSTNAMES, ports: WEB_PORTS })).spec.clusterIP);
    const svc = await updateSvc("clusterip-service", (s) => Object.assign(s.spec, { type: "ExternalName", externalName: EXTERNAL_FQDN }));
    expect(svc.spec.clusterIP ?? "").toBe("");
    expect(svc.spec.clusterIPs ?? []).toEqual([]);
    await resolvesToExternal("clusterip-service", external);
  }, 60_000);

  it("Service, change type, ExternalName to ClusterIP: no cluster IP until the type changes; then one, reachable by name and address", async () => {
    await ensureExternalSvc();
    expect((await createSvc("externalname-service", { type: "ExternalName", externalName: EXTERNAL_FQDN })).spec.clusterIP ?? "").toBe("");
    const svc = await updateSvc("externalname-service", (s) => Object.assign(s.spec, { type: "ClusterIP", externalName: undefined, selector: HOSTNAMES, ports: WEB_PORTS }));
    inServiceRange(svc.spec.clusterIP);
    await reachable(["http://externalname-service:80/", `http://${svc.spec.clusterIP}:80/`]);
  }, 60_000);

  it("Service, change type, ExternalName to NodePort: a cluster IP and a node port, reachable by name, address and the node's addresses", async () => {
    await ensureExternalSvc();
    expect((await createSvc("externalname-nodeport", { type: "ExternalName", externalName: EXTERNAL_FQDN })).spec.clusterIP ?? "").toBe("");
    const svc = await updateSvc("externalname-nodeport", (s) => Object.assign(s.spec, { type: "NodePort", externalName: undefined, selector: HOSTNAMES, ports: WEB_PORTS }));
    inServiceRange(svc.spec.clusterIP);
    const nodePort = svc.spec.ports[0].nodePort;
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    await reachable(["http://externalname-nodeport:80/", `http://${svc.spec.clusterIP}:80/`, ...nodeIPs.map((ip) => `http://${ip}:${nodePort}/`)]);
  }, 60_000);

  it("Service, change type, NodePort to ExternalName: cluster IP and node port dropped, the port released, the name resolves through a CNAME", async () => {
    const external = await ensureExternalSvc();
    const created = await createSvc("nodeport-service", { type: "NodePort", selector: HOSTNAMES, ports: WEB_PORTS });
    const nodePort = created.spec.ports[0].nodePort;
    await reachable([`http://${nodeIPs[0]}:${nodePort}/`]);
    const svc = await updateSvc("nodeport-service", (s) => Object.assign(s.spec, { type: "ExternalName", externalName: EXTERNAL_FQDN }));
    expect(svc.spec.clusterIP ?? "").toBe("");
    expect(svc.spec.ports.map((p: any) => p.nodePort)).toEqual([undefined]);
    // Released: another Service can have that node port (the namespace store gives it back after the write).
    const reuse = { apiVersion: "v1", kind: "Service", metadata: { name: "nodeport-reuse" }, spec: { type: "NodePort", selector: { app: "none" }, ports: [{ port: 80, nodePort }] } };
    await until(`node port ${nodePort} free again`, async () => ((await api(n.h, "POST", `/api/v1/namespaces/${NS}/services`, reuse)).status === 201 ? true : undefined));
    await resolvesToExternal("nodeport-service", external);
  }, 60_000);

  it("Service, ClusterIP type, session affinity to ClientIP: every request from the client pod reaches the same pod", async () => {
    await sticksToOnePod(await affinityService("affinity-clusterip", "ClusterIP"));
  }, 60_000);

  it("Service, ClusterIP type, session affinity to None: after the switch to None requests spread over the pods; back to ClientIP they stick to one", async () => {
    const url = await affinityService("affinity-clusterip-transition", "ClusterIP");
    await sticksToOnePod(url);
    await switchAffinity("affinity-clusterip-transition", url);
  }, 90_000);

  it("Service, NodePort type, session affinity to ClientIP: every request to the node port reaches the same pod", async () => {
    await sticksToOnePod(await affinityService("affinity-nodeport", "NodePort"));
  }, 60_000);

  it("Service, NodePort type, session affinity to None: on the node port, None spreads requests and ClientIP again sticks", async () => {
    const url = await affinityService("affinity-nodeport-transition", "NodePort");
    await sticksToOnePod(url);
    await switchAffinity("affinity-nodeport-transition", url);
  }, 90_000);

  it("Service, should serve endpoints on same port and different protocols.: TCP and UDP on port 80 both forwarded; then only the one the Service keeps", async () => {
    // busybox has no UDP server: the endpoint is the node itself (a Service without selector and its
    // Endpoints), where the test answers HTTP and DNS on one port number; nslookup is the UDP client.
    const web = createServer((_req, res) => res.end("tcp\n"));
    await new Promise<void>((r) => web.listen(0, "0.0.0.0", r));
    const port = (web.address() as { port: number }).port;
    const udp = createSocket("udp4").on("message", (msg, from) => {
      const { id, questions } = dnsPacket.decode(msg);
      const answers = questions?.[0]?.type === "A" ? [{ type: "A" as const, name: questions[0].name, data: "192.0.2.53" }] : [];
      udp.send(dnsPacket.encode({ id, type: "response", flags: dnsPacket.AUTHORITATIVE_ANSWER, questions, answers }), from.port, from.address);
    });
    await new Promise<void>((r) => udp.bind(port, "0.0.0.0", r));
    try {
      const both = [{ name: "tcp-port", port: 80, protocol: "TCP", targetPort: port }, { name: "udp-port", port: 80, protocol: "UDP", targetPort: port }];
      const svc = await createSvc("multiprotocol-test", { ports: both });
      const endpoints = { apiVersion: "v1", kind: "Endpoints", metadata: { name: "multiprotocol-test" }, subsets: [{ addresses: [{ ip: nodeIPs[0] }], ports: both.map(({ name, protocol }) => ({ name, protocol, port })) }] };
      expect((await api(n.h, "POST", `/api/v1/namespaces/${NS}/endpoints`, endpoints)).status).toBe(201);
      const ip = svc.spec.clusterIP;
      const probe = `get http://${ip}:80/; nslookup -timeout=2 -retry=1 probe.test ${ip}:80 >/dev/null 2>&1 && echo udp || echo no-udp`;
      const answers = (want: string) => untilExec(`${ip}:80 answers ${want}`, probe, (out) => (lines(out).join(" ") === want ? true : undefined));
      await answers("tcp udp");
      await updateSvc("multiprotocol-test", (s) => (s.spec.ports = s.spec.ports.filter((p: any) => p.protocol === "TCP")));
      await answers("tcp no-udp");
      await updateSvc("multiprotocol-test", (s) => (s.spec.ports = [{ name: "udp-port", port: 80, protocol: "UDP", targetPort: port }]));
      await answers("ERR udp");
    } finally {
      web.close();
      udp.close();
    }
  }, 90_000);
});

describe("DNS", () => {
  let dnsServices: Promise<{ clusterIP: string; podIPs: string[] }> | undefined;
  /** A headless and a normal Service over the hostnames pods, with a named port. */
  const ensureDnsServices = () =>
    (dnsServices ??= (async () => {
      await createSvc("dns-test-headless", { clusterIP: "None", selector: HOSTNAMES, ports: WEB_PORTS });
      const svc = await createSvc("dns-test-service-2", { selector: HOSTNAMES, ports: WEB_PORTS });
      return { clusterIP: svc.spec.clusterIP, podIPs: (await hostnamePods()).map((p) => p.status.podIP).sort() };
    })());
  let querierService: Promise<any> | undefined;
  const ensureQuerierService = () => (querierService ??= createSvc("dns-test-service", { clusterIP: "None", selector: { "dns-test": "true" }, ports: [{ name: "http", port: 80 }] }));
  const QUERIER_FQDN = `dns-querier-1.dns-test-service.${NS}.svc.cluster.local`;
  const addresses = (out: string) => [...out.matchAll(/^Address: (\S+)$/gm)].map((m) => m[1]).sort();

  it("DNS, cluster: the pod's /etc/hosts resolves its hostname and fully qualified name", async () => {
    const out = await exec.run(`hostname; echo ---; cat /etc/hosts; echo ---; resolve dns-querier-1; resolve ${QUERIER_FQDN}`);
    const [hostname, hosts, resolved] = out.split("---\n");
    expect(hostname.trim()).toBe("dns-querier-1");
    expect(hosts).toContain(`${execIP}\t${QUERIER_FQDN}\tdns-querier-1\n`);
    expect(lines(resolved)).toEqual([execIP, execIP]);
  });

  it("DNS, cluster: kubernetes.default, .svc and the full name resolve through the cluster DNS (UDP and TCP), and so does the pod's own A record", async () => {
    const k = (await api(n.h, "GET", `/api/v1/namespaces/${NS}/services/kubernetes`)).body.spec.clusterIP;
    const podName = `${execIP.replace(/\./g, "-")}.${NS}.pod.cluster.local`;
    const out = await exec.run(`resolve kubernetes.default; resolve kubernetes.default.svc; echo ---; nslookup kubernetes.default.svc.cluster.local; echo ---; nslookup ${podName}`);
    const [pqdn, fqdn, pod] = out.split("---\n");
    expect(lines(pqdn)).toEqual([k, k]);
    expect(addresses(fqdn)).toEqual([k]);
    expect(addresses(pod)).toEqual([execIP]);
    const tcp = await askOverTcp([{ name: "kubernetes.default.svc.cluster.local", type: "A" }, { name: podName, type: "A" }]);
    expect(tcp.map((a) => a.map((r) => r.data))).toEqual([[k], [execIP]]);
  });

  it("DNS, services: a normal Service's A, SRV and PTR records, a headless Service's A and SRV records of its endpoints, over UDP and TCP", async () => {
    const { clusterIP, podIPs } = await ensureDnsServices();
    const [svcName, headlessName] = ["dns-test-service-2", "dns-test-headless"].map((x) => `${x}.${NS}.svc.cluster.local`);
    // A headless Service's SRV records carry the endpoints' port (CoreDNS's too).
    const headlessTargets = podIPs.map((ip) => `9376 ${ip.replace(/\./g, "-")}.${headlessName}`).sort();
    const script = [`nslookup ${svcName}`, `nslookup ${headlessName}`, `nslookup -type=SRV _http._tcp.${svcName}`, `nslookup -type=SRV _http._tcp.${headlessName}`, `nslookup ${clusterIP}`].join("; echo ---; ");
    const [a, headlessA, srv, headlessSrv, ptr] = await untilExec("the records of both Services", script, (out) => (addresses(out.split("---\n")[1]).length === 3 ? out.split("---\n") : undefined));
    expect(addresses(a)).toEqual([clusterIP]);
    expect(addresses(headlessA)).toEqual(podIPs);
    expect(srv).toContain(`service = 0 100 80 ${svcName}`);
    for (const t of headlessTargets) expect(headlessSrv).toContain(t);
    expect(ptr).toContain(`name = ${svcName}`);
    const questions = [svcName, headlessName].flatMap((x) => [{ name: x, type: "A" as const }, { name: `_http._tcp.${x}`, type: "SRV" as const }]);
    const tcp = await askOverTcp([...questions, { name: `${clusterIP.split(".").reverse().join(".")}.in-addr.arpa`, type: "PTR" }]);
    const [tcpA, tcpSrv, tcpHeadlessA, tcpHeadlessSrv, tcpPtr] = tcp.map((x) => x.map((r) => r.data));
    expect(tcpA).toEqual([clusterIP]);
    expect([...tcpHeadlessA].sort()).toEqual(podIPs);
    expect(tcpSrv).toEqual([expect.objectContaining({ port: 80, target: svcName })]);
    expect(tcpHeadlessSrv.map((r: any) => `${r.port} ${r.target}`).sort()).toEqual(headlessTargets);
    expect(tcpPtr).toEqual([svcName]);
  });

  it("DNS, PQDN for services: <svc>.<ns> and <svc>.<ns>.svc give A records, _http._tcp.<svc>.<ns>(.svc) SRV records, for both Services", async () => {
    const { clusterIP, podIPs } = await ensureDnsServices();
    const names = ["dns-test-service-2", "dns-test-headless"].flatMap((s) => [`${s}.${NS}`, `${s}.${NS}.svc`]);
    const script = `${names.map((x) => `resolve ${x}`).join("; ")}; echo ---; ${names.map((x) => `srv _http._tcp.${x}`).join("; ")}`;
    const [a, srv] = await untilExec("partial names", script, (out) => (lines(out.split("---\n")[0]).length === 4 ? out.split("---\n") : undefined));
    const [svcA, svcSvcA, headlessA, headlessSvcA] = lines(a);
    expect([svcA, svcSvcA]).toEqual([clusterIP, clusterIP]);
    expect(podIPs).toContain(headlessA);
    expect(podIPs).toContain(headlessSvcA);
    expect(srv.match(/service = 0 100 80 dns-test-service-2\./g)).toHaveLength(2);
    for (const ip of podIPs) expect(srv.match(new RegExp(`9376 ${ip.replace(/\./g, "-")}\\.dns-test-headless\\.`, "g"))).toHaveLength(2);
  });

  it("DNS, resolve the hostname: with a headless Service for its subdomain, the pod's fully qualified name has an A record; its hostname is in /etc/hosts", async () => {
    await ensureQuerierService();
    const [fqdn, host] = await untilExec(`${QUERIER_FQDN} resolves`, `nslookup ${QUERIER_FQDN}; echo ---; resolve dns-querier-1`, (out) => (out.includes(`Address: ${execIP}`) ? out.split("---\n") : undefined));
    expect(addresses(fqdn)).toEqual([execIP]);
    expect(lines(host)).toEqual([execIP]);
  });

  it("DNS, resolve the subdomain: the pod's fully qualified name and its subdomain (the headless Service) have its A record", async () => {
    await ensureQuerierService();
    const script = `nslookup ${QUERIER_FQDN}; echo ---; nslookup dns-test-service.${NS}.svc.cluster.local`;
    const [fqdn, subdomain] = await untilExec("the subdomain resolves", script, (out) => (out.split("---\n")[1].includes(`Address: ${execIP}`) ? out.split("---\n") : undefined));
    expect(addresses(fqdn)).toEqual([execIP]);
    expect(addresses(subdomain)).toEqual([execIP]);
  });

  it("DNS, for ExternalName Services: a CNAME to the external name, following its change; A records once the Service is ClusterIP", async () => {
    const name = `dns-test-service-3.${NS}.svc.cluster.local`;
    await createSvc("dns-test-service-3", { type: "ExternalName", externalName: "foo.example.com" });
    await untilExec("CNAME foo.example.com", `nslookup -type=CNAME ${name}`, (out) => (out.includes("canonical name = foo.example.com") ? true : undefined));
    await updateSvc("dns-test-service-3", (s) => (s.spec.externalName = "bar.example.com"));
    await untilExec("CNAME bar.example.com", `nslookup -type=CNAME ${name}`, (out) => (out.includes("canonical name = bar.example.com") ? true : undefined));
    expect((await askOverTcp([{ name, type: "CNAME" }]))[0].map((r) => r.data)).toEqual(["bar.example.com"]);
    const svc = await updateSvc("dns-test-service-3", (s) => Object.assign(s.spec, { type: "ClusterIP", externalName: undefined, ports: [{ name: "http", port: 80, protocol: "TCP" }] }));
    inServiceRange(svc.spec.clusterIP);
    const out = await untilExec("an A record", `nslookup ${name}`, (o) => (o.includes(`Address: ${svc.spec.clusterIP}`) ? o : undefined));
    expect(addresses(out)).toEqual([svc.spec.clusterIP]);
    expect(out).not.toContain("canonical name");
  });

  it("DNS, custom dnsConfig: with dnsPolicy None the pod's resolv.conf holds exactly the given nameserver and search path", async () => {
    const conf = await outputOf(n, "dns-custom", "c");
    expect(lines(conf)).toEqual(["search resolv.conf.local", "nameserver 1.1.1.1"]);
  });
});

describe("EndpointSlice", () => {
  it("EndpointSlice API: Endpoints and EndpointSlices for the running pods each Service selects, on the port each pod gives its target port", async () => {
    await sleeper("es-pod1", { pod1: "on", shared12: "on" }, [{ name: "example-name", containerPort: 3000 }]);
    await sleeper("es-pod2", { pod2: "on", shared12: "on" }, [{ name: "example-name", containerPort: 3001 }]);
    const int = await createSvc("example-int-port", { selector: { pod1: "on" }, ports: [{ name: "example", port: 80, targetPort: 3000 }] });
    const named = await createSvc("example-named-port", { selector: { shared12: "on" }, ports: [{ name: "http", port: 80, targetPort: "example-name" }] });
    await createSvc("example-no-match", { selector: { pod3: "on" }, ports: [{ name: "example-no-match", port: 80, targetPort: 8080 }] });
    await servedAre("example-int-port", ["es-pod1:3000"]);
    await servedAre("example-named-port", ["es-pod1:3000", "es-pod2:3001"]);
    await servedAre("example-no-match", []);
    for (const svc of [int, named]) {
      for (const s of await slicesOf(svc.metadata.name)) {
        const owner = { kind: "Service", name: svc.metadata.name, uid: svc.metadata.uid, controller: true };
        expect(s).toMatchObject({ addressType: "IPv4", metadata: { labels: { "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io" }, ownerReferences: [owner] } });
        for (const e of s.endpoints) {
          const pod = n.pods.get(e.targetRef.name);
          expect(e).toMatchObject({ addresses: [pod.status.podIP], nodeName: NODE, targetRef: { kind: "Pod", namespace: NS, uid: pod.metadata.uid } });
        }
      }
    }
    // Each port number is its own slice; the Service that selects nothing has one slice, empty.
    expect((await slicesOf("example-named-port")).map((s: any) => s.ports[0].port).sort()).toEqual([3000, 3001]);
    expect((await slicesOf("example-no-match")).map((s: any) => s.endpoints.length)).toEqual([0]);
  }, 60_000);
});

describe("Pods", () => {
  it("Pods, service environment variables: a pod created after fooservice has its seven variables", async () => {
    const svc = await createSvc("fooservice", { selector: HOSTNAMES, ports: [{ port: 8765, targetPort: 8080 }] });
    // The kubelet writes the variables of the Services it knows: wait until the node's DNS (the same watch) has it.
    await untilExec("the node knows fooservice", `nslookup fooservice.${NS}.svc.cluster.local`, (out) => (out.includes(`Address: ${svc.spec.clusterIP}`) ? true : undefined));
    await createPod(n.h, podOn(NODE, "client-envvars", [sh(img, "env3cont", "env | grep ^FOOSERVICE_ | sort")]));
    const ip = svc.spec.clusterIP;
    const want = [`PORT=tcp://${ip}:8765`, `PORT_8765_TCP=tcp://${ip}:8765`, `PORT_8765_TCP_ADDR=${ip}`, "PORT_8765_TCP_PORT=8765", "PORT_8765_TCP_PROTO=tcp", `SERVICE_HOST=${ip}`, "SERVICE_PORT=8765"];
    expect(lines(await outputOf(n, "client-envvars", "env3cont"))).toEqual(want.map((v) => `FOOSERVICE_${v}`));
  }, 60_000);
});

describe("Service endpoint latency", () => {
  it("Service endpoint latency, thresholds: 100 Services over a running pod have Endpoints within 20 s at the 50th and 50 s at the 90th percentile", async () => {
    const created = new Map<string, number>();
    const latencies = new Map<string, number>();
    const ctl = await new Watch(kubeClient(n.h)).watch(`/api/v1/namespaces/${NS}/endpoints`, {}, (_type, ep: any) => {
      const start = created.get(ep.metadata.name);
      if (start !== undefined && !latencies.has(ep.metadata.name) && ep.subsets?.[0]?.addresses?.length) latencies.set(ep.metadata.name, Date.now() - start);
    }, () => {});
    try {
      const names = Array.from({ length: 100 }, (_, i) => `latency-svc-${i}`);
      // Ten at a time (upstream runs its trials in parallel too).
      for (let i = 0; i < names.length; i += 10) await Promise.all(names.slice(i, i + 10).map((name) => (created.set(name, Date.now()), createSvc(name, { selector: HOSTNAMES, ports: WEB_PORTS }, { "svc-latency": "test" }))));
      await until("every latency Service has Endpoints", async () => (latencies.size === names.length ? true : undefined), 60_000);
    } finally {
      ctl.abort();
      await api(n.h, "DELETE", `/api/v1/namespaces/${NS}/services?labelSelector=svc-latency%3Dtest`);
    }
    const sorted = [...latencies.values()].sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
    console.log(`Service endpoint latency: 50th ${pct(50)} ms, 90th ${pct(90)} ms, 99th ${pct(99)} ms (100 Services)`);
    expect(pct(50)).toBeLessThan(20_000);
    expect(pct(90)).toBeLessThan(50_000);
  }, 120_000);
});
