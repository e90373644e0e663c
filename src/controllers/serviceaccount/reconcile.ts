// The ServiceAccounts reconciler, in each namespace store; its key is the namespace. Reads the
// store it runs in; asks the cluster store whether the namespace is active only when something
// is missing.
import { findKind } from "../../apis/index.js";
import { StatusError } from "../../lib/status.js";
import type { GenericStore } from "../../registry/generic-store.js";
import { type ReconcileResult, type Reconciler, splitKey } from "../runtime/reconciler.js";
import type { NamespaceActive } from "./namespace.js";
import { missingServiceAccounts, serviceAccountObject } from "./plan.js";

export const SERVICE_ACCOUNTS_RECONCILER = "serviceaccount";
export const FIELD_MANAGER = "kube-controller-manager";

const SERVICE_ACCOUNTS = findKind("", "v1", "serviceaccounts")!;

export function exists(store: GenericStore, def: typeof SERVICE_ACCOUNTS, name: string): boolean {
  try {
    store.get(def, name);
    return true;
  } catch (e) {
    if (e instanceof StatusError && e.code === 404) return false;
    throw e;
  }
}

export class ServiceAccountsReconciler implements Reconciler {
  readonly name = SERVICE_ACCOUNTS_RECONCILER;

  constructor(private readonly o: { storeFor: (namespace: string) => GenericStore; namespaceActive: NamespaceActive }) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const { name: namespace } = splitKey(key);
    const store = this.o.storeFor(namespace);
    const missing = missingServiceAccounts((n) => exists(store, SERVICE_ACCOUNTS, n));
    if (missing.length === 0 || !(await this.o.namespaceActive(namespace))) return;
    for (const name of missing) {
      try {
        store.create(SERVICE_ACCOUNTS, serviceAccountObject(name), { fieldManager: FIELD_MANAGER });
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 409)) throw e; // made meanwhile: done
      }
    }
  }
}
