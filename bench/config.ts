// Why: the sizes of every bench run and the caveat printed with the ratios, in one place.
import type { CrudConfig } from "./workloads.js";

// ---- sizes: bounded; about 2 minutes in all on 2 cores ----
export const CRUD: CrudConfig = {
  sequentialOps: 500,
  concurrentOps: 1000,
  concurrency: 16,
  listObjects: 1000,
  listRepeats: 30,
  namespaces: 8,
  perNamespaceOps: 250,
  perNamespaceConcurrency: 4,
};
export const WATCHERS = [1, 10, 100];
export const DEPLOYMENT_REPLICAS = 1000;
export const WATCH_WRITES = 200;
export const FILL_CONFIGMAPS = 10_000;
export const FILL_PODS = 3_000;
export const FILL_CONCURRENCY = 16;
export const LIST_ALL_REPEATS = 3;

export const CAVEAT =
  "edgeplane does more per request than a raw etcd put: bearer-token authn, namespace admission, " +
  "decoding, defaulting and validation of full Kubernetes objects, JSON (de)serialization, and a " +
  "Worker → Durable Object hop, over HTTPS. etcd here is a bare key-value put over plain HTTP. The fair " +
  "comparison is kube-apiserver + etcd, which is not installed on these machines; the ratios show " +
  "what the whole edgeplane request costs against etcd's storage step alone.";
