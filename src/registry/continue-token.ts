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

export function decodeContinue(token: string): { rv: number; startAfter: string } {
  let t: Token;
  try {
    t = JSON.parse(unb64(token));
  } catch {
    throw badRequest(`continue key is not valid: illegal base64 data`);
  }
  if (!t || t.v !== "meta.k8s.io/v1" || typeof t.rv !== "number" || typeof t.start !== "string" || t.rv < 0) {
    throw badRequest(`continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)`);
  }
  return { rv: t.rv, startAfter: t.start };
}
