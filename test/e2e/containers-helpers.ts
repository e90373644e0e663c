// Shared by the real-container suites: manifests, reading pods and events, fetching a pod's
// page, and removing what a node left in the engine.
import { ensureBusyboxImage, startPodman, type Podman } from "../support/podman.js";
import { bootstrapToken, startAgent, type AgentProcess } from "./agent-process.js";
import { api, startEdgeplane, type Edgeplane } from "./harness.js";

export function containerSpec(image: string, name: string, command: string[], extra: Record<string, unknown> = {}) {
  return { name, image, command, ...extra };
}

/** The seed's nginx Deployment, as busybox httpd serving the image's /www. */
export function deployment(name: string, image: string, replicas: number) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default", labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 2,
          containers: [
            {
              name: "httpd",
              image,
              command: ["httpd", "-f", "-p", "80", "-h", "/www"],
              ports: [{ containerPort: 80, name: "http" }],
              readinessProbe: { httpGet: { path: "/", port: "http" }, periodSeconds: 1 },
              livenessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5 },
            },
          ],
        },
      },
    },
  };
}

export async function podsOf(h: Edgeplane, selector: string, ns = "default"): Promise<any[]> {
  const r = await api(h, "GET", `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`);
  return (r.body.items ?? []).filter((p: any) => !p.metadata.deletionTimestamp);
}

export const readyCondition = (pod: any): string | undefined => pod?.status?.conditions?.find((c: any) => c.type === "Ready")?.status;

export async function eventsFor(h: Edgeplane, podName: string, ns = "default"): Promise<Array<{ reason: string; message: string; type: string }>> {
  const r = await api(h, "GET", `/api/v1/namespaces/${ns}/events?fieldSelector=${encodeURIComponent(`involvedObject.name=${podName}`)}`);
  return r.body.items ?? [];
}

/** GET a URL with a short timeout; the text, or "" when it does not answer. */
export async function fetchText(url: string): Promise<string> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return await res.text();
  } catch {
    return "";
  }
}

/** Removes every container and the network the agent made for a node (they outlive the agent by design). */
export async function cleanupNode(podman: Podman | undefined, node: string): Promise<void> {
  if (!podman) return;
  await podman.removeByLabel(`io.edgeplane.node=${node}`);
  await podman.removeNetwork(`edgeplane-${node}`);
}

/** Bare pods bound to one node (2 s grace), and reading and creating them: `h` is read when called. */
export function podsOn(h: () => Edgeplane, node: string, ns = "default") {
  return {
    pod: (name: string, containers: any[], extra: Record<string, unknown> = {}) => ({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: ns }, spec: { nodeName: node, terminationGracePeriodSeconds: 2, containers, ...extra } }),
    getPod: async (name: string) => (await api(h(), "GET", `/api/v1/namespaces/${ns}/pods/${name}`)).body,
    create: async (obj: unknown) => {
      const r = await api(h(), "POST", `/api/v1/namespaces/${ns}/pods`, obj);
      if (r.status !== 201) throw new Error(`create pod: HTTP ${r.status} ${JSON.stringify(r.body)}`);
    },
  };
}

/** One real node: a control plane, Podman's service and `edgeplane agent --runtime docker` named `node`. */
export interface ContainerNode {
  h: Edgeplane;
  podman: Podman;
  agent: AgentProcess;
  token: string;
  /** The agent's flags, to start it again the same way. */
  agentArgs: string[];
  /** The busybox test image. */
  image: string;
}

/**
 * The suite's own Service range, from its cluster CIDR (10.A.B.0/n → 172.(16 + A % 16).B.0/20):
 * agents of suites running at once put their cluster IPs on this machine's lo and serve DNS there.
 */
export function serviceRangeFor(clusterCIDR: string): string {
  const [, a, b] = clusterCIDR.split(/[./]/).map(Number);
  return `172.${16 + (a % 16)}.${b}.0/20`;
}

/**
 * Starts a ContainerNode. `clusterCIDR` is the suite's own (suites running at once must not
 * overlap: each node's podman network takes its pod CIDR), and so is its Service range; `extraArgs`
 * go to the agent (without --proxy-relay-port, the relay is off: suites run side by side).
 */
export async function startContainerNode(node: string, clusterCIDR: string, extraArgs: string[] = [], vars: Record<string, string> = {}): Promise<ContainerNode> {
  const podman = await startPodman();
  const image = await ensureBusyboxImage();
  const h = await startEdgeplane({ vars: { CLUSTER_CIDR: clusterCIDR, SERVICE_CLUSTER_IP_RANGE: serviceRangeFor(clusterCIDR), ...vars } });
  const token = await bootstrapToken(h);
  const relay = extraArgs.includes("--proxy-relay-port") ? [] : ["--proxy-relay-port", "0"];
  const agentArgs = ["--name", node, "--runtime", "docker", "--runtime-endpoint", podman.endpoint, "--root-dir", `${h.stateDir}/agent`, "--sync-frequency", "2s", "--node-status-update-frequency", "2s", ...relay, ...extraArgs];
  const agent = startAgent(h, token, agentArgs);
  await agent.ready;
  return { h, podman, agent, token, agentArgs, image };
}

/** Stops what startContainerNode started, removing the node's containers and network (they outlive the agent by design). */
export async function stopContainerNode(n: Partial<ContainerNode> | undefined, node: string): Promise<void> {
  await n?.agent?.stop();
  await cleanupNode(n?.podman, node);
  await n?.h?.stop();
  await n?.podman?.stop();
}
