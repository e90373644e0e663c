// Object names as they reach storage keys: checked before any key is built, as upstream's
// path-segment rule (no '/', '%', '.' or '..'), and generated names as upstream generates them.
import { badRequest } from "../lib/status.js";

/** Upstream's rand.String alphabet: no vowels, no confusable characters. */
const ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

export function randomSuffix(n = 5): string {
  const bytes = new Uint8Array(n);
  crypto.getRandomValues(bytes);
  let s = "";
  for (const b of bytes) s += ALPHABET[b % ALPHABET.length];
  return s;
}

/** Reasons a name cannot be used in a URL path, empty when it can (path.IsValidPathSegmentName). */
export function pathSegmentProblems(name: string): string[] {
  if (name === "." || name === "..") return [`may not be '${name}'`];
  const out: string[] = [];
  if (name.includes("/")) out.push("may not contain '/'");
  if (name.includes("%")) out.push("may not contain '%'");
  return out;
}

/** Throws 400 for names that can never be keys, whatever the kind. */
export function assertKeySafeName(name: string): void {
  if (name === "") throw badRequest("resource name may not be empty");
  const problems = pathSegmentProblems(name);
  if (problems.length) throw badRequest(`invalid resource name "${name}": [${problems.join(", ")}]`);
}
