// The env vars every container gets for the `kubernetes` Service of the default namespace
// (upstream's envvars.FromServices), which in-cluster clients read to find the API server:
// KUBERNETES_SERVICE_HOST/PORT, the named port, and the Docker-link style KUBERNETES_PORT_*.

export interface ApiServerAddress {
  host: string;
  port: number;
}

/** The vars for the `kubernetes` Service with its one port, named `https`, over TCP. */
export function kubernetesServiceEnv(api: ApiServerAddress): Map<string, string> {
  const prefix = "KUBERNETES";
  const port = String(api.port);
  // net.JoinHostPort: an IPv6 address is bracketed in the URL forms.
  const hostPort = api.host.includes(":") ? `[${api.host}]:${port}` : `${api.host}:${port}`;
  const url = `tcp://${hostPort}`;
  const link = `${prefix}_PORT_${port}_TCP`;
  return new Map([
    [`${prefix}_SERVICE_HOST`, api.host],
    [`${prefix}_SERVICE_PORT`, port],
    [`${prefix}_SERVICE_PORT_HTTPS`, port],
    [`${prefix}_PORT`, url],
    [link, url],
    [`${link}_PROTO`, "tcp"],
    [`${link}_PORT`, port],
    [`${link}_ADDR`, api.host],
  ]);
}
