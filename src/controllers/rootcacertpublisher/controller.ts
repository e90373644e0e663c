// The root CA certificate publisher, in each namespace store: its key is the namespace; a write
// to kube-root-ca.crt (an edit or a delete) enqueues it, and so does every resync. The CA is the
// Worker variable KUBE_ROOT_CA_CERT (`edgeplane up` passes its local CA); without it nothing is
// published, as on Cloudflare where the API's certificate is a public one clients already trust.
import { findKind } from "../../apis/index.js";
import type { KubeObject } from "../../apis/types.js";
import { StatusError } from "../../lib/status.js";
import type { GenericStore } from "../../registry/generic-store.js";
import type { Controller } from "../controller.js";
import type { ControllerDeps } from "../registry.js";
import { type ReconcileResult, type Reconciler, splitKey } from "../runtime/reconciler.js";
import { namespaceActiveVia, type NamespaceActive } from "../serviceaccount/namespace.js";
import { FIELD_MANAGER } from "../serviceaccount/reconcile.js";
import { planRootCA, ROOT_CA_CONFIGMAP } from "./plan.js";

export const ROOT_CA_RECONCILER = "root-ca-cert-publisher";
const CONFIGMAPS = findKind("", "v1", "configmaps")!;

export class RootCACertPublisher implements Reconciler {
  readonly name = ROOT_CA_RECONCILER;

  constructor(private readonly o: { storeFor: (namespace: string) => GenericStore; rootCA: () => string | undefined; namespaceActive: NamespaceActive }) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const pem = this.o.rootCA();
    if (!pem) return;
    const { name: namespace } = splitKey(key);
    const store = this.o.storeFor(namespace);
    const p = planRootCA(this.get(store), pem);
    if (p.action === "none") return;
    if (p.action === "update") {
      // resourceVersion in the object is the precondition: a concurrent edit is a 409 and a retry.
      store.update(CONFIGMAPS, ROOT_CA_CONFIGMAP, p.object, undefined, { fieldManager: FIELD_MANAGER });
      return;
    }
    if (!(await this.o.namespaceActive(namespace))) return;
    try {
      store.create(CONFIGMAPS, p.object, { fieldManager: FIELD_MANAGER });
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 409)) throw e;
      return { requeueAfterMs: 0 }; // made meanwhile: check its content
    }
  }

  private get(store: GenericStore): KubeObject | undefined {
    try {
      return store.get(CONFIGMAPS, ROOT_CA_CONFIGMAP);
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) return undefined;
      throw e;
    }
  }
}

export function rootCACertPublisher(deps: ControllerDeps): Controller {
  const rootCA = () => deps.env.KUBE_ROOT_CA_CERT?.trim() || undefined;
  return {
    reconciler: new RootCACertPublisher({ storeFor: deps.storeFor, rootCA, namespaceActive: namespaceActiveVia(deps.env) }),
    keysFor(e, ctx) {
      if (!rootCA() || e.resource !== "configmaps" || e.name !== ROOT_CA_CONFIGMAP || e.type === "ADDED") return [];
      return [ctx.namespace];
    },
    resyncKeys(ctx) {
      return rootCA() ? [ctx.namespace] : [];
    },
  };
}
