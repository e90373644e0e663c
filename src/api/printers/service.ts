// Services and Endpoints as upstream's printService (TYPE, CLUSTER-IP, EXTERNAL-IP, PORT(S)) and
// printEndpoints ("10.0.0.1:80,10.0.0.2:80 + 1 more...").
import { since } from "./duration.js";
import { ageCol, arr, col, compareStrings, formatLabels, int, nameCol, rec, str, type Json } from "./helpers.js";
import type { Printer, PrintContext, PrintedRow } from "./types.js";

export const serviceColumns = [
  nameCol(),
  col(
    "Type",
    "string",
    'type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. "ClusterIP" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is "None", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. "NodePort" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. "LoadBalancer" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. "ExternalName" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types',
  ),
  col(
    "Cluster-IP",
    "string",
    'clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are "None", empty string (""), or a valid IP address. Setting this to "None" makes a "headless service" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies',
  ),
  col(
    "External-IP",
    "string",
    "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system.",
  ),
  col(
    "Port(s)",
    "string",
    "The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies",
  ),
  ageCol(),
  col(
    "Selector",
    "string",
    "Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/",
    1,
  ),
];

/** loadBalancerStatusStringer (wide: never clipped): distinct IPs/hostnames, sorted, comma-joined. */
function loadBalancerStatus(status: Json): string {
  const result = new Set<string>();
  for (const ing of arr(rec(status.loadBalancer).ingress).map(rec)) {
    if (str(ing.ip) !== "") result.add(str(ing.ip));
    else if (str(ing.hostname) !== "") result.add(str(ing.hostname));
  }
  return [...result].sort(compareStrings).join(",");
}

function externalIP(spec: Json, status: Json): string {
  const externalIPs = arr(spec.externalIPs).map(str);
  switch (spec.type) {
    case "ClusterIP":
    case "NodePort":
      return externalIPs.length > 0 ? externalIPs.join(",") : "<none>";
    case "LoadBalancer": {
      const lbIPs = loadBalancerStatus(status);
      if (externalIPs.length > 0) {
        const results: string[] = [];
        if (lbIPs.length > 0) results.push(...lbIPs.split(","));
        results.push(...externalIPs);
        return results.join(",");
      }
      return lbIPs.length > 0 ? lbIPs : "<pending>";
    }
    case "ExternalName":
      return str(spec.externalName);
  }
  return "<unknown>";
}

/** makePortString: "80/TCP", "80:30080/TCP" with a node port. */
function portString(ports: unknown): string {
  return arr(ports)
    .map(rec)
    .map((p) => {
      const protocol = str(p.protocol) || "TCP"; // the API defaults it
      const nodePort = int(p.nodePort);
      return nodePort > 0 ? `${int(p.port)}:${nodePort}/${protocol}` : `${int(p.port)}/${protocol}`;
    })
    .join(",");
}

export function printService(obj: Json, { now }: PrintContext): PrintedRow {
  const spec = rec(obj.spec);
  const status = rec(obj.status);
  const meta = rec(obj.metadata);
  // v1 clusterIP is authoritative over clusterIPs (v1 → internal conversion).
  const clusterIP = str(spec.clusterIP) || str(arr(spec.clusterIPs)[0]) || "<none>";
  const ports = portString(spec.ports) || "<none>";
  return {
    cells: [str(meta.name), str(spec.type), clusterIP, externalIP(spec, status), ports, since(meta.creationTimestamp, now), formatLabels(spec.selector)],
  };
}

export const endpointsColumns = [
  nameCol(),
  col(
    "Endpoints",
    "string",
    "The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service.",
  ),
  ageCol(),
];

/** net.JoinHostPort: IPv6 hosts get brackets. */
function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** formatEndpoints (all ports): at most 3 "ip:port" entries, then " + N more...". */
export function formatEndpoints(endpoints: Json): string {
  const subsets = arr(endpoints.subsets).map(rec);
  if (subsets.length === 0) return "<none>";
  const list: string[] = [];
  const max = 3;
  let more = false;
  let count = 0;
  for (const ss of subsets) {
    const addresses = arr(ss.addresses).map(rec);
    const ports = arr(ss.ports).map(rec);
    if (ports.length === 0) {
      // Headless services with no ports.
      count += addresses.length;
      for (const addr of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(str(addr.ip));
      }
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const addr of addresses) {
        if (list.length === max) {
          more = true;
          break;
        }
        list.push(joinHostPort(str(addr.ip), int(port.port)));
      }
    }
  }
  const ret = list.join(",");
  return more ? `${ret} + ${count - max} more...` : ret;
}

export function printEndpoints(obj: Json, { now }: PrintContext): PrintedRow {
  const meta = rec(obj.metadata);
  return { cells: [str(meta.name), formatEndpoints(obj), since(meta.creationTimestamp, now)] };
}

export const servicePrinter: Printer = { columns: serviceColumns, print: printService };
export const endpointsPrinter: Printer = { columns: endpointsColumns, print: printEndpoints };
