// The iptables mode: the generated script checked rule by rule, and (as root, where network
// namespaces and iptables work) applied in a fresh namespace with real connections through it.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Service } from "../../src/apis/core/v1/service.js";
import { SERVICE_NAME_LABEL, type EndpointSlice } from "../../src/apis/discovery/v1/endpointslice.js";
import { applyIptablesRules, cleanupIptablesRules, endpointChain, externalChain, iptablesRestoreScript, listChains, serviceChain } from "./iptables.js";
import { planServicePorts, type ServicePortPlan } from "./plan.js";

function svc(name: string, clusterIP: string, spec: Partial<Service["spec"]> = {}): Service {
  return { metadata: { name, namespace: "default" }, spec: { type: "ClusterIP", sessionAffinity: "None", clusterIP, ports: [{ name: "http", protocol: "TCP", port: 80 }], ...spec } } as Service;
}
function slice(service: string, ips: string[], port = 8080, nodeName = "n1"): EndpointSlice {
  return {
    metadata: { name: `${service}-1`, namespace: "default", labels: { [SERVICE_NAME_LABEL]: service } },
    addressType: "IPv4",
    endpoints: ips.map((ip) => ({ addresses: [ip], nodeName })),
    ports: [{ name: "http", protocol: "TCP", port }],
  } as EndpointSlice;
}
const plan = (services: Service[], slices: EndpointSlice[]) => planServicePorts({ services, slices, nodeName: "n1" }).ports;
const byKey = (ports: ServicePortPlan[], name: string) => ports.find((p) => p.name === name)!;

describe("iptablesRestoreScript", () => {
  const ports = plan(
    [
      svc("web", "10.96.0.10"),
      svc("sticky", "10.96.0.11", { sessionAffinity: "ClientIP", sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }),
      svc("np", "10.96.0.12", { type: "NodePort", externalTrafficPolicy: "Local", ports: [{ name: "http", protocol: "TCP", port: 80, nodePort: 30080 }] }),
      svc("empty", "10.96.0.13", { type: "NodePort", ports: [{ name: "dns", protocol: "UDP", port: 53, nodePort: 30053 }] }),
    ],
    [slice("web", ["10.244.0.2", "10.244.0.3", "10.244.0.4"]), slice("sticky", ["10.244.0.5", "10.244.0.6"]), slice("np", ["10.244.0.7"])],
  );
  const script = iptablesRestoreScript(ports, { existing: { nat: ["EDGEPLANE-SVC-GONE", "EDGEPLANE-SERVICES"], filter: [] } });
  const lines = script.split("\n");
  /** The nat table's rules of a chain (the filter table has an EDGEPLANE-SERVICES too). */
  const rulesOf = (chain: string) => lines.slice(0, lines.indexOf("*filter")).filter((l) => l.startsWith(`-A ${chain} `));

  it("is two tables, each committed, declaring only EDGEPLANE chains of at most 28 characters", () => {
    expect(lines.filter((l) => l.startsWith("*"))).toEqual(["*nat", "*filter"]);
    expect(lines.filter((l) => l === "COMMIT")).toHaveLength(2);
    const declared = lines.filter((l) => l.startsWith(":")).map((l) => l.slice(1).split(" ")[0]);
    for (const c of declared) {
      expect(c.startsWith("EDGEPLANE-")).toBe(true);
      expect(c.length).toBeLessThanOrEqual(28);
    }
    expect(lines.filter((l) => /^-A (PREROUTING|OUTPUT|POSTROUTING|INPUT|FORWARD) /.test(l))).toEqual([]);
  });

  it("sends a ClusterIP to its service chain, which picks each endpoint with equal chance", () => {
    const web = byKey(ports, "web");
    const chain = serviceChain(web);
    expect(rulesOf("EDGEPLANE-SERVICES")).toContain(`-A EDGEPLANE-SERVICES -m comment --comment "default/web:http/TCP cluster IP" -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j ${chain}`);
    const seps = web.endpoints.map((ep) => endpointChain(web, ep));
    expect(rulesOf(chain)).toEqual([
      `-A ${chain} -m statistic --mode random --probability 0.3333333333 -j ${seps[0]}`,
      `-A ${chain} -m statistic --mode random --probability 0.5000000000 -j ${seps[1]}`,
      `-A ${chain} -j ${seps[2]}`,
    ]);
    expect(rulesOf(seps[0])).toEqual([`-A ${seps[0]} -s 10.244.0.2/32 -j EDGEPLANE-MARK-MASQ`, `-A ${seps[0]} -p tcp -m tcp -j DNAT --to-destination 10.244.0.2:8080`]);
  });

  it("keeps a client on its endpoint with the recent module under ClientIP affinity", () => {
    const sticky = byKey(ports, "sticky");
    const sep = endpointChain(sticky, sticky.endpoints[0]);
    expect(rulesOf(serviceChain(sticky))[0]).toBe(`-A ${serviceChain(sticky)} -m recent --name ${sep} --mask 255.255.255.255 --rsource --rcheck --seconds 60 --reap -j ${sep}`);
    expect(rulesOf(sep)[1]).toBe(`-A ${sep} -p tcp -m tcp -m recent --name ${sep} --mask 255.255.255.255 --rsource --set -j DNAT --to-destination 10.244.0.5:8080`);
  });

  it("sends NodePorts on local addresses to an external chain, masquerading unless the policy is Local", () => {
    const np = byKey(ports, "np");
    expect(rulesOf("EDGEPLANE-SERVICES").at(-1)).toBe('-A EDGEPLANE-SERVICES -m comment --comment "edgeplane node ports" -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j EDGEPLANE-NODEPORTS');
    expect(rulesOf("EDGEPLANE-NODEPORTS")).toEqual([`-A EDGEPLANE-NODEPORTS -m comment --comment "default/np:http/TCP node port" -p tcp -m tcp --dport 30080 -j ${externalChain(np)}`]);
    expect(rulesOf(externalChain(np))).toEqual([`-A ${externalChain(np)} -j ${endpointChain(np, np.nodePortEndpoints[0])}`]);
    const cluster = iptablesRestoreScript(plan([svc("np", "10.96.0.12", { type: "NodePort", ports: [{ name: "http", protocol: "TCP", port: 80, nodePort: 30080 }] })], [slice("np", ["10.244.0.7"])]));
    expect(cluster).toContain(`-A ${externalChain(np)} -j EDGEPLANE-MARK-MASQ`);
  });

  it("rejects a service port without endpoints in the filter table, on its ClusterIP and NodePort", () => {
    const filter = lines.slice(lines.indexOf("*filter"));
    expect(filter.filter((l) => l.includes("REJECT"))).toEqual([
      '-A EDGEPLANE-SERVICES -m comment --comment "default/empty:dns/UDP has no endpoints" -d 10.96.0.13/32 -p udp -m udp --dport 53 -j REJECT',
      '-A EDGEPLANE-SERVICES -m comment --comment "default/empty:dns/UDP has no endpoints" -m addrtype --dst-type LOCAL -p udp -m udp --dport 30053 -j REJECT',
    ]);
  });

  it("deletes the EDGEPLANE chains that are no longer wanted", () => {
    expect(lines).toContain(":EDGEPLANE-SVC-GONE - [0:0]");
    expect(lines).toContain("-X EDGEPLANE-SVC-GONE");
    expect(lines).not.toContain("-X EDGEPLANE-SERVICES");
  });
});

/** Why the namespace test cannot run here, or undefined. */
function netnsProblem(ns: string): string | undefined {
  if (process.getuid?.() !== 0) return "not running as root";
  try {
    execFileSync("ip", ["netns", "add", ns], { stdio: "pipe" });
  } catch (err) {
    return `ip netns add fails: ${(err as Error).message.split("\n")[0]}`;
  }
  try {
    execFileSync("ip", ["netns", "exec", ns, "iptables", "-t", "nat", "-S"], { stdio: "pipe" });
    execFileSync("ip", ["netns", "exec", ns, "iptables", "-t", "nat", "-A", "OUTPUT", "-m", "statistic", "--mode", "random", "--probability", "0.5", "-m", "recent", "--name", "x", "--rcheck", "-j", "RETURN"], { stdio: "pipe" });
  } catch (err) {
    return `iptables does not work in a network namespace: ${(err as Error).message.split("\n")[0]}`;
  } finally {
    execFileSync("ip", ["netns", "del", ns], { stdio: "ignore" });
  }
  return undefined;
}

const NS = `edgeplane-ipt-${process.pid}`;
const problem = netnsProblem(`${NS}-probe`);
if (problem) console.log(`iptables.test: the namespace test is skipped: ${problem}`);

describe.skipIf(problem !== undefined)("iptables rules applied in a network namespace", () => {
  const inNs = ["ip", "netns", "exec", NS];
  const servers: ChildProcess[] = [];
  const sh = (...argv: string[]) => execFileSync(inNs[0], [...inNs.slice(1), ...argv], { encoding: "utf8" });

  beforeAll(async () => {
    execFileSync("ip", ["netns", "add", NS]);
    sh("ip", "link", "set", "lo", "up");
    for (const ip of ["10.1.0.2", "10.1.0.3", "192.168.77.1"]) sh("ip", "addr", "add", `${ip}/32`, "dev", "lo");
    // ClusterIPs are not local in this mode: they need a route, which the host's default route gives.
    sh("ip", "route", "add", "default", "dev", "lo");
    for (const ip of ["10.1.0.2", "10.1.0.3"]) {
      const child = spawn(inNs[0], [...inNs.slice(1), process.execPath, "-e", `require("net").createServer((s) => s.end("${ip}")).listen(8080, "${ip}", () => console.log("up"))`], { stdio: ["ignore", "pipe", "inherit"] });
      servers.push(child);
      await new Promise((resolve) => child.stdout!.once("data", resolve));
    }
  });

  afterAll(() => {
    for (const s of servers) s.kill("SIGKILL");
    execFileSync("ip", ["netns", "del", NS], { stdio: "ignore" });
  });

  /** One connection from inside the namespace; what the pod said, or the error code. */
  const connectOnce = (ip: string, port: number) =>
    sh(process.execPath, "-e", `const s = require("net").connect(${port}, "${ip}"); let d = ""; s.on("data", (x) => (d += x)); s.on("end", () => console.log(d)); s.on("error", (e) => console.log(e.code)); setTimeout(() => { console.log("timeout"); process.exit(); }, 1500).unref();`).trim();

  it("serves ClusterIPs and NodePorts, replaces stale chains, and cleans up exactly its own", async () => {
    const c = { prefix: inNs };
    // Someone else's rule, which must survive.
    sh("iptables", "-t", "nat", "-A", "OUTPUT", "-d", "203.0.113.9/32", "-j", "RETURN");
    const ports = plan(
      [svc("web", "10.96.5.5", { type: "NodePort", ports: [{ name: "http", protocol: "TCP", port: 80, nodePort: 30080 }] }), svc("old", "10.96.5.6")],
      [slice("web", ["10.1.0.2", "10.1.0.3"]), slice("old", ["10.1.0.2"])],
    );
    await applyIptablesRules(ports, c);
    await applyIptablesRules(ports, c);
    const seen = new Set<string>();
    for (let i = 0; i < 16; i++) seen.add(connectOnce("10.96.5.5", 80));
    expect([...seen].sort()).toEqual(["10.1.0.2", "10.1.0.3"]);
    expect(connectOnce("192.168.77.1", 30080)).toMatch(/^10\.1\.0\.[23]$/);
    expect(connectOnce("10.96.5.6", 80)).toBe("10.1.0.2");
    // Applied twice: the jumps are there once.
    expect(sh("iptables", "-t", "nat", "-S", "OUTPUT").match(/EDGEPLANE-SERVICES/g)).toHaveLength(1);

    // A removed service's chains go.
    const oldChain = serviceChain(byKey(ports, "old"));
    expect((await listChains(c)).nat).toContain(oldChain);
    await applyIptablesRules(ports.filter((p) => p.name !== "old"), c);
    expect((await listChains(c)).nat).not.toContain(oldChain);

    await cleanupIptablesRules(c);
    expect(await listChains(c)).toEqual({ nat: [], filter: [] });
    expect(sh("iptables-save")).not.toContain("EDGEPLANE");
    expect(sh("iptables", "-t", "nat", "-S", "OUTPUT")).toContain("203.0.113.9/32");
  });
});
