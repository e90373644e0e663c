// The claims of the tokens this control plane issues. Service-account tokens carry upstream's
// (pkg/serviceaccount/claims.go): sub system:serviceaccount:NS:NAME and a kubernetes.io claim
// naming the namespace, the account and what the token is bound to. Node tokens carry sub
// system:node:NAME, the node audience and an edgeplane.dev/node claim instead.
import { NODE_USER_PREFIX, SERVICE_ACCOUNT_PREFIX } from "../user.js";
import type { JwtClaims } from "./jwt.js";

export const KUBERNETES_CLAIM = "kubernetes.io";
export const NODE_CLAIM = "edgeplane.dev/node";

export interface ObjectRef {
  name: string;
  uid: string;
}

/** The kubernetes.io claim, fields in upstream's struct order. */
export interface KubernetesClaim {
  namespace: string;
  serviceaccount: ObjectRef;
  pod?: ObjectRef;
  secret?: ObjectRef;
  /** Bound to this node, or (with pod) the node the pod runs on; uid may be absent then. */
  node?: { name: string; uid?: string };
}

export interface ServiceAccountClaimsInput {
  issuer: string;
  audiences: string[];
  serviceAccount: { namespace: string; name: string; uid: string };
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: { name: string; uid?: string };
  expirationSeconds: number;
  nowMs: number;
  jti: string;
}

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`;
}

export function serviceAccountClaims(o: ServiceAccountClaimsInput): JwtClaims {
  const now = Math.floor(o.nowMs / 1000);
  const k: KubernetesClaim = {
    namespace: o.serviceAccount.namespace,
    serviceaccount: { name: o.serviceAccount.name, uid: o.serviceAccount.uid },
  };
  if (o.pod) k.pod = { name: o.pod.name, uid: o.pod.uid };
  if (o.secret) k.secret = { name: o.secret.name, uid: o.secret.uid };
  if (o.node) k.node = o.node.uid ? { name: o.node.name, uid: o.node.uid } : { name: o.node.name };
  return {
    aud: o.audiences,
    exp: now + o.expirationSeconds,
    iat: now,
    iss: o.issuer,
    jti: o.jti,
    [KUBERNETES_CLAIM]: k,
    nbf: now,
    sub: serviceAccountUsername(o.serviceAccount.namespace, o.serviceAccount.name),
  };
}

export interface NodeClaimsInput {
  issuer: string;
  audience: string;
  nodeName: string;
  expirationSeconds: number;
  nowMs: number;
  jti: string;
  /** Who asked for the credential (system:bootstrap:<id>, the node itself, an admin), for audit. */
  requestedBy?: string;
}

export function nodeClaims(o: NodeClaimsInput): JwtClaims {
  const now = Math.floor(o.nowMs / 1000);
  const node: Record<string, string> = { name: o.nodeName };
  if (o.requestedBy) node.requestedBy = o.requestedBy;
  return {
    aud: [o.audience],
    [NODE_CLAIM]: node,
    exp: now + o.expirationSeconds,
    iat: now,
    iss: o.issuer,
    jti: o.jti,
    nbf: now,
    sub: `${NODE_USER_PREFIX}${o.nodeName}`,
  };
}
