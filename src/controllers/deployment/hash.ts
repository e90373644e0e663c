// pod-template-hash: upstream's controller.ComputeHash (FNV-32a over the template, the
// collisionCount appended as 8 little-endian bytes, the decimal sum mapped through
// rand.SafeEncodeString). Upstream hashes Go's spew dump of the typed struct, which a JSON
// object cannot reproduce; edgeplane hashes canonical JSON of the template instead, so its hash
// is deterministic and changes exactly when the template does, but is not byte-identical to
// the hash kube-controller-manager would compute for the same template.
import type { PodTemplateSpec } from "../../apis/core/v1/podspec.js";
import { canonicalJson } from "../../lib/canonical-json.js";

export const POD_TEMPLATE_HASH_LABEL = "pod-template-hash";

/** rand.SafeEncodeString's alphabet: no vowels (no words), no confusable characters. */
const SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** FNV-32a of bytes, continuing from `hash` (the offset basis by default). */
export function fnv32a(bytes: Uint8Array, hash = 0x811c9dc5): number {
  let h = hash;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** rand.SafeEncodeString: each byte mapped to alphabet[byte % 27]. */
export function safeEncodeString(s: string): string {
  let out = "";
  for (const b of new TextEncoder().encode(s)) out += SAFE_ALPHABET[b % SAFE_ALPHABET.length];
  return out;
}

/**
 * JSON with sorted keys, where empty objects and lists count as absent, as apimachinery's
 * semantic equality treats nil and empty maps and slices alike.
 */
export const canonicalJSON = (v: unknown): string => canonicalJson(v, { dropEmpty: true });

/** controller.ComputeHash. */
export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonicalJSON(template)));
  if (collisionCount !== undefined && collisionCount !== null) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(bytes, h);
  }
  return safeEncodeString(String(h));
}

function withoutHash(t: PodTemplateSpec): PodTemplateSpec {
  const labels = { ...(t.metadata?.labels ?? {}) };
  delete labels[POD_TEMPLATE_HASH_LABEL];
  return { ...t, metadata: { ...(t.metadata ?? {}), labels } };
}

/** deploymentutil.EqualIgnoreHash: semantic equality ignoring the pod-template-hash label. */
export function equalIgnoreHash(a: PodTemplateSpec, b: PodTemplateSpec): boolean {
  return canonicalJSON(withoutHash(a)) === canonicalJSON(withoutHash(b));
}
