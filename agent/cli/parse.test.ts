// The agent's flags: labels, taints and capacity as upstream's kubelet reads them, and the
// errors a person sees for each mistake.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageError, parseArgs } from "../../src/cli/args.js";
import { agentFlags } from "./flags.js";
import { defaultRootDir, parseAgentFlags, parseCapacity, parseFrequency, parseLabels, parseNodeCount, parseNodeName, parseServer, parseTaints } from "./parse.js";

function usage(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UsageError) return e;
    throw e;
  }
  throw new Error("expected a UsageError");
}

const TOKEN = "abcdef.0123456789abcdef";
const flags = (...argv: string[]) => parseArgs(argv, agentFlags, "edgeplane agent");

describe("--labels", () => {
  it("reads comma-separated and repeated KEY=VALUE pairs, the last value winning", () => {
    expect(parseLabels(["disk=ssd,zone=a", "example.com/tier=edge", "zone=b", "empty="])).toEqual({ disk: "ssd", zone: "b", "example.com/tier": "edge", empty: "" });
    expect(parseLabels(undefined)).toEqual({});
  });

  it("refuses what is not a label, saying what is wrong", () => {
    expect(usage(() => parseLabels(["disk"])).message).toBe("--labels: 'disk' is not KEY=VALUE");
    expect(usage(() => parseLabels(["-bad=x"])).message).toMatch(/^--labels: invalid key '-bad': name part must consist of alphanumeric characters/);
    expect(usage(() => parseLabels(["k=has space"])).message).toMatch(/^--labels: invalid value 'has space' of k: a valid label must be an empty string/);
    expect(usage(() => parseLabels([`k=${"x".repeat(64)}`])).message).toMatch(/must be no more than 63 characters/);
  });

  it("allows only the kubelet's own labels in kubernetes.io and k8s.io, as upstream", () => {
    expect(parseLabels(["topology.kubernetes.io/zone=z1,node.kubernetes.io/instance-type=big,kubelet.kubernetes.io/x=y,sub.node.kubernetes.io/a=b"])).toEqual({
      "topology.kubernetes.io/zone": "z1",
      "node.kubernetes.io/instance-type": "big",
      "kubelet.kubernetes.io/x": "y",
      "sub.node.kubernetes.io/a": "b",
    });
    const e = usage(() => parseLabels(["node-role.kubernetes.io/worker="]));
    expect(e.message).toMatch(/^--labels: a node may not set node-role\.kubernetes\.io\/worker on itself/);
    expect(e.hint).toBe("set it afterwards with 'kubectl label node NAME node-role.kubernetes.io/worker='");
    expect(usage(() => parseLabels(["example.k8s.io/a=b"])).message).toMatch(/may not set example\.k8s\.io\/a/);
    expect(parseLabels(["notkubernetes.io/a=b"])).toEqual({ "notkubernetes.io/a": "b" });
  });
});

describe("--taints", () => {
  it("reads KEY=VALUE:EFFECT and KEY:EFFECT", () => {
    expect(parseTaints(["gpu=true:NoSchedule,dedicated:PreferNoSchedule", "example.com/x=y:NoExecute"])).toEqual([
      { key: "gpu", value: "true", effect: "NoSchedule" },
      { key: "dedicated", effect: "PreferNoSchedule" },
      { key: "example.com/x", value: "y", effect: "NoExecute" },
    ]);
  });

  it("refuses a missing or unknown effect, a bad key or value, and duplicates", () => {
    const none = usage(() => parseTaints(["gpu=true"]));
    expect(none.message).toBe("--taints: 'gpu=true' has no effect");
    expect(none.hint).toMatch(/NoSchedule, PreferNoSchedule, NoExecute/);
    expect(usage(() => parseTaints(["gpu=true:Never"])).message).toBe("--taints: unknown effect 'Never' in 'gpu=true:Never'");
    expect(usage(() => parseTaints(["gpu=true:noschedule"])).message).toMatch(/unknown effect 'noschedule'/);
    expect(usage(() => parseTaints(["=x:NoSchedule"])).message).toMatch(/^--taints: invalid key '':/);
    expect(usage(() => parseTaints(["k=a b:NoSchedule"])).message).toMatch(/^--taints: invalid value 'a b' of k/);
    expect(usage(() => parseTaints(["k=a:NoSchedule,k=b:NoSchedule"])).message).toBe("--taints: k:NoSchedule is given twice");
    expect(parseTaints(["k=a:NoSchedule,k=b:NoExecute"])).toHaveLength(2);
  });
});

describe("--capacity", () => {
  it("reads resource quantities", () => {
    expect(parseCapacity(["cpu=4,memory=8Gi", "pods=110,ephemeral-storage=100G,example.com/gpu=2,cpu=3500m"])).toEqual({
      cpu: "3500m",
      memory: "8Gi",
      pods: "110",
      "ephemeral-storage": "100G",
      "example.com/gpu": "2",
    });
  });

  it("refuses what is not a quantity, negative amounts and fractional pods", () => {
    expect(usage(() => parseCapacity(["cpu"])).message).toBe("--capacity: 'cpu' is not RESOURCE=QUANTITY");
    expect(usage(() => parseCapacity(["memory=8GB"])).message).toBe("--capacity: '8GB' is not a quantity (memory)");
    expect(usage(() => parseCapacity(["cpu=lots"])).hint).toBe("quantities look like 4, 500m, 8Gi, 100G");
    expect(usage(() => parseCapacity(["cpu=-1"])).message).toBe("--capacity: cpu cannot be negative (-1)");
    expect(usage(() => parseCapacity(["pods=1.5"])).message).toBe("--capacity: pods must be a whole number above 0 (got 1.5)");
    expect(usage(() => parseCapacity(["pods=0"])).message).toMatch(/pods must be a whole number above 0/);
    expect(usage(() => parseCapacity(["bad name=1"])).message).toMatch(/^--capacity: invalid resource name 'bad name'/);
  });
});

describe("the other flags", () => {
  it("--nodes is a whole number from 1", () => {
    expect(parseNodeCount(undefined)).toBe(1);
    expect(parseNodeCount("1000")).toBe(1000);
    expect(usage(() => parseNodeCount("0")).message).toMatch(/^--nodes needs a whole number from 1 to 3072 \(got '0'\)/);
    expect(usage(() => parseNodeCount("2.5")).message).toMatch(/--nodes needs a whole number/);
    expect(usage(() => parseNodeCount("5000")).message).toMatch(/--nodes needs a whole number/);
  });

  it("--name defaults to the host name, lowercased, and must make valid node names", () => {
    expect(parseNodeName(undefined, 1, "MyHost")).toBe("myhost");
    expect(parseNodeName("sim", 3)).toBe("sim");
    expect(usage(() => parseNodeName(undefined, 1, "my_host")).message).toMatch(/^the host name 'my_host' is not a valid node name/);
    expect(usage(() => parseNodeName("Sim", 3)).message).toMatch(/^'Sim-2' is not a valid node name/);
    expect(usage(() => parseNodeName("x".repeat(252), 10)).message).toMatch(/must be no more than 253 characters/);
  });

  it("--server is an http(s) URL, kept without a trailing slash", () => {
    expect(parseServer("https://127.0.0.1:8787/")).toBe("https://127.0.0.1:8787");
    expect(parseServer("https://example.com/prefix/")).toBe("https://example.com/prefix");
    expect(usage(() => parseServer(undefined)).message).toBe("--server is required: the URL of the control plane");
    expect(usage(() => parseServer("127.0.0.1:8787")).message).toMatch(/is not an http\(s\) URL|is not a URL/);
    expect(usage(() => parseServer("ftp://x")).message).toBe("--server: 'ftp://x' is not an http(s) URL");
  });

  it("--node-status-update-frequency is a duration of at least a second", () => {
    expect(parseFrequency(undefined)).toBe(10_000);
    expect(parseFrequency("1m30s")).toBe(90_000);
    expect(usage(() => parseFrequency("500ms")).message).toMatch(/at least 1s \(got '500ms'\)/);
    expect(usage(() => parseFrequency("often")).message).toMatch(/at least 1s \(got 'often'\)/);
  });
});

describe("parseAgentFlags", () => {
  it("puts the settings together, the token from the environment if not given", () => {
    const s = parseAgentFlags(flags("--server", "https://h:1", "--name", "sim", "--nodes", "3", "--labels", "a=b", "--taints", "t:NoSchedule", "--capacity", "pods=10", "--insecure-skip-tls-verify"), { EDGEPLANE_BOOTSTRAP_TOKEN: TOKEN });
    expect(s).toMatchObject({ server: "https://h:1", bootstrapToken: TOKEN, name: "sim", nodes: 3, labels: { a: "b" }, taints: [{ key: "t", effect: "NoSchedule" }], capacity: { pods: "10" }, insecureSkipTLSVerify: true, statusFrequencyMs: 10_000, quiet: false });
    expect(s.runtime.name).toBe("simulated");
  });

  it("reads the CA file", () => {
    const dir = mkdtempSync(join(tmpdir(), "agent-flags-"));
    const ca = join(dir, "ca.crt");
    writeFileSync(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    expect(parseAgentFlags(flags("--server", "https://h", "--token", TOKEN, "--certificate-authority", ca), {}).ca).toContain("BEGIN CERTIFICATE");
    const notPem = join(dir, "x");
    writeFileSync(notPem, "hello");
    expect(usage(() => parseAgentFlags(flags("--server", "https://h", "--token", TOKEN, "--certificate-authority", notPem), {})).message).toMatch(/holds no PEM certificate/);
    expect(usage(() => parseAgentFlags(flags("--server", "https://h", "--token", TOKEN, "--certificate-authority", join(dir, "missing")), {})).message).toMatch(/^cannot read --certificate-authority .*missing: ENOENT/);
    expect(usage(() => parseAgentFlags(flags("--server", "https://h", "--token", TOKEN, "--certificate-authority", ca, "--insecure-skip-tls-verify"), {})).message).toBe(
      "--certificate-authority and --insecure-skip-tls-verify exclude each other",
    );
  });

  it("reads the runtime's endpoint, the root dir, the manifests dir and the sync frequency", () => {
    const s = parseAgentFlags(flags("--server", "https://h", "--token", TOKEN, "--runtime", "docker", "--runtime-endpoint", "/run/podman/podman.sock", "--root-dir", "/tmp/ep", "--manifests", "/etc/edgeplane/manifests", "--sync-frequency", "5s"), {});
    expect(s).toMatchObject({ runtimeEndpoint: "unix:///run/podman/podman.sock", rootDir: "/tmp/ep", manifestsDir: "/etc/edgeplane/manifests", syncFrequencyMs: 5000 });
    expect(s.runtime.name).toBe("docker");
    const d = parseAgentFlags(flags("--server", "https://h", "--token", TOKEN), {});
    expect(d).toMatchObject({ runtimeEndpoint: "unix:///var/run/docker.sock", syncFrequencyMs: 60_000 });
    expect(d.manifestsDir).toBeUndefined();
    expect(defaultRootDir(0, "/home/x")).toBe("/var/lib/edgeplane-agent");
    expect(defaultRootDir(1000, "/home/x")).toBe("/home/x/.edgeplane-agent");
  });

  it("says what is missing or wrong", () => {
    expect(usage(() => parseAgentFlags(flags("--server", "https://h"), {})).message).toBe("--token is required: a bootstrap token to join with");
    const bad = usage(() => parseAgentFlags(flags("--server", "https://h", "--token", "admin-token"), {}));
    expect(bad.message).toBe("--token must be a bootstrap token such as abcdef.0123456789abcdef");
    expect(bad.hint).toBe("create one with 'edgeplane token create'");
    const rt = usage(() => parseAgentFlags(flags("--server", "https://h", "--token", TOKEN, "--runtime", "containerd"), {}));
    expect(rt.message).toBe("unknown runtime 'containerd'");
    expect(rt.hint).toBe("the runtimes are: docker, process, simulated");
    expect(usage(() => parseAgentFlags(flags("--server", "https://h", "--token", TOKEN, "--runtime", "docker", "--nodes", "2"), {})).message).toBe(
      "--nodes 2 needs a runtime that simulates nodes; 'docker' runs one node per machine",
    );
    expect(usage(() => parseAgentFlags(flags("--server", "https://h", "--token", TOKEN, "--sync-frequency", "10ms"), {})).message).toBe("--sync-frequency needs a duration of at least 1s (got '10ms')");
    expect(usage(() => parseAgentFlags(flags("--server", "https://h", "--token", TOKEN, "--runtime-endpoint", "tcp://1.2.3.4:2375"), {})).message).toBe("--runtime-endpoint: 'tcp://1.2.3.4:2375' is not a unix socket");
    expect(usage(() => parseAgentFlags(flags("--server", "https://h", "--token", TOKEN, "extra"), {})).message).toBe("'edgeplane agent' takes no arguments (got 'extra')");
  });
});

describe("the service proxy's flags", () => {
  const settings = (...argv: string[]) => parseAgentFlags(flags("--server", "https://h", "--token", TOKEN, ...argv), {});
  it("defaults: userspace for real runtimes, none for simulated, cluster.local, relay on 10262", () => {
    expect(settings("--runtime", "docker")).toMatchObject({ proxyMode: "userspace", clusterDomain: "cluster.local", proxyRelayPort: 10262 });
    expect(settings("--runtime", "process").proxyMode).toBe("userspace");
    expect(settings().proxyMode).toBe("none");
    expect(settings("--runtime", "docker").clusterDNS).toBeUndefined();
    expect(settings("--runtime", "docker", "--proxy-mode", "none", "--cluster-dns", "10.96.0.10", "--cluster-domain", "corp.example.", "--proxy-relay-port", "0")).toMatchObject({
      proxyMode: "none",
      clusterDNS: "10.96.0.10",
      clusterDomain: "corp.example",
      proxyRelayPort: 0,
    });
  });

  it("refuses what cannot work, saying how to fix it", () => {
    const sim = usage(() => settings("--proxy-mode", "userspace"));
    expect(sim.message).toBe("--proxy-mode userspace needs pods that answer: simulated nodes have none");
    expect(usage(() => settings("--runtime", "docker", "--proxy-mode", "ipvs")).message).toBe("unknown --proxy-mode 'ipvs'");
    expect(usage(() => settings("--runtime", "docker", "--cluster-dns", "10.96.0.300")).message).toBe("--cluster-dns: '10.96.0.300' is not an IPv4 address");
    expect(usage(() => settings("--runtime", "docker", "--cluster-domain", "Bad_Domain")).message).toMatch(/^--cluster-domain: 'Bad_Domain' is not a DNS domain: /);
    expect(usage(() => settings("--runtime", "docker", "--proxy-relay-port", "70000")).message).toBe("--proxy-relay-port needs a port from 0 to 65535 (got '70000')");
  });
});
