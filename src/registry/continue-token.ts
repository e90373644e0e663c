// The list `continue` token: the snapshot revision and the last key served, opaque to clients
// (upstream encodes the same two things).
import { badRequest } from "../lib/status.js";

interface Token {
  v: "meta.k8s.io/v1";
  rv: number;
  start: string;
}

const b64 = (s: string) => btoa(String.fromCharCode(...new TextEncoder().encode(s))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const unb64 = (s: string) => new TextDecoder().decode(Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)));

export function encodeContinue(rv: number, lastName: string): string {
  const t: Token = { v: "meta.k8s.io/v1", rv, start: lastName };
  return b64(JSON.stringify(t));
}

/**
 * A token for an inconsistent continuation: the rest of the list from the same key, read at
 * the newest revision (what a 410 for a compacted snapshot hands back, as upstream).
 */
export function encodeInconsistentContinue(lastName: string): string {
  return encodeContinue(-1, lastName);
}

/** `rv` is -1 for an inconsistent continuation (read the newest revision). */
export function decodeContinue(token: string): { rv: number; startAfter: string } {
  let t: Token;
  try {
    t = JSON.parse(unb64(token));
  } catch {
    throw badRequest(`continue key is not valid: illegal base64 data`);
  }
  if (!t || t.v !== "meta.k8s.io/v1" || typeof t.rv !== "number" || typeof t.start !== "string" || t.rv < -1) {
    throw badRequest(`continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)`);
  }
  return { rv: t.rv, startAfter: t.start };
}
