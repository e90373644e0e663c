// Compact JWS tokens signed RS256 (RFC 7515/7519), as pkg/serviceaccount/jwt.go makes them with
// go-jose: header {alg, kid}, claims in go-jose's (sorted) order, and its time checks with the
// one-minute leeway (jwt.DefaultLeeway).
import { base64urlDecode, base64urlDecodeText, base64urlEncode, base64urlEncodeText } from "./base64url.js";
import type { SigningKey } from "./keys.js";

export interface JwtHeader {
  alg?: unknown;
  kid?: unknown;
  typ?: unknown;
}

/** Registered claims plus private ones (kubernetes.io, edgeplane.dev/node). */
export interface JwtClaims {
  iss?: unknown;
  sub?: unknown;
  aud?: unknown;
  exp?: unknown;
  nbf?: unknown;
  iat?: unknown;
  jti?: unknown;
  [claim: string]: unknown;
}

export interface ParsedJwt {
  header: JwtHeader;
  claims: JwtClaims;
  signingInput: string;
  signature: Uint8Array;
}

/** go-jose's jwt.DefaultLeeway. */
export const LEEWAY_SECONDS = 60;

const SIGN = { name: "RSASSA-PKCS1-v1_5" } as const;

/** Signs the claims; keys are written sorted, as go-jose marshals the merged claim map. */
export async function signJwt(claims: JwtClaims, key: SigningKey): Promise<string> {
  const header = { alg: "RS256", kid: key.kid };
  const sorted = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const input = `${base64urlEncodeText(JSON.stringify(header))}.${base64urlEncodeText(JSON.stringify(sorted))}`;
  const signature = await crypto.subtle.sign(SIGN, key.privateKey, new TextEncoder().encode(input));
  return `${input}.${base64urlEncode(signature)}`;
}

/** The token's parts without checking anything; undefined unless it has a JWT's shape. */
export function parseJwt(token: string): ParsedJwt | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const headerText = base64urlDecodeText(parts[0]);
  const claimsText = base64urlDecodeText(parts[1]);
  const signature = base64urlDecode(parts[2]);
  if (headerText === undefined || claimsText === undefined || !signature) return undefined;
  let header: unknown;
  let claims: unknown;
  try {
    header = JSON.parse(headerText);
    claims = JSON.parse(claimsText);
  } catch {
    return undefined;
  }
  if (!isRecord(header) || !isRecord(claims)) return undefined;
  return { header, claims, signingInput: `${parts[0]}.${parts[1]}`, signature };
}

/** Whether `key` signed the token: RS256 only, and a kid (when given) must be the key's. */
export async function verifySignature(jwt: ParsedJwt, key: SigningKey): Promise<boolean> {
  if (jwt.header.alg !== "RS256") return false;
  if (jwt.header.kid !== undefined && jwt.header.kid !== key.kid) return false;
  return crypto.subtle.verify(SIGN, key.publicKey, jwt.signature, new TextEncoder().encode(jwt.signingInput));
}

export type TimeValidity = "valid" | "expired" | "notYetValid" | "issuedInFuture" | "malformed";

/** go-jose's Claims.Validate with DefaultLeeway; our tokens always carry exp, so one without is malformed. */
export function timeValidity(claims: JwtClaims, nowMs: number): TimeValidity {
  const now = nowMs / 1000;
  const { exp, nbf, iat } = claims;
  if (typeof exp !== "number") return "malformed";
  if ((nbf !== undefined && typeof nbf !== "number") || (iat !== undefined && typeof iat !== "number")) return "malformed";
  if (typeof nbf === "number" && now + LEEWAY_SECONDS < nbf) return "notYetValid";
  if (now - LEEWAY_SECONDS > exp) return "expired";
  if (typeof iat === "number" && now + LEEWAY_SECONDS < iat) return "issuedInFuture";
  return "valid";
}

/** The aud claim as a list (a single string is a one-element audience). */
export function audiencesOf(claims: JwtClaims): string[] {
  const aud = claims.aud;
  if (typeof aud === "string") return [aud];
  if (Array.isArray(aud)) return aud.filter((a): a is string => typeof a === "string");
  return [];
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
