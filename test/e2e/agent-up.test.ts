// `edgeplane up --nodes 2 --runtime simulated`: the control plane and, once it is ready, a node agent with two
// simulated nodes, made with a bootstrap token of its own; Ctrl-C (SIGTERM) stops both.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, startEdgeplane, type Edgeplane } from "./harness.js";
import { until } from "./helpers.js";

let h: Edgeplane;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie waiting to be reaped is gone for our purposes.
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

beforeAll(async () => {
  h = await startEdgeplane({ args: ["--nodes", "2", "--runtime", "simulated"] });
}, 180_000);

afterAll(async () => {
  await h?.stop();
});

describe("edgeplane up --nodes 2", () => {
  let agentPid = 0;

  it("starts the agent after the control plane and says so, with the next step", () => {
    const out = h.output();
    const started = /✓ Started 2 simulated nodes: edgeplane-0 and edgeplane-1 \(agent pid (\d+), [\d.]+s\)/.exec(out);
    expect(started, out).not.toBeNull();
    agentPid = Number(started![1]);
    expect(out.indexOf("✓ control plane ready")).toBeLessThan(out.indexOf("✓ Started 2 simulated nodes"));
    expect(out).toContain("  kubectl get nodes");
    expect(alive(agentPid)).toBe(true);
    // The bootstrap token travels in the environment, not on the command line.
    expect(readFileSync(`/proc/${agentPid}/cmdline`, "utf8").split("\0")).not.toContain("--token");
  });

  it("has two Ready nodes", async () => {
    const nodes = await until("two Ready nodes", async () => {
      const r = await api(h, "GET", "/api/v1/nodes");
      const ready = (r.body.items ?? []).filter((n: any) => n.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True"));
      return ready.length === 2 ? ready : undefined;
    });
    expect(nodes.map((n: any) => n.metadata.name).sort()).toEqual(["edgeplane-0", "edgeplane-1"]);
    expect(nodes.map((n: any) => n.status.nodeInfo.containerRuntimeVersion)).toEqual(["simulated://0.1.0", "simulated://0.1.0"]);
    const tokens = await api(h, "GET", `/api/v1/namespaces/kube-system/secrets?fieldSelector=${encodeURIComponent("type=bootstrap.kubernetes.io/token")}`);
    expect(tokens.body.items.map((s: any) => Buffer.from(s.data.description ?? "", "base64").toString())).toContain("edgeplane up --nodes");
  });

  it("stops the agent with the control plane", async () => {
    await h.stop();
    expect(h.lastExit).toEqual({ code: 0, signal: null });
    await until("the agent to be gone", async () => (alive(agentPid) ? undefined : true), 10_000);
  });
});
