// Time as the API writes it: RFC 3339 in UTC with second precision (metav1.Time).
export type Clock = () => number;

export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** metav1.MicroTime, as events.k8s.io eventTime and Lease renewTime use. */
export function rfc3339Micro(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
