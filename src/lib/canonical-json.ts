// JSON with object keys sorted, for comparing and hashing objects whatever order their keys
// arrived in. `dropEmpty` also leaves out empty objects and lists, as Go's zero values compare.
export function canonicalJson(v: unknown, opts: { dropEmpty?: boolean } = {}): string {
  return JSON.stringify(normalize(v, !!opts.dropEmpty)) ?? "null";
}

function isEmpty(v: unknown): boolean {
  if (Array.isArray(v)) return v.length === 0;
  return v !== null && typeof v === "object" && Object.keys(v).length === 0;
}

function normalize(v: unknown, dropEmpty: boolean): unknown {
  if (Array.isArray(v)) return v.map((x) => normalize(x, dropEmpty));
  if (v === null || typeof v !== "object") return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const inner = normalize((v as Record<string, unknown>)[k], dropEmpty);
    if (inner !== undefined && !(dropEmpty && isEmpty(inner))) out[k] = inner;
  }
  return out;
}
