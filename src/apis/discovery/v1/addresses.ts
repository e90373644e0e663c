// The address validators EndpointSlice validation needs (k8s.io/apimachinery's IsValidIPv4Address,
// IsValidIPv6Address, IsFullyQualifiedDomainName and core validation's ValidateEndpointIP), with
// Go's net.ParseIP rules (netutils.ParseIPSloppy: IPv4 parts may carry leading zeros).
import { type FieldError, invalid, required } from "../../../lib/field-errors.js";
import { isDNS1123Label, isDNS1123Subdomain } from "../../validation.js";

/** The 16 bytes of an address as Go holds it (IPv4 as ::ffff:a.b.c.d), or undefined when unparseable. */
export function parseIP(text: string): Uint8Array | undefined {
  if (text.includes(".") && !text.includes(":")) {
    const v4 = parseIPv4(text);
    if (!v4) return undefined;
    const out = new Uint8Array(16);
    out[10] = 0xff;
    out[11] = 0xff;
    out.set(v4, 12);
    return out;
  }
  return text.includes(":") ? parseIPv6(text) : undefined;
}

function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i]) || Number(parts[i]) > 255) return undefined;
    out[i] = Number(parts[i]);
  }
  return out;
}

function parseIPv6(text: string): Uint8Array | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === "") return [];
    const out: number[] = [];
    const parts = s.split(":");
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes(".")) {
        const v4 = parseIPv4(p);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) {
        out.push(parseInt(p, 16));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return undefined;
  // An embedded IPv4 address may only end the address.
  if (halves.length === 2 && halves[0].includes(".")) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** Go's IP.To4: the IPv4 bytes of an IPv4 or IPv4-mapped address. */
function to4(ip: Uint8Array): Uint8Array | undefined {
  for (let i = 0; i < 10; i++) if (ip[i] !== 0) return undefined;
  return ip[10] === 0xff && ip[11] === 0xff ? ip.subarray(12) : undefined;
}

/** utilnet.IsIPv6String: a parseable address that is not IPv4. */
export function isIPv6String(text: string): boolean {
  const ip = parseIP(text);
  return ip !== undefined && to4(ip) === undefined;
}

export function validateIPv4Address(path: string, value: string): FieldError[] {
  const ip = parseIP(value);
  return ip && to4(ip) ? [] : [invalid(path, value, "must be a valid IPv4 address")];
}

export function validateIPv6Address(path: string, value: string): FieldError[] {
  const ip = parseIP(value);
  return ip && !to4(ip) ? [] : [invalid(path, value, "must be a valid IPv6 address")];
}

/**
 * ValidateEndpointIP: no unspecified, loopback, link-local or link-local multicast addresses,
 * which make no sense as a destination (link-local ones tend to be node services such as metadata).
 */
export function validateEndpointIP(value: string, path: string): FieldError[] {
  const ip = parseIP(value);
  if (!ip) return [invalid(path, value, "must be a valid IP address")];
  const v4 = to4(ip);
  const errs: FieldError[] = [];
  const unspecified = v4 ? v4.every((b) => b === 0) : ip.every((b) => b === 0);
  const loopback = v4 ? v4[0] === 127 : ip.subarray(0, 15).every((b) => b === 0) && ip[15] === 1;
  const linkLocalUnicast = v4 ? v4[0] === 169 && v4[1] === 254 : ip[0] === 0xfe && (ip[1] & 0xc0) === 0x80;
  const linkLocalMulticast = v4 ? v4[0] === 224 && v4[1] === 0 && v4[2] === 0 : ip[0] === 0xff && (ip[1] & 0x0f) === 0x02;
  if (unspecified) errs.push(invalid(path, value, `may not be unspecified (${value})`));
  if (loopback) errs.push(invalid(path, value, "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
  if (linkLocalUnicast) errs.push(invalid(path, value, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
  if (linkLocalMulticast) errs.push(invalid(path, value, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"));
  return errs;
}

/** IsFullyQualifiedDomainName: a DNS subdomain of at least two labels; one trailing dot allowed. */
export function validateFullyQualifiedDomainName(path: string, value: string): FieldError[] {
  if (value.length === 0) return [required(path, "")];
  const name = value.endsWith(".") ? value.slice(0, -1) : value;
  const subdomain = isDNS1123Subdomain(name);
  if (subdomain.length) return [invalid(path, name, subdomain.join(","))];
  const labels = name.split(".");
  if (labels.length < 2) return [invalid(path, name, "should be a domain with at least two segments separated by dots")];
  for (const label of labels) {
    const errs = isDNS1123Label(label);
    if (errs.length) return [invalid(path, label, errs.join(","))];
  }
  return [];
}
