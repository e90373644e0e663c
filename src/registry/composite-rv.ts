// resourceVersions of lists and watches that span namespaces: one revision per namespace
// store, encoded as one opaque token. Clients treat resourceVersion as opaque, so a token
// taken from such a list or watch event can be handed back to resume, or even used as the
// precondition of a write (the store picks its own revision out of it).
const PREFIX = "ep1.";

export type Revisions = Record<string, number>;

const toB64 = (s: string) => btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const fromB64 = (s: string) => atob(s.replace(/-/g, "+").replace(/_/g, "/"));

/** Namespace names are DNS labels (ASCII), so `ns:rev` pairs joined by commas are unambiguous. */
export function encodeRevisions(revs: Revisions): string {
  const body = Object.keys(revs)
    .sort()
    .map((ns) => `${ns}:${revs[ns]}`)
    .join(",");
  return PREFIX + toB64(body);
}

export function isComposite(rv: string): boolean {
  return rv.startsWith(PREFIX);
}

/** Decodes a token; undefined if it is not a well-formed composite token. */
export function decodeRevisions(rv: string): Revisions | undefined {
  if (!isComposite(rv)) return undefined;
  let body: string;
  try {
    body = fromB64(rv.slice(PREFIX.length));
  } catch {
    return undefined;
  }
  const out: Revisions = {};
  if (body === "") return out;
  for (const part of body.split(",")) {
    const m = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?):(\d+)$/.exec(part);
    if (!m) return undefined;
    out[m[1]] = Number(m[3]);
  }
  return out;
}

/** The revision a store holding `namespace` should read from a resourceVersion precondition. */
export function revisionFor(rv: string, namespace: string): string {
  const revs = decodeRevisions(rv);
  if (!revs) return rv;
  return namespace in revs ? String(revs[namespace]) : rv;
}
