// The agent's service proxy (kube-proxy): what the agent wires in. See proxier.ts for the orchestration,
// relay.ts for how pods on other machines are reached, iptables.ts for the alternative NAT mode.
export { HostAddresses, type ClusterIPAddresses, type HostAddressesOptions } from "./addresses.js";
export { endpointDialer, type EndpointDialer, type RelayFor } from "./dial.js";
export { applyIptablesRules, cleanupIptablesRules, iptablesRestoreScript } from "./iptables.js";
export { planServicePorts, type ProxyPlan, type ProxySnapshot, type ServiceEndpoint, type ServicePortPlan } from "./plan.js";
export { ServiceProxy, type ServicePortStats, type ServiceProxyOptions, type SyncResult } from "./proxier.js";
export { DEFAULT_RELAY_PORT, RelayServer, type RelayAddress, type RelayServerOptions } from "./relay.js";
