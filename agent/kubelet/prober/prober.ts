// Runs one probe of a container (upstream's prober.runProbe): exec through the runtime,
// httpGet and tcpSocket against the pod's address by default, the port by number or by the
// name of one of the container's ports. Also resolves the httpGet actions of lifecycle hooks.
import type { Container } from "../../../src/apis/core/v1/podspec.js";
import type { ContainerRuntime } from "../../runtimes/runtime.js";
import { httpProbe, type ProbeOutcome } from "./http.js";
import { tcpProbe } from "./tcp.js";

export type Probe = NonNullable<Container["livenessProbe"]>;
type HTTPGetAction = NonNullable<Probe["httpGet"]>;

/** A probe that could not run (a port name the container lacks, the runtime failing): upstream's "probe errored". */
export class ProbeError extends Error {}

export interface ProbeTarget {
  runtime: ContainerRuntime;
  container: Pick<Container, "name" | "ports">;
  containerId: string;
  /** The pod's address: the default host of httpGet and tcpSocket. */
  podIP?: string;
}

/** upstream's ResolveContainerPort: a number, a numeric string, or the name of a containerPort. */
export function resolvePort(port: number | string | undefined, container: Pick<Container, "name" | "ports">): number {
  if (typeof port === "number") return port;
  if (port !== undefined && /^\d+$/.test(port)) return Number(port);
  const named = (container.ports ?? []).find((p) => p.name !== undefined && p.name === port);
  if (named?.containerPort) return named.containerPort;
  throw new ProbeError(`couldn't find port: ${port ?? ""} in ${container.name}`);
}

/** The URL an httpGet action asks for. */
export function httpGetURL(action: HTTPGetAction, container: Pick<Container, "name" | "ports">, podIP: string | undefined): URL {
  const host = action.host || podIP;
  if (!host) throw new ProbeError("the pod has no IP address yet");
  const port = resolvePort(action.port, container);
  const scheme = (action.scheme || "HTTP").toLowerCase();
  const path = action.path ? (action.path.startsWith("/") ? action.path : `/${action.path}`) : "/";
  const hostPort = host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
  return new URL(`${scheme}://${hostPort}${path}`);
}

/** One attempt of the probe; throws ProbeError when it cannot run at all. */
export async function runProbe(probe: Probe, target: ProbeTarget): Promise<ProbeOutcome> {
  const timeoutSeconds = probe.timeoutSeconds || 1;
  if (probe.exec) {
    const command = probe.exec.command ?? [];
    let r;
    try {
      r = await target.runtime.exec(target.containerId, command, timeoutSeconds);
    } catch (err) {
      throw new ProbeError((err as Error).message);
    }
    // A timed-out command fails (upstream's ExecProbeTimeout), with the runtime's timeout text.
    if (r.timedOut) return { result: "Failure", output: `command "${command.join(" ")}" timed out` };
    return { result: r.exitCode === 0 ? "Success" : "Failure", output: r.output };
  }
  if (probe.httpGet) {
    const url = httpGetURL(probe.httpGet, target.container, target.podIP);
    return httpProbe({ url, headers: probe.httpGet.httpHeaders, timeoutMs: timeoutSeconds * 1000 });
  }
  if (probe.tcpSocket) {
    const host = probe.tcpSocket.host || target.podIP;
    if (!host) throw new ProbeError("the pod has no IP address yet");
    return tcpProbe(host, resolvePort(probe.tcpSocket.port, target.container), timeoutSeconds * 1000);
  }
  if (probe.grpc) throw new ProbeError("grpc probes are not supported by this kubelet");
  throw new ProbeError("missing probe handler");
}
