// `edgeplane up` as `npm start` runs it: one local node with the best runtime the machine has.
// These machines have Podman but no Docker socket, so up starts Podman's Docker-compatible
// service for the cluster, says so, runs a pod in a real container, and stops the service with
// everything else.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { candidateSockets } from "../../agent/local/runtime-choice.js";
import { ensureBusyboxImage, requirePodman } from "../support/podman.js";
import { api, startEdgeplane, type Edgeplane } from "./harness.js";
import { fetchText, serviceRangeFor } from "./containers-helpers.js";
import { until } from "./helpers.js";

let h: Edgeplane;
let image: string;

/** Processes whose command line contains `text`. */
function processesWith(text: string): number[] {
  const out: number[] = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(text)) out.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

beforeAll(async () => {
  requirePodman();
  image = await ensureBusyboxImage();
  // One node, runtime auto: what `edgeplane up` does by default (the harness asks for no node unless told).
  h = await startEdgeplane({ args: ["--nodes", "1"], vars: { CLUSTER_CIDR: "10.249.0.0/16", SERVICE_CLUSTER_IP_RANGE: serviceRangeFor("10.249.0.0/16") } });
}, 180_000);

afterAll(async () => {
  await h?.stop();
  try {
    execFileSync("podman", ["network", "rm", "-f", "edgeplane-edgeplane"], { stdio: "ignore" });
  } catch {
    // not made, or already gone
  }
}, 60_000);

describe("edgeplane up picks a runtime", () => {
  it("says which runtime it found and why", () => {
    const out = h.output();
    const dockerSocket = candidateSockets().some((s) => {
      try {
        return readFileSync(s) !== undefined;
      } catch (e) {
        return (e as NodeJS.ErrnoException).code !== "ENOENT";
      }
    });
    expect(out).toContain("… looking for a container runtime");
    expect(out).toMatch(/✓ Started 1 docker node: edgeplane \(agent pid \d+, [\d.]+s\)/);
    if (!dockerSocket) expect(out).toMatch(/ {2}runtime: podman [\d.]+ at unix:\/\/.*\/agent\/podman\.sock, started for this cluster/);
  });

  it("runs a pod as a real container on the local node", async () => {
    const node = await until("the node Ready", async () => {
      const n = (await api(h, "GET", "/api/v1/nodes/edgeplane")).body;
      return n?.status?.conditions?.some((c: any) => c.type === "Ready" && c.status === "True") ? n : undefined;
    }, 60_000);
    expect(node.status.nodeInfo.containerRuntimeVersion).toMatch(/^(podman|docker):\/\//);
    const created = await api(h, "POST", "/api/v1/namespaces/default/pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web" },
      spec: { terminationGracePeriodSeconds: 1, containers: [{ name: "httpd", image, command: ["httpd", "-f", "-p", "80", "-h", "/www"] }] },
    });
    expect(created.status).toBe(201);
    const pod = await until("web Running", async () => {
      const p = (await api(h, "GET", "/api/v1/namespaces/default/pods/web")).body;
      return p?.status?.phase === "Running" && p.status.podIP ? p : undefined;
    }, 60_000);
    expect(pod.status.podIP).toMatch(/^10\.249\.0\.\d+$/);
    expect(await fetchText(`http://${pod.status.podIP}/`)).toContain("edgeplane busybox");
    await api(h, "DELETE", "/api/v1/namespaces/default/pods/web");
    await until("web gone", async () => ((await api(h, "GET", "/api/v1/namespaces/default/pods/web")).status === 404 ? true : undefined), 30_000);
  }, 120_000);

  it("stops the Podman service it started when it stops", async () => {
    const socket = `${h.stateDir}/agent/podman.sock`;
    const before = processesWith(socket);
    await h.stop();
    if (before.length === 0) return; // a Docker socket was used: nothing was started
    await until("the service gone", async () => (processesWith(socket).length === 0 ? true : undefined), 20_000);
  }, 60_000);
});
