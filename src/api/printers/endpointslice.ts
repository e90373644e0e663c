// discovery.k8s.io/v1 EndpointSlices as upstream's printEndpointSlice: ADDRESSTYPE, PORTS
// ("80,443", a port's name when it has no number, "*" with neither) and ENDPOINTS (the first
// three addresses, then " + N more..."), "<unset>" for an empty list.
import { since } from "./duration.js";
import { ageCol, arr, col, intOrNil, nameCol, rec, str, type Json } from "./helpers.js";
import type { Printer, PrintContext, PrintedRow } from "./types.js";

export const endpointSliceColumns = [
  nameCol(),
  col(
    "AddressType",
    "string",
    "addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name.",
  ),
  col(
    "Ports",
    "string",
    'ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates "all ports". Each slice may include a maximum of 100 ports.',
  ),
  col("Endpoints", "string", "endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints."),
  ageCol(),
];

const MAX = 3;

/** listWithMoreString. */
function listWithMore(list: string[], more: boolean, count: number): string {
  const ret = list.join(",");
  if (more) return `${ret} + ${count - MAX} more...`;
  return ret === "" ? "<unset>" : ret;
}

/** formatDiscoveryPorts. */
export function formatDiscoveryPorts(ports: unknown): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const p of arr(ports).map(rec)) {
    if (list.length < MAX) {
      const port = intOrNil(p.port);
      list.push(port !== undefined ? String(port) : typeof p.name === "string" ? p.name : "*");
    } else if (list.length === MAX) {
      more = true;
    }
    count++;
  }
  return listWithMore(list, more, count);
}

/** formatDiscoveryEndpoints: every address of every endpoint counts. */
export function formatDiscoveryEndpoints(endpoints: unknown): string {
  const list: string[] = [];
  let more = false;
  let count = 0;
  for (const ep of arr(endpoints).map(rec)) {
    for (const address of arr(ep.addresses)) {
      if (list.length < MAX) list.push(str(address));
      else if (list.length === MAX) more = true;
      count++;
    }
  }
  return listWithMore(list, more, count);
}

export function printEndpointSlice(obj: Json, { now }: PrintContext): PrintedRow {
  const meta = rec(obj.metadata);
  return { cells: [str(meta.name), str(obj.addressType), formatDiscoveryPorts(obj.ports), formatDiscoveryEndpoints(obj.endpoints), since(meta.creationTimestamp, now)] };
}

export const endpointSlicePrinter: Printer = { columns: endpointSliceColumns, print: printEndpointSlice };
