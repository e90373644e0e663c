// The env vars of Services (upstream's envvars.FromServices and the kubelet's
// getServiceEnvVarMap): for every Service of the pod's namespace with a cluster IP (when
// enableServiceLinks, the default) and the `kubernetes` Service of default (always),
// NAME_SERVICE_HOST/PORT, a var per named port, and the Docker-link style NAME_PORT_*.
import type { Service } from "../../../src/apis/core/v1/service.js";

export interface ApiServerAddress {
  host: string;
  port: number;
}

/** What the vars are made of: a Service's name, cluster IP and ports. */
export interface ServiceEnvSource {
  name: string;
  clusterIP: string;
  ports: Array<{ name?: string; port: number; protocol?: string }>;
}

/** Upstream's makeEnvVariableName: upper case, '-' as '_'. */
const envName = (s: string) => s.replace(/-/g, "_").toUpperCase();

/** net.JoinHostPort: an IPv6 address is bracketed. */
const joinHostPort = (host: string, port: number) => (host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`);

/** The vars of some Services, in the order given. */
export function servicesEnv(services: ServiceEnvSource[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const svc of services) {
    if (!svc.clusterIP || svc.clusterIP === "None" || !svc.ports.length) continue;
    const prefix = envName(svc.name);
    out.set(`${prefix}_SERVICE_HOST`, svc.clusterIP);
    out.set(`${prefix}_SERVICE_PORT`, String(svc.ports[0].port));
    for (const p of svc.ports) if (p.name) out.set(`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port));
    svc.ports.forEach((p, i) => {
      const protocol = (p.protocol || "TCP").toLowerCase();
      const url = `${protocol}://${joinHostPort(svc.clusterIP, p.port)}`;
      // Docker special-cases the first port.
      if (i === 0) out.set(`${prefix}_PORT`, url);
      const link = `${prefix}_PORT_${p.port}_${protocol.toUpperCase()}`;
      out.set(link, url);
      out.set(`${link}_PROTO`, protocol);
      out.set(`${link}_PORT`, String(p.port));
      out.set(`${link}_ADDR`, svc.clusterIP);
    });
  }
  return out;
}

/** The `kubernetes` Service's vars when its address is the control plane's own (no service proxy). */
export function kubernetesServiceEnv(api: ApiServerAddress): Map<string, string> {
  return servicesEnv([{ name: "kubernetes", clusterIP: api.host, ports: [{ name: "https", port: api.port, protocol: "TCP" }] }]);
}

const sourceOf = (svc: Service): ServiceEnvSource => ({ name: svc.metadata.name ?? "", clusterIP: svc.spec.clusterIP ?? "", ports: svc.spec.ports ?? [] });

/**
 * The kubelet's choice of Services for a pod: the `kubernetes` Service of default always, and
 * with enableServiceLinks every Service of the pod's namespace (one of the same name wins).
 * `inNamespace` gives a namespace's Services.
 */
export function podServicesEnv(namespace: string, enableServiceLinks: boolean, inNamespace: (ns: string) => Service[]): Map<string, string> {
  const chosen = new Map<string, Service>();
  // Only Services with an address count (upstream's IsServiceIPSet), so a headless one never hides default's `kubernetes`.
  const hasIP = (s: Service) => !!s.spec.clusterIP && s.spec.clusterIP !== "None";
  if (enableServiceLinks) for (const svc of inNamespace(namespace)) if (hasIP(svc)) chosen.set(svc.metadata.name ?? "", svc);
  const master = inNamespace("default").find((s) => s.metadata.name === "kubernetes" && hasIP(s));
  if (master && !chosen.has("kubernetes")) chosen.set("kubernetes", master);
  const sorted = [...chosen.values()].sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""));
  return servicesEnv(sorted.map(sourceOf));
}
