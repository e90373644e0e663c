// What the service-account token authenticator asks a namespace's store in one RPC: does the
// account still exist (and its bound pod or secret), with which uid, deleted since when. Only
// these summaries cross the RPC boundary, never the objects (a Secret's data stays put).
import { findKind } from "../../apis/index.js";
import type { KubeObject } from "../../apis/types.js";
import { StatusError } from "../../lib/status.js";
import type { GenericStore } from "../../registry/generic-store.js";

export interface ReferentQuery {
  serviceAccount: string;
  pod?: string;
  secret?: string;
}

export interface Referent {
  uid: string;
  /** RFC 3339, when the object is being deleted. */
  deletionTimestamp?: string;
}

export interface Referents {
  serviceAccount?: Referent;
  pod?: Referent;
  secret?: Referent;
}

const SERVICE_ACCOUNTS = findKind("", "v1", "serviceaccounts")!;
const PODS = findKind("", "v1", "pods")!;
const SECRETS = findKind("", "v1", "secrets")!;

export function tokenReferents(store: GenericStore, q: ReferentQuery): Referents {
  const out: Referents = {};
  const sa = summary(store, SERVICE_ACCOUNTS, q.serviceAccount);
  if (sa) out.serviceAccount = sa;
  const pod = q.pod === undefined ? undefined : summary(store, PODS, q.pod);
  if (pod) out.pod = pod;
  const secret = q.secret === undefined ? undefined : summary(store, SECRETS, q.secret);
  if (secret) out.secret = secret;
  return out;
}

function summary(store: GenericStore, def: typeof PODS, name: string): Referent | undefined {
  let obj: KubeObject;
  try {
    obj = store.get(def, name);
  } catch (e) {
    if (e instanceof StatusError && (e.code === 404 || e.code === 400)) return undefined;
    throw e;
  }
  const r: Referent = { uid: String(obj.metadata.uid ?? "") };
  if (obj.metadata.deletionTimestamp) r.deletionTimestamp = String(obj.metadata.deletionTimestamp);
  return r;
}
