// --proxy-mode iptables: the same plan as NAT rules (upstream's iptables proxier, simplified), for
// nodes whose pods are reachable by address from this host (one machine, or a real pod network).
// Endpoints behind another node's relay cannot be reached this way: the relay needs its header line.
//
// Only chains named EDGEPLANE-* are written; the built-in chains get one jump each, and cleanup
// removes exactly those jumps and chains. Not covered: NodePorts on 127.0.0.1 (upstream needs
// route_localnet for that), externalIPs and LoadBalancer ingress IPs.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import type { ServiceEndpoint, ServicePortPlan } from "./plan.js";

export const CHAIN_PREFIX = "EDGEPLANE-";
const SERVICES = "EDGEPLANE-SERVICES";
const NODEPORTS = "EDGEPLANE-NODEPORTS";
const POSTROUTING = "EDGEPLANE-POSTROUTING";
const MARK_MASQ = "EDGEPLANE-MARK-MASQ";
/** A mark bit of its own (kube-proxy uses 0x4000), so both can run on one host. */
const MASQ_MARK = "0x40000";

/** The jumps from built-in chains, per table: `[chain, rule spec]`. */
export const JUMPS: Record<"nat" | "filter", Array<[string, string[]]>> = {
  nat: [
    ["PREROUTING", ["-m", "comment", "--comment", "edgeplane service portals", "-j", SERVICES]],
    ["OUTPUT", ["-m", "comment", "--comment", "edgeplane service portals", "-j", SERVICES]],
    ["POSTROUTING", ["-m", "comment", "--comment", "edgeplane postrouting rules", "-j", POSTROUTING]],
  ],
  filter: [
    ["INPUT", ["-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment", "edgeplane services without endpoints", "-j", SERVICES]],
    ["FORWARD", ["-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment", "edgeplane services without endpoints", "-j", SERVICES]],
    ["OUTPUT", ["-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment", "edgeplane services without endpoints", "-j", SERVICES]],
  ],
};

const hash = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 12).toUpperCase();
/** Chain names stay within iptables' 28 characters: prefix (14) + 12. */
export const serviceChain = (sp: ServicePortPlan) => `EDGEPLANE-SVC-${hash(sp.key)}`;
export const externalChain = (sp: ServicePortPlan) => `EDGEPLANE-EXT-${hash(sp.key)}`;
export const endpointChain = (sp: ServicePortPlan, ep: ServiceEndpoint) => `EDGEPLANE-SEP-${hash(`${sp.key} ${ep.ip}:${ep.port}`)}`;

const quote = (text: string) => `"${text.replace(/["\\]/g, "")}"`;

export interface IptablesScriptOptions {
  /** EDGEPLANE-* chains present now (from listChains): those no longer wanted are deleted. */
  existing?: { nat: string[]; filter: string[] };
}

/** The `iptables-restore --noflush` input for these service ports. Pure. */
export function iptablesRestoreScript(ports: ServicePortPlan[], o: IptablesScriptOptions = {}): string {
  const nat = { chains: [SERVICES, NODEPORTS, POSTROUTING, MARK_MASQ], rules: [] as string[] };
  const filter = { chains: [SERVICES], rules: [] as string[] };
  nat.rules.push(
    `-A ${MARK_MASQ} -j MARK --or-mark ${MASQ_MARK}`,
    `-A ${POSTROUTING} -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
    // Cleared so that a packet traversing again is not masqueraded twice.
    `-A ${POSTROUTING} -j MARK --xor-mark ${MASQ_MARK}`,
    `-A ${POSTROUTING} -m comment --comment "edgeplane service traffic requiring SNAT" -j MASQUERADE`,
  );
  const nodePortRules: string[] = [];
  const sepDone = new Set<string>();
  for (const sp of ports) {
    const proto = sp.protocol.toLowerCase();
    const match = `-p ${proto} -m ${proto}`;
    const comment = (what: string) => `-m comment --comment ${quote(`${sp.key} ${what}`)}`;
    const svc = serviceChain(sp);

    if (sp.endpoints.length > 0) {
      nat.chains.push(svc);
      nat.rules.push(`-A ${SERVICES} ${comment("cluster IP")} -d ${sp.clusterIP}/32 ${match} --dport ${sp.port} -j ${svc}`);
      nat.rules.push(...balance(svc, sp, sp.endpoints));
    } else {
      filter.rules.push(`-A ${SERVICES} ${comment("has no endpoints")} -d ${sp.clusterIP}/32 ${match} --dport ${sp.port} -j REJECT`);
    }
    if (sp.nodePort !== undefined) {
      if (sp.nodePortEndpoints.length > 0) {
        const ext = externalChain(sp);
        nat.chains.push(ext);
        nodePortRules.push(`-A ${NODEPORTS} ${comment("node port")} ${match} --dport ${sp.nodePort} -j ${ext}`);
        // Cluster policy: the endpoint may answer through another path, so the client is hidden (as upstream).
        if (!sp.externalPolicyLocal) nat.rules.push(`-A ${ext} -j ${MARK_MASQ}`);
        nat.rules.push(...balance(ext, sp, sp.nodePortEndpoints));
      } else {
        filter.rules.push(`-A ${SERVICES} ${comment("has no endpoints")} -m addrtype --dst-type LOCAL ${match} --dport ${sp.nodePort} -j REJECT`);
      }
    }
    for (const ep of uniqueEndpoints(sp)) {
      const sep = endpointChain(sp, ep);
      if (sepDone.has(sep)) continue;
      sepDone.add(sep);
      nat.chains.push(sep);
      // Hairpin: a pod reaching itself through its service must see the reply come from the service.
      nat.rules.push(`-A ${sep} -s ${ep.ip}/32 -j ${MARK_MASQ}`);
      const sticky = sp.sessionAffinity ? ` -m recent --name ${sep} --mask 255.255.255.255 --rsource --set` : "";
      nat.rules.push(`-A ${sep} ${match}${sticky} -j DNAT --to-destination ${ep.ip}:${ep.port}`);
    }
  }
  // NodePorts last, for any local destination, as upstream's KUBE-NODEPORTS.
  nat.rules.push(`-A ${SERVICES} -m comment --comment "edgeplane node ports" -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j ${NODEPORTS}`, ...nodePortRules);

  const section = (table: string, t: { chains: string[]; rules: string[] }, existing: string[] = []) => {
    const stale = existing.filter((c) => c.startsWith(CHAIN_PREFIX) && !t.chains.includes(c));
    return [
      `*${table}`,
      // Declared chains are flushed by iptables-restore even with --noflush; stale ones are then deleted.
      ...[...t.chains, ...stale].map((c) => `:${c} - [0:0]`),
      ...t.rules,
      ...stale.map((c) => `-X ${c}`),
      "COMMIT",
    ];
  };
  return [...section("nat", nat, o.existing?.nat), ...section("filter", filter, o.existing?.filter), ""].join("\n");
}

/** The load-balancing rules of a service (or external) chain over these endpoints. */
function balance(chain: string, sp: ServicePortPlan, endpoints: ServiceEndpoint[]): string[] {
  const rules: string[] = [];
  if (sp.sessionAffinity) {
    for (const ep of endpoints) {
      const sep = endpointChain(sp, ep);
      rules.push(`-A ${chain} -m recent --name ${sep} --mask 255.255.255.255 --rsource --rcheck --seconds ${sp.sessionAffinity.timeoutSeconds} --reap -j ${sep}`);
    }
  }
  endpoints.forEach((ep, i) => {
    const left = endpoints.length - i;
    const statistic = left > 1 ? ` -m statistic --mode random --probability ${(1 / left).toFixed(10)}` : "";
    rules.push(`-A ${chain}${statistic} -j ${endpointChain(sp, ep)}`);
  });
  return rules;
}

function uniqueEndpoints(sp: ServicePortPlan): ServiceEndpoint[] {
  const seen = new Map<string, ServiceEndpoint>();
  for (const ep of [...sp.endpoints, ...sp.nodePortEndpoints]) seen.set(`${ep.ip}:${ep.port}`, ep);
  return [...seen.values()];
}

/** How iptables commands are run: `prefix` puts them elsewhere (`ip netns exec <ns>` in tests). */
export interface IptablesCommands {
  prefix?: string[];
  iptables?: string;
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(c: IptablesCommands, argv: string[], input?: string): Promise<RunResult> {
  const full = [...(c.prefix ?? []), ...argv];
  return new Promise((resolve) => {
    const child = spawn(full[0], full.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (err) => resolve({ code: -1, stdout, stderr: err.message }));
    child.stdin.on("error", () => {});
    child.stdin.end(input ?? "");
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const tool = (c: IptablesCommands, suffix = "") => `${c.iptables ?? "iptables"}${suffix}`;

/** The EDGEPLANE-* chains of the nat and filter tables. */
export async function listChains(c: IptablesCommands = {}): Promise<{ nat: string[]; filter: string[] }> {
  const out = { nat: [] as string[], filter: [] as string[] };
  for (const table of ["nat", "filter"] as const) {
    const r = await run(c, [tool(c, "-save"), "-t", table]);
    if (r.code !== 0) throw new Error(`${tool(c, "-save")} -t ${table}: ${r.stderr.trim()}`);
    out[table] = [...r.stdout.matchAll(/^:(EDGEPLANE-\S+)/gm)].map((m) => m[1]);
  }
  return out;
}

/** Writes the rules for these service ports: chains first, then the jumps into them. Throws on failure. */
export async function applyIptablesRules(ports: ServicePortPlan[], c: IptablesCommands = {}): Promise<void> {
  const script = iptablesRestoreScript(ports, { existing: await listChains(c) });
  const r = await run(c, [tool(c, "-restore"), "-w", "--noflush"], script);
  if (r.code !== 0) throw new Error(`${tool(c, "-restore")}: ${r.stderr.trim()}`);
  for (const table of ["nat", "filter"] as const) {
    for (const [chain, spec] of JUMPS[table]) {
      if ((await run(c, [tool(c), "-w", "-t", table, "-C", chain, ...spec])).code === 0) continue;
      const ins = await run(c, [tool(c), "-w", "-t", table, "-I", chain, ...spec]);
      if (ins.code !== 0) throw new Error(`${tool(c)} -t ${table} -I ${chain}: ${ins.stderr.trim()}`);
    }
  }
}

/** Removes the jumps and every EDGEPLANE-* chain, and nothing else. */
export async function cleanupIptablesRules(c: IptablesCommands = {}): Promise<void> {
  for (const table of ["nat", "filter"] as const) {
    for (const [chain, spec] of JUMPS[table]) {
      // Deleted until none is left (a crash between -C and -I can leave two).
      for (let i = 0; i < 10 && (await run(c, [tool(c), "-w", "-t", table, "-D", chain, ...spec])).code === 0; i++);
    }
  }
  const chains = await listChains(c);
  const script = (["nat", "filter"] as const).flatMap((t) => [`*${t}`, ...chains[t].map((ch) => `:${ch} - [0:0]`), ...chains[t].map((ch) => `-X ${ch}`), "COMMIT"]).join("\n") + "\n";
  const r = await run(c, [tool(c, "-restore"), "-w", "--noflush"], script);
  if (r.code !== 0) throw new Error(`${tool(c, "-restore")}: ${r.stderr.trim()}`);
}
