// Where the kubelet reads what a pod's env and volumes refer to: ConfigMaps and Secrets (a node
// may read only those its pods reference) and bound ServiceAccount tokens (TokenRequest bound to
// the pod, which is the only kind the API lets a node ask for). The API boundary of env/ and volumes/.
import type { ApiClient } from "../../client/api-client.js";
import { ApiError } from "../../client/errors.js";

export interface ConfigMapData {
  data?: Record<string, string>;
  /** base64 */
  binaryData?: Record<string, string>;
}

export interface SecretData {
  /** base64 */
  data?: Record<string, string>;
}

export interface ServiceAccountTokenRequest {
  /** Empty: the API server's own audiences. */
  audience?: string;
  expirationSeconds: number;
  podName: string;
  podUid: string;
}

export interface ServiceAccountToken {
  token: string;
  /** RFC 3339 */
  expirationTimestamp: string;
}

/** Reads through the API; `configMap` and `secret` answer undefined for an object that does not exist. */
export interface ObjectSource {
  configMap(namespace: string, name: string): Promise<ConfigMapData | undefined>;
  secret(namespace: string, name: string): Promise<SecretData | undefined>;
  serviceAccountToken(namespace: string, serviceAccount: string, req: ServiceAccountTokenRequest): Promise<ServiceAccountToken>;
}

const seg = encodeURIComponent;

async function getOrUndefined<T>(client: ApiClient, path: string): Promise<T | undefined> {
  try {
    return await client.get<T>(path);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}

export function apiObjectSource(client: ApiClient): ObjectSource {
  return {
    configMap: (namespace, name) => getOrUndefined<ConfigMapData>(client, `/api/v1/namespaces/${seg(namespace)}/configmaps/${seg(name)}`),
    secret: (namespace, name) => getOrUndefined<SecretData>(client, `/api/v1/namespaces/${seg(namespace)}/secrets/${seg(name)}`),
    async serviceAccountToken(namespace, serviceAccount, req) {
      const body = {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: {
          ...(req.audience ? { audiences: [req.audience] } : {}),
          expirationSeconds: req.expirationSeconds,
          boundObjectRef: { apiVersion: "v1", kind: "Pod", name: req.podName, uid: req.podUid },
        },
      };
      const tr = await client.post<{ status?: { token?: string; expirationTimestamp?: string } }>(
        `/api/v1/namespaces/${seg(namespace)}/serviceaccounts/${seg(serviceAccount)}/token`,
        body,
      );
      if (!tr?.status?.token || !tr.status.expirationTimestamp) throw new Error(`the TokenRequest for ${namespace}/${serviceAccount} came back without a token`);
      return { token: tr.status.token, expirationTimestamp: tr.status.expirationTimestamp };
    },
  };
}
