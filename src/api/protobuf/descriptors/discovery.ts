// Why this exists: field tables for discovery.k8s.io/v1 EndpointSlice (k8s.io/api/discovery/v1
// generated.proto), so clients that write built-in kinds as protobuf (client-go based controllers)
// can write slices. Names are prefixed where core/v1 has a message of the same name (EndpointPort).

import type { MessageTable } from "./types.js";

export const DISCOVERY: MessageTable = {
  EndpointSlice: "1 metadata ObjectMeta, 4 addressType string!, 2 endpoints DiscoveryEndpoint[]!, 3 ports DiscoveryEndpointPort[]",
  DiscoveryEndpoint:
    "1 addresses string[]!, 2 conditions DiscoveryEndpointConditions, 3 hostname string!, 4 targetRef ObjectReference, " +
    "5 deprecatedTopology map<string>, 6 nodeName string!, 7 zone string!, 8 hints DiscoveryEndpointHints",
  DiscoveryEndpointConditions: "1 ready bool!, 2 serving bool!, 3 terminating bool!",
  DiscoveryEndpointHints: "1 forZones DiscoveryForZone[]",
  DiscoveryForZone: "1 name string!",
  DiscoveryEndpointPort: "1 name string!, 2 protocol string!, 3 port int32!, 4 appProtocol string!",
};
