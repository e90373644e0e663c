// One kind's view of a store: the kind's storage key, and its objects converted to and from
// the shape they are stored in (events.k8s.io Events live as core/v1 Events).
import { fromStorage, storageResourceOf, toStorage, type KindDef, type KubeObject } from "../apis/types.js";
import type { ListOptions, ListResult, Storage, TryUpdate, UpdateOutcome } from "../storage/interface.js";

export interface KindStorage {
  get(name: string): KubeObject | undefined;
  list(opts?: ListOptions): ListResult;
  count(after?: string): number;
  create(name: string, obj: KubeObject): KubeObject;
  guaranteedUpdate(name: string, tryUpdate: TryUpdate, opts?: { ignoreNotFound?: boolean }): UpdateOutcome;
  delete(name: string, check?: (current: KubeObject) => void): KubeObject;
}

export function kindStorage(storage: Storage, def: KindDef): KindStorage {
  const key = storageResourceOf(def);
  const from = (o: KubeObject) => fromStorage(def, o);
  const to = (o: KubeObject) => toStorage(def, o);
  return {
    get: (name) => {
      const o = storage.get(key, name);
      return o === undefined ? undefined : from(o);
    },
    list: (opts = {}) => {
      const filter = opts.filter;
      const r = storage.list(key, { ...opts, filter: filter ? (o) => filter(from(o)) : undefined });
      return { ...r, items: r.items.map(from) };
    },
    count: (after) => storage.count(key, after),
    create: (name, obj) => from(storage.create(key, name, to(obj))),
    guaranteedUpdate: (name, tryUpdate, opts) => {
      const out = storage.guaranteedUpdate(key, name, (cur) => to(tryUpdate(cur === undefined ? undefined : from(cur))), opts);
      return { ...out, object: from(out.object) };
    },
    delete: (name, check) => from(storage.delete(key, name, check ? (cur) => check(from(cur)) : undefined)),
  };
}
