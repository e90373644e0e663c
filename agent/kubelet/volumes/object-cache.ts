// ConfigMap and Secret reads shared across pods and syncs for a short while: every pod's
// kube-api-access volume reads kube-root-ca.crt, and a pod syncs several times as it starts.
// Only objects that exist are kept, so one created after a failed mount is seen at once.
import type { ObjectSource } from "./object-source.js";

export function cachingObjectSource(source: ObjectSource, ttlMs: number, now: () => number = Date.now): ObjectSource {
  if (ttlMs <= 0) return source;
  const entries = new Map<string, { at: number; value: unknown }>();
  const cached = <T>(key: string, read: () => Promise<T | undefined>) => async (): Promise<T | undefined> => {
    const t = now();
    const hit = entries.get(key);
    if (hit && t - hit.at < ttlMs && t >= hit.at) return hit.value as T;
    const value = await read();
    if (value === undefined) entries.delete(key);
    else entries.set(key, { at: t, value });
    // Expired entries of objects no pod reads any more are dropped as they are passed.
    for (const [k, e] of entries) if (t - e.at >= ttlMs) entries.delete(k);
    return value;
  };
  return {
    configMap: (ns, name) => cached(`configmap/${ns}/${name}`, () => source.configMap(ns, name))(),
    secret: (ns, name) => cached(`secret/${ns}/${name}`, () => source.secret(ns, name))(),
    serviceAccountToken: (ns, sa, req) => source.serviceAccountToken(ns, sa, req),
  };
}
