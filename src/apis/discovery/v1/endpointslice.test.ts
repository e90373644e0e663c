import { describe, expect, it } from "vitest";
import { fieldErrorMessage } from "../../../lib/field-errors.js";
import { admit } from "../../testing.js";
import { isIPv6String, parseIP, validateEndpointIP, validateFullyQualifiedDomainName } from "./addresses.js";
import { endpointSliceDef } from "./endpointslice.js";

const slice = (extra: Record<string, unknown> = {}) => ({
  metadata: { name: "hello", namespace: "world" },
  addressType: "IPv4",
  ports: [{ name: "http", protocol: "TCP", port: 80 }],
  endpoints: [{ addresses: ["10.1.2.3"], hostname: "valid-123" }],
  ...extra,
});
const errors = (extra: Record<string, unknown>) => admit(endpointSliceDef, slice(extra)).errors;

describe("EndpointSlice", () => {
  it("defaults a port's name to empty and its protocol to TCP", () => {
    const { obj, errors: errs } = admit(endpointSliceDef, slice({ ports: [{ port: 80 }] }));
    expect(errs).toEqual([]);
    expect(obj.ports).toEqual([{ name: "", protocol: "TCP", port: 80 }]);
  });

  it("accepts upstream's good slices", () => {
    expect(errors({})).toEqual([]);
    expect(errors({ addressType: "IPv6", endpoints: [{ addresses: ["a00:100::4"] }] })).toEqual([]);
    expect(errors({ addressType: "FQDN", endpoints: [{ addresses: ["foo.example.com", "example.com", "example.com.", "hyphens-are-good.example.com"] }] })).toEqual([]);
    expect(errors({ ports: [{ name: "tcp", protocol: "TCP" }, { name: "udp", protocol: "UDP" }, { name: "sctp", protocol: "SCTP" }] })).toEqual([]);
    expect(errors({ ports: [{ name: "", protocol: "TCP" }, { name: "http", protocol: "TCP", appProtocol: "example.com/custom-protocol" }] })).toEqual([]);
    expect(errors({ ports: [], endpoints: [] })).toEqual([]);
    expect(errors({ ports: Array.from({ length: 100 }, (_, i) => ({ name: `p${i}`, port: 1 })) })).toEqual([]);
    expect(errors({ endpoints: Array.from({ length: 1000 }, (_, i) => ({ addresses: [`10.0.${i >> 8}.${(i & 255) || 1}`] })) })).toEqual([]);
    expect(errors({ endpoints: [{ addresses: ["10.0.0.1"], hints: { forZones: [{ name: "zone-a" }] }, nodeName: "node-1" }] })).toEqual([]);
  });

  it("requires a supported addressType, immutable once set", () => {
    expect(errors({ addressType: "" })).toEqual(["addressType: Required value"]);
    expect(errors({ addressType: "IP" })).toEqual(['addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"']);
    const old = admit(endpointSliceDef, slice()).obj;
    const next = admit(endpointSliceDef, slice({ addressType: "IPv6", endpoints: [] })).obj;
    expect(endpointSliceDef.validateUpdate!(next, old).map(fieldErrorMessage)).toEqual(['addressType: Invalid value: "IPv6": field is immutable']);
  });

  it("limits endpoints, addresses and ports with upstream's Too many", () => {
    expect(errors({ endpoints: Array.from({ length: 1001 }, () => ({ addresses: ["10.0.0.1"] })) })).toEqual(["endpoints: Too many: 1001: must have at most 1000 items"]);
    expect(errors({ endpoints: [{ addresses: Array.from({ length: 101 }, () => "10.0.0.1") }] })).toEqual(["endpoints[0].addresses: Too many: 101: must have at most 100 items"]);
    expect(errors({ ports: Array.from({ length: 101 }, (_, i) => ({ name: `p${i}` })) })).toEqual(["ports: Too many: 101: must have at most 100 items"]);
    expect(errors({ endpoints: [{ addresses: [] }] })).toEqual(["endpoints[0].addresses: Required value: must contain at least 1 address"]);
  });

  it("validates addresses for the addressType", () => {
    expect(errors({ endpoints: [{ addresses: ["123.456.789.012", "2001:4860:4860::8888"] }] })).toEqual([
      'endpoints[0].addresses[0]: Invalid value: "123.456.789.012": must be a valid IPv4 address',
      'endpoints[0].addresses[1]: Invalid value: "2001:4860:4860::8888": must be a valid IPv4 address',
    ]);
    expect(errors({ addressType: "IPv6", endpoints: [{ addresses: ["10.0.0.1", "2001:4860:4860:defg"] }] })).toEqual([
      'endpoints[0].addresses[0]: Invalid value: "10.0.0.1": must be a valid IPv6 address',
      'endpoints[0].addresses[1]: Invalid value: "2001:4860:4860:defg": must be a valid IPv6 address',
    ]);
    expect(errors({ endpoints: [{ addresses: ["127.0.0.1", "0.0.0.0", "169.254.169.254", "224.0.0.1"] }] })).toEqual([
      'endpoints[0].addresses[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      'endpoints[0].addresses[1]: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)',
      'endpoints[0].addresses[2]: Invalid value: "169.254.169.254": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
      'endpoints[0].addresses[3]: Invalid value: "224.0.0.1": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)',
    ]);
    expect(errors({ addressType: "FQDN", endpoints: [{ addresses: ["foo.*", "FOO.example.com", "underscores_are_bad.example.com", "*.example.com"] }] })).toHaveLength(4);
  });

  it("validates hostname, nodeName, topology, hints and ports as upstream", () => {
    expect(errors({ endpoints: [{ addresses: ["10.0.0.1"], hostname: "--INVALID" }] })).toEqual([
      `endpoints[0].hostname: Invalid value: "--INVALID": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    ]);
    expect(errors({ endpoints: [{ addresses: ["10.0.0.1"], nodeName: "Node_1" }] })[0]).toMatch(/^endpoints\[0\]\.nodeName: Invalid value: "Node_1": a lowercase RFC 1123 subdomain/);
    expect(errors({ endpoints: [{ addresses: ["10.0.0.1"], deprecatedTopology: { "--INVALID": "example" } }] })).toHaveLength(1);
    expect(errors({ endpoints: [{ addresses: ["10.0.0.1"], hints: { forZones: [{ name: "a" }, { name: "b" }, { name: "a" }] } }] })).toEqual(['endpoints[0].hints.forZones[2].name: Duplicate value: "a"']);
    expect(errors({ ports: [{ name: "", protocol: "TCP" }, { name: "", protocol: "TCP" }] })).toEqual(['ports[1].name: Duplicate value: ""']);
    expect(errors({ ports: [{ name: "aCapital", protocol: "TCP" }] })[0]).toMatch(/^ports\[0\]\.name: Invalid value: "aCapital"/);
    expect(errors({ ports: [{ name: "http", protocol: "foo" }] })).toEqual(['ports[0].protocol: Unsupported value: "foo": supported values: "SCTP", "TCP", "UDP"']);
    expect(errors({ ports: [{ name: "http", appProtocol: "--" }] })).toHaveLength(1);
  });
});

describe("address parsing (Go's net.ParseIP)", () => {
  it("parses IPv4 (leading zeros allowed), IPv6 and mapped forms", () => {
    expect(parseIP("010.001.002.003")).toBeDefined();
    expect(parseIP("1.2.3")).toBeUndefined();
    for (const ok of ["::", "::1", "fe80::1", "2001:db8::8a2e:370:7334", "1:2:3:4:5:6:7::", "::ffff:1.2.3.4", "1:2:3:4:5:6:7:8"]) expect(parseIP(ok), ok).toBeDefined();
    for (const bad of ["1::2::3", ":1", "1:2:3:4:5:6:7:8:9", "12345::", "1.2.3.4::", "fe80::1%eth0", ""]) expect(parseIP(bad), bad).toBeUndefined();
    expect(isIPv6String("::ffff:1.2.3.4")).toBe(false);
    expect(isIPv6String("fd00::1")).toBe(true);
  });

  it("refuses special IPv6 endpoint addresses, and checks FQDNs", () => {
    expect(validateEndpointIP("::1", "a").map(fieldErrorMessage)).toEqual(['a: Invalid value: "::1": may not be in the loopback range (127.0.0.0/8, ::1/128)']);
    expect(validateEndpointIP("fe80::1", "a")).toHaveLength(1);
    expect(validateEndpointIP("ff02::1", "a")).toHaveLength(1);
    expect(validateEndpointIP("fd00::1", "a")).toEqual([]);
    expect(validateFullyQualifiedDomainName("a", "localhost").map(fieldErrorMessage)).toEqual(['a: Invalid value: "localhost": should be a domain with at least two segments separated by dots']);
  });
});
