// CRUD of every served kind through @kubernetes/client-node's typed clients against a real
// `edgeplane up`: create (with upstream's defaults), read, list, replace, delete; status and
// scale subresources; optimistic concurrency; finalizers; graceful pod deletion; namespaces.
import {
  AppsV1Api,
  BatchV1Api,
  CoordinationV1Api,
  CoreV1Api,
  EventsV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, kubeClient, startEdgeplane, type Edgeplane } from "./harness.js";
import { expectApiError, settled, uniq } from "./helpers.js";

let h: Edgeplane;
let kc: KubeConfig;
let core: CoreV1Api;
let apps: AppsV1Api;
let batch: BatchV1Api;
let coord: CoordinationV1Api;
let events: EventsV1Api;
const NS = "crud";

beforeAll(async () => {
  // These tests count the ConfigMaps of fresh namespaces: no kube-root-ca.crt here (kubectl-tokens tests it).
  h = await startEdgeplane({ vars: { KUBE_ROOT_CA_CERT: "" } });
  kc = kubeClient(h);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  batch = kc.makeApiClient(BatchV1Api);
  coord = kc.makeApiClient(CoordinationV1Api);
  events = kc.makeApiClient(EventsV1Api);
  await core.createNamespace({ body: { metadata: { name: NS } } });
});
afterAll(async () => {
  await h?.stop();
});

const UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const podSpec = (image = "nginx:1.25") => ({ containers: [{ name: "c", image }] });
const template = (labels: Record<string, string>, restartPolicy?: string) => ({
  metadata: { labels },
  spec: { ...podSpec(), ...(restartPolicy ? { restartPolicy } : {}) },
});

interface KindCase {
  kind: string;
  /** The typed client's method suffix: create<suffix>, read<suffix>, … */
  client: () => any;
  suffix: string;
  namespaced: boolean;
  body: (name: string) => any;
  /** Checks of upstream's defaults on the created object (as client-node deserialized it). */
  defaults?: (o: any) => void;
  /** What DELETE answers: the object itself (pods, services, namespaces) or a Success Status. */
  deleteReturnsObject?: boolean;
  /** A controller writes the object after a create (Deployments, ReplicaSets). */
  controlled?: boolean;
  /** REST path of the collection, for raw requests. */
  path: string;
}

const cases: KindCase[] = [
  {
    kind: "Namespace",
    path: "/api/v1/namespaces",
    client: () => core,
    suffix: "Namespace",
    namespaced: false,
    body: (name) => ({ metadata: { name } }),
    defaults: (o) => {
      expect(o.status.phase).toBe("Active");
      expect(o.spec.finalizers).toEqual(["kubernetes"]);
      expect(o.metadata.labels).toEqual({ "kubernetes.io/metadata.name": o.metadata.name });
    },
    deleteReturnsObject: true,
  },
  {
    kind: "Node",
    path: "/api/v1/nodes",
    client: () => core,
    suffix: "Node",
    namespaced: false,
    body: (name) => ({ metadata: { name, labels: { role: "worker" } }, spec: { podCIDR: "10.244.1.0/24" } }),
    defaults: (o) => expect(o.spec.podCIDR).toBe("10.244.1.0/24"),
  },
  {
    kind: "Pod",
    path: "/api/v1/namespaces/crud/pods",
    client: () => core,
    suffix: "NamespacedPod",
    namespaced: true,
    body: (name) => ({
      metadata: { name },
      spec: { containers: [{ name: "tagged", image: "nginx:1.25" }, { name: "latest", image: "nginx" }, { name: "explicit", image: "nginx:latest" }] },
    }),
    defaults: (o) => {
      expect(o.spec.restartPolicy).toBe("Always");
      expect(o.spec.dnsPolicy).toBe("ClusterFirst");
      expect(o.spec.terminationGracePeriodSeconds).toBe(30);
      expect(o.spec.schedulerName).toBe("default-scheduler");
      expect(o.spec.containers.map((c: any) => c.imagePullPolicy)).toEqual(["IfNotPresent", "Always", "Always"]);
      expect(o.spec.containers[0].terminationMessagePath).toBe("/dev/termination-log");
      expect(o.spec.containers[0].terminationMessagePolicy).toBe("File");
      expect(o.status.phase).toBe("Pending");
      expect(o.status.qosClass).toBe("BestEffort");
    },
    deleteReturnsObject: true,
  },
  {
    kind: "Service",
    path: "/api/v1/namespaces/crud/services",
    client: () => core,
    suffix: "NamespacedService",
    namespaced: true,
    body: (name) => ({ metadata: { name }, spec: { selector: { app: "web" }, ports: [{ port: 80 }] } }),
    defaults: (o) => {
      expect(o.spec.type).toBe("ClusterIP");
      expect(o.spec.sessionAffinity).toBe("None");
      expect(o.spec.ports).toEqual([{ port: 80, protocol: "TCP", targetPort: 80 }]);
    },
    deleteReturnsObject: true,
  },
  {
    kind: "Endpoints",
    path: "/api/v1/namespaces/crud/endpoints",
    client: () => core,
    suffix: "NamespacedEndpoints",
    namespaced: true,
    body: (name) => ({ metadata: { name }, subsets: [{ addresses: [{ ip: "10.0.0.1" }], ports: [{ port: 8080 }] }] }),
    defaults: (o) => expect(o.subsets[0].ports[0].protocol).toBe("TCP"),
  },
  {
    kind: "ConfigMap",
    path: "/api/v1/namespaces/crud/configmaps",
    client: () => core,
    suffix: "NamespacedConfigMap",
    namespaced: true,
    body: (name) => ({ metadata: { name }, data: { "a.txt": "hello" } }),
    defaults: (o) => expect(o.data).toEqual({ "a.txt": "hello" }),
  },
  {
    kind: "Secret",
    path: "/api/v1/namespaces/crud/secrets",
    client: () => core,
    suffix: "NamespacedSecret",
    namespaced: true,
    body: (name) => ({ metadata: { name }, data: { kept: Buffer.from("x").toString("base64") }, stringData: { password: "s3cret" } }),
    defaults: (o) => {
      expect(o.type).toBe("Opaque");
      expect(o.data).toEqual({ kept: "eA==", password: Buffer.from("s3cret").toString("base64") });
      expect(o.stringData).toBeUndefined();
    },
  },
  {
    kind: "ServiceAccount",
    path: "/api/v1/namespaces/crud/serviceaccounts",
    client: () => core,
    suffix: "NamespacedServiceAccount",
    namespaced: true,
    body: (name) => ({ metadata: { name } }),
  },
  {
    kind: "Event (core/v1)",
    path: "/api/v1/namespaces/crud/events",
    client: () => core,
    suffix: "NamespacedEvent",
    namespaced: true,
    body: (name) => ({
      metadata: { name },
      involvedObject: { kind: "Pod", name: "p", namespace: NS, apiVersion: "v1" },
      reason: "Started",
      message: "started",
      type: "Normal",
      source: { component: "kubelet" },
    }),
    defaults: (o) => expect(o.reason).toBe("Started"),
  },
  {
    kind: "Event (events.k8s.io/v1)",
    path: "/apis/events.k8s.io/v1/namespaces/crud/events",
    client: () => events,
    suffix: "NamespacedEvent",
    namespaced: true,
    body: (name) => ({
      metadata: { name },
      eventTime: new Date("2024-01-01T00:00:00Z"),
      reportingController: "example.com/ctl",
      reportingInstance: "ctl-1",
      action: "Scale",
      reason: "Scaled",
      type: "Normal",
      regarding: { kind: "Deployment", name: "d", namespace: NS, apiVersion: "apps/v1" },
      note: "scaled up",
    }),
    defaults: (o) => {
      expect(o.reportingController).toBe("example.com/ctl");
      expect(o.eventTime).toBeDefined();
    },
  },
  {
    kind: "Lease",
    path: "/apis/coordination.k8s.io/v1/namespaces/crud/leases",
    client: () => coord,
    suffix: "NamespacedLease",
    namespaced: true,
    body: (name) => ({ metadata: { name }, spec: { holderIdentity: "me", leaseDurationSeconds: 40 } }),
    defaults: (o) => expect(o.spec.holderIdentity).toBe("me"),
  },
  {
    kind: "Deployment",
    controlled: true,
    path: "/apis/apps/v1/namespaces/crud/deployments",
    client: () => apps,
    suffix: "NamespacedDeployment",
    namespaced: true,
    body: (name) => ({ metadata: { name }, spec: { selector: { matchLabels: { app: name } }, template: template({ app: name }) } }),
    defaults: (o) => {
      expect(o.metadata.generation).toBe(1);
      expect(o.spec.replicas).toBe(1);
      expect(o.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } });
      expect(o.spec.revisionHistoryLimit).toBe(10);
      expect(o.spec.progressDeadlineSeconds).toBe(600);
      expect(o.spec.template.spec.restartPolicy).toBe("Always");
      expect(o.spec.template.spec.containers[0].imagePullPolicy).toBe("IfNotPresent");
    },
  },
  {
    kind: "ReplicaSet",
    controlled: true,
    path: "/apis/apps/v1/namespaces/crud/replicasets",
    client: () => apps,
    suffix: "NamespacedReplicaSet",
    namespaced: true,
    body: (name) => ({ metadata: { name }, spec: { selector: { matchLabels: { app: name } }, template: template({ app: name }) } }),
    defaults: (o) => {
      expect(o.metadata.generation).toBe(1);
      expect(o.spec.replicas).toBe(1);
    },
  },
  {
    kind: "StatefulSet",
    path: "/apis/apps/v1/namespaces/crud/statefulsets",
    client: () => apps,
    suffix: "NamespacedStatefulSet",
    namespaced: true,
    body: (name) => ({ metadata: { name }, spec: { serviceName: name, selector: { matchLabels: { app: name } }, template: template({ app: name }) } }),
    defaults: (o) => {
      expect(o.spec.replicas).toBe(1);
      expect(o.spec.podManagementPolicy).toBe("OrderedReady");
      expect(o.spec.updateStrategy).toEqual({ type: "RollingUpdate", rollingUpdate: { partition: 0 } });
      expect(o.spec.revisionHistoryLimit).toBe(10);
    },
  },
  {
    kind: "DaemonSet",
    path: "/apis/apps/v1/namespaces/crud/daemonsets",
    client: () => apps,
    suffix: "NamespacedDaemonSet",
    namespaced: true,
    body: (name) => ({ metadata: { name }, spec: { selector: { matchLabels: { app: name } }, template: template({ app: name }) } }),
    defaults: (o) => {
      expect(o.spec.updateStrategy.type).toBe("RollingUpdate");
      expect(o.spec.updateStrategy.rollingUpdate.maxUnavailable).toBe(1);
      expect(o.spec.revisionHistoryLimit).toBe(10);
    },
  },
  {
    kind: "Job",
    path: "/apis/batch/v1/namespaces/crud/jobs",
    client: () => batch,
    suffix: "NamespacedJob",
    namespaced: true,
    body: (name) => ({ metadata: { name }, spec: { template: { spec: { ...podSpec("busybox:1.36"), restartPolicy: "Never" } } } }),
    defaults: (o) => {
      expect(o.spec.backoffLimit).toBe(6);
      expect(o.spec.completions).toBe(1);
      expect(o.spec.parallelism).toBe(1);
      expect(o.spec.completionMode).toBe("NonIndexed");
      expect(o.spec.suspend).toBe(false);
      // The job's generated selector and template labels carry its uid.
      expect(o.spec.selector.matchLabels).toEqual({ "batch.kubernetes.io/controller-uid": o.metadata.uid });
      expect(o.spec.template.metadata.labels["batch.kubernetes.io/job-name"]).toBe(o.metadata.name);
    },
  },
  {
    kind: "CronJob",
    path: "/apis/batch/v1/namespaces/crud/cronjobs",
    client: () => batch,
    suffix: "NamespacedCronJob",
    namespaced: true,
    body: (name) => ({
      metadata: { name },
      spec: { schedule: "*/5 * * * *", jobTemplate: { spec: { template: { spec: { ...podSpec("busybox:1.36"), restartPolicy: "OnFailure" } } } } },
    }),
    defaults: (o) => {
      expect(o.spec.concurrencyPolicy).toBe("Allow");
      expect(o.spec.suspend).toBe(false);
      expect(o.spec.successfulJobsHistoryLimit).toBe(3);
      expect(o.spec.failedJobsHistoryLimit).toBe(1);
      expect(o.spec.jobTemplate.spec.backoffLimit).toBe(6);
    },
  },
];

const rv = (o: any) => Number(o.metadata.resourceVersion);

describe("CRUD of every kind with the typed clients", () => {
  for (const c of cases) {
    it(`${c.kind}: create, read, list, replace, conflict, delete`, async () => {
      const client = c.client();
      const name = uniq(c.kind.toLowerCase().replace(/[^a-z]+/g, "-").replace(/-+$/, ""));
      const nsArg = c.namespaced ? { namespace: NS } : {};
      const before = Date.now();

      let created = await client[`create${c.suffix}`]({ ...nsArg, body: c.body(name) });
      expect(created.metadata.name).toBe(name);
      expect(created.metadata.uid).toMatch(UID);
      expect(created.metadata.resourceVersion).toMatch(/^[1-9]\d*$/);
      expect(created.metadata.creationTimestamp).toBeInstanceOf(Date);
      expect(Math.abs(created.metadata.creationTimestamp.getTime() - before)).toBeLessThan(60_000);
      if (c.namespaced) expect(created.metadata.namespace).toBe(NS);
      else expect(created.metadata.namespace).toBeUndefined();
      expect(created.metadata.deletionTimestamp).toBeUndefined();
      c.defaults?.(created);
      // A kind with a running controller gets its status (a Deployment also its revision annotation)
      // written right after the create: compare resourceVersions from the object it left.
      if (c.controlled) created = await settled(() => client[`read${c.suffix}`]({ name, ...nsArg }));

      // Create of an existing name: 409 AlreadyExists, nothing changed.
      const exists = await expectApiError(client[`create${c.suffix}`]({ ...nsArg, body: c.body(name) }), 409, "AlreadyExists");
      expect(exists.details?.name).toBe(name);

      const read = await client[`read${c.suffix}`]({ name, ...nsArg });
      expect(read.metadata.uid).toBe(created.metadata.uid);
      expect(read.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
      expect(read.metadata.creationTimestamp.getTime()).toBe(created.metadata.creationTimestamp.getTime());

      const list = await client[`list${c.suffix}`]({ ...nsArg });
      const found = list.items.filter((i: any) => i.metadata.name === name);
      expect(found).toHaveLength(1);
      expect(found[0].metadata.resourceVersion).toBe(created.metadata.resourceVersion);
      expect(Number(list.metadata.resourceVersion)).toBeGreaterThanOrEqual(rv(created));

      // Replace (PUT) with the current resourceVersion: a new resourceVersion, same uid.
      const changed = { ...read, metadata: { ...read.metadata, labels: { ...(read.metadata.labels ?? {}), touched: "yes" } } };
      const replaced = await client[`replace${c.suffix}`]({ name, ...nsArg, body: changed });
      expect(replaced.metadata.labels.touched).toBe("yes");
      expect(replaced.metadata.uid).toBe(created.metadata.uid);
      expect(rv(replaced)).toBeGreaterThan(rv(created));
      expect(replaced.metadata.creationTimestamp.getTime()).toBe(created.metadata.creationTimestamp.getTime());

      // Replace with the stale resourceVersion: 409 Conflict, and the object is untouched.
      const stale = { ...read, metadata: { ...read.metadata, labels: { stale: "yes" } } };
      const conflict = await expectApiError(client[`replace${c.suffix}`]({ name, ...nsArg, body: stale }), 409, "Conflict");
      expect(conflict.message).toContain("the object has been modified; please apply your changes to the latest version and try again");
      const afterConflict = await client[`read${c.suffix}`]({ name, ...nsArg });
      expect(afterConflict.metadata.resourceVersion).toBe(replaced.metadata.resourceVersion);
      expect(afterConflict.metadata.labels.stale).toBeUndefined();

      // client-node deserializes DELETE answers into the type its OpenAPI names (often V1Status),
      // so what DELETE sends is checked with raw requests below; here: it succeeds and acts.
      await client[`delete${c.suffix}`]({ name, ...nsArg });
      if (c.kind === "Namespace") {
        // Namespaces turn Terminating; the namespace controller removes them once empty.
        const deadline = Date.now() + 10_000;
        while ((await api(h, "GET", `/api/v1/namespaces/${name}`)).status !== 404) {
          if (Date.now() > deadline) throw new Error(`namespace ${name} still there after 10 s`);
          await new Promise((r) => setTimeout(r, 100));
        }
        return;
      }
      const gone = await expectApiError(client[`read${c.suffix}`]({ name, ...nsArg }), 404, "NotFound");
      expect(gone.details?.name).toBe(name);
      const listAfter = await client[`list${c.suffix}`]({ ...nsArg });
      expect(listAfter.items.map((i: any) => i.metadata.name)).not.toContain(name);
    });
  }
});

describe("what DELETE answers", () => {
  for (const c of cases) {
    it(`${c.kind}: ${c.deleteReturnsObject ? "the deleted object" : "a Success Status"}`, async () => {
      const client = c.client();
      const name = uniq("del");
      const created = await client[`create${c.suffix}`]({ ...(c.namespaced ? { namespace: NS } : {}), body: c.body(name) });
      const res = await api(h, "DELETE", `${c.path}/${name}`);
      expect(res.status).toBe(200);
      if (c.kind === "Namespace") {
        expect(res.body.kind).toBe("Namespace");
        expect(res.body.metadata.deletionTimestamp).toBeTruthy();
        expect(res.body.status.phase).toBe("Terminating");
      } else if (c.deleteReturnsObject) {
        expect(res.body.metadata.name).toBe(name);
        expect(res.body.metadata.uid).toBe(created.metadata.uid);
        expect(res.body.metadata.deletionTimestamp).toBeUndefined(); // unbound pod: gone at once
      } else {
        const group = c.path.startsWith("/apis/") ? c.path.split("/")[2] : undefined;
        const plural = c.path.split("/").pop();
        // (upstream leaves `code` out of this Status; edgeplane sends code 200, which clients ignore)
        expect(res.body).toMatchObject({
          kind: "Status",
          apiVersion: "v1",
          metadata: {},
          status: "Success",
          details: { name, kind: plural, uid: created.metadata.uid, ...(group ? { group } : {}) },
        });
      }
      if (c.kind !== "Namespace") expect((await api(h, "GET", `${c.path}/${name}`)).status).toBe(404);
    });
  }
});

describe("namespaces", () => {
  it("starts with the four initial namespaces, Active", async () => {
    const list = await core.listNamespace();
    const initial = ["default", "kube-node-lease", "kube-public", "kube-system"];
    for (const n of initial) {
      const ns = list.items.find((i) => i.metadata?.name === n);
      expect(ns, n).toBeDefined();
      expect(ns!.status?.phase).toBe("Active");
      expect(ns!.metadata?.labels?.["kubernetes.io/metadata.name"]).toBe(n);
    }
  });

  it("refuses to delete default, kube-system and kube-public (403)", async () => {
    for (const name of ["default", "kube-system", "kube-public"]) {
      await expectApiError(core.deleteNamespace({ name }), 403, "Forbidden");
      expect((await core.readNamespace({ name })).status?.phase).toBe("Active");
    }
  });

  it("answers a create in a missing namespace with 404 NotFound for the namespace", async () => {
    const s = await expectApiError(core.createNamespacedConfigMap({ namespace: "no-such-ns", body: { metadata: { name: "c" }, data: {} } }), 404, "NotFound");
    expect(s.message).toBe('namespaces "no-such-ns" not found');
    expect(s.details).toMatchObject({ name: "no-such-ns", kind: "namespaces" });
    const res = await api(h, "GET", "/api/v1/namespaces/no-such-ns/configmaps");
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([]);
  });

  it("refuses new objects in a Terminating namespace (403) but keeps existing ones", async () => {
    const ns = uniq("term");
    await core.createNamespace({ body: { metadata: { name: ns } } });
    // A finalizer on its content keeps the namespace Terminating while the namespace controller runs.
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "old", finalizers: ["example.com/hold"] }, data: { a: "1" } } });
    await core.deleteNamespace({ name: ns });
    const s = await expectApiError(core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "new" } } }), 403, "Forbidden");
    expect(s.message).toContain(`unable to create new content in namespace ${ns} because it is being terminated`);
    expect(s.details?.causes?.[0]?.reason).toBe("NamespaceTerminating");
    const names = (await core.listNamespacedConfigMap({ namespace: ns })).items.map((i) => i.metadata?.name);
    expect(names).toEqual(["old"]);
  });
});

describe("subresources", () => {
  const deployment = (name: string, replicas = 2) => ({
    metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: template({ app: name }) },
  });

  it("reads and replaces a deployment's scale", async () => {
    const name = uniq("scale");
    const read = () => apps.readNamespacedDeployment({ name, namespace: NS });
    await apps.createNamespacedDeployment({ namespace: NS, body: deployment(name) });
    // The Deployment controller writes the object after the create (and after each scale): the
    // resourceVersions are compared once it is done.
    const d = await settled(read);
    const scale = await apps.readNamespacedDeploymentScale({ name, namespace: NS });
    expect(scale.apiVersion).toBe("autoscaling/v1");
    expect(scale.kind).toBe("Scale");
    expect(scale.metadata?.name).toBe(name);
    expect(scale.metadata?.uid).toBe(d.metadata?.uid);
    expect(scale.metadata?.resourceVersion).toBe(d.metadata?.resourceVersion);
    expect(scale.spec?.replicas).toBe(2);
    expect(scale.status?.selector).toBe(`app=${name}`);

    const out = await apps.replaceNamespacedDeploymentScale({ name, namespace: NS, body: { ...scale, spec: { replicas: 5 } } });
    expect(out.spec?.replicas).toBe(5);
    expect(Number(out.metadata?.resourceVersion)).toBeGreaterThan(Number(d.metadata?.resourceVersion));
    const after = await settled(read);
    expect(after.spec?.replicas).toBe(5);
    expect(after.metadata?.generation).toBe(2);
    expect(Number(after.metadata?.resourceVersion)).toBeGreaterThanOrEqual(Number(out.metadata?.resourceVersion));
    expect((await apps.readNamespacedDeploymentScale({ name, namespace: NS })).metadata?.resourceVersion).toBe(after.metadata?.resourceVersion);

    // A stale Scale is refused, and a negative count is invalid.
    await expectApiError(apps.replaceNamespacedDeploymentScale({ name, namespace: NS, body: { ...scale, spec: { replicas: 1 } } }), 409, "Conflict");
    const neg = await expectApiError(
      apps.replaceNamespacedDeploymentScale({ name, namespace: NS, body: { metadata: { name }, spec: { replicas: -1 } } }),
      422,
      "Invalid",
    );
    expect(neg.details?.causes?.[0]?.field).toBe("spec.replicas");
    expect((await apps.readNamespacedDeployment({ name, namespace: NS })).spec?.replicas).toBe(5);

    // Patching the scale (kubectl scale sends a merge patch to /scale).
    const patched = await apps.patchNamespacedDeploymentScale(
      { name, namespace: NS, body: { spec: { replicas: 3 } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(patched.spec?.replicas).toBe(3);
    expect((await apps.readNamespacedDeployment({ name, namespace: NS })).spec?.replicas).toBe(3);
  });

  it("scales statefulsets and replicasets too", async () => {
    const ss = uniq("ss");
    await apps.createNamespacedStatefulSet({ namespace: NS, body: { metadata: { name: ss }, spec: { serviceName: ss, replicas: 1, selector: { matchLabels: { app: ss } }, template: template({ app: ss }) } } });
    const s1 = await apps.readNamespacedStatefulSetScale({ name: ss, namespace: NS });
    await apps.replaceNamespacedStatefulSetScale({ name: ss, namespace: NS, body: { ...s1, spec: { replicas: 4 } } });
    expect((await apps.readNamespacedStatefulSet({ name: ss, namespace: NS })).spec?.replicas).toBe(4);

    const rs = uniq("rs");
    await apps.createNamespacedReplicaSet({ namespace: NS, body: { metadata: { name: rs }, spec: { replicas: 1, selector: { matchLabels: { app: rs } }, template: template({ app: rs }) } } });
    // The ReplicaSet controller writes the status after the create: read the scale once it is done.
    await settled(() => apps.readNamespacedReplicaSet({ name: rs, namespace: NS }));
    const s2 = await apps.readNamespacedReplicaSetScale({ name: rs, namespace: NS });
    expect(s2.status?.selector).toBe(`app=${rs}`);
    await apps.replaceNamespacedReplicaSetScale({ name: rs, namespace: NS, body: { ...s2, spec: { replicas: 0 } } });
    expect((await apps.readNamespacedReplicaSet({ name: rs, namespace: NS })).spec?.replicas).toBe(0);
  });

  it("writes pod status only through /status, and spec only through the main resource", async () => {
    const name = uniq("status");
    const p = await core.createNamespacedPod({ namespace: NS, body: { metadata: { name }, spec: podSpec(), status: { phase: "Running" } } });
    expect(p.status?.phase).toBe("Pending"); // status given on create is reset

    // PATCH /status changes status; a spec change in the same patch is ignored.
    const patched = await core.patchNamespacedPodStatus(
      { name, namespace: NS, body: { status: { phase: "Running", podIP: "10.1.2.3" }, spec: { activeDeadlineSeconds: 5 }, metadata: { labels: { ignored: "x" } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(patched.status?.phase).toBe("Running");
    expect(patched.status?.podIP).toBe("10.1.2.3");
    expect(patched.spec?.activeDeadlineSeconds).toBeUndefined();
    expect(Number(patched.metadata?.resourceVersion)).toBeGreaterThan(Number(p.metadata?.resourceVersion));

    // PUT /status with the current object.
    const cur = await core.readNamespacedPod({ name, namespace: NS });
    const replaced = await core.replaceNamespacedPodStatus({
      name,
      namespace: NS,
      body: { ...cur, status: { ...cur.status, phase: "Succeeded" } },
    });
    expect(replaced.status?.phase).toBe("Succeeded");
    expect(replaced.status?.podIP).toBe("10.1.2.3");

    // A PUT of the main resource keeps the stored status whatever the body says.
    const cur2 = await core.readNamespacedPod({ name, namespace: NS });
    const main = await core.replaceNamespacedPod({
      name,
      namespace: NS,
      body: { ...cur2, metadata: { ...cur2.metadata, labels: { l: "1" } }, status: { phase: "Failed" } },
    });
    expect(main.metadata?.labels).toEqual({ l: "1" });
    expect(main.status?.phase).toBe("Succeeded");

    // readNamespacedPodStatus reads the whole object.
    const rs = await core.readNamespacedPodStatus({ name, namespace: NS });
    expect(rs.status?.phase).toBe("Succeeded");
    expect(rs.metadata?.labels).toEqual({ l: "1" });
  });

  it("a deployment status write does not bump generation; a spec write does", async () => {
    const name = uniq("gen");
    const read = () => apps.readNamespacedDeployment({ name, namespace: NS });
    const created = await apps.createNamespacedDeployment({ namespace: NS, body: deployment(name, 1) });
    expect(created.metadata?.generation).toBe(1);
    // The Deployment controller owns the status and rewrites it after each write below: every step
    // starts from the object it left, and reads the answer to its own write.
    const d = await settled(read);
    expect(d.metadata?.generation).toBe(1);
    const st = await apps.replaceNamespacedDeploymentStatus({ name, namespace: NS, body: { ...d, status: { ...d.status, readyReplicas: 1 } } });
    expect(st.metadata?.generation).toBe(1);
    expect(st.status?.readyReplicas).toBe(1);
    // A spec write bumps the generation and keeps the stored status, whatever the body says.
    const cur = await settled(read);
    const spec = await apps.replaceNamespacedDeployment({
      name,
      namespace: NS,
      body: { ...cur, spec: { ...cur.spec!, template: { ...cur.spec!.template, spec: podSpec("nginx:1.26") } }, status: { ...cur.status, readyReplicas: 7 } },
    });
    expect(spec.metadata?.generation).toBe(2);
    expect(spec.status).toEqual(cur.status);
    // A label change alone is not a spec change.
    const cur2 = await settled(read);
    const lab = await apps.replaceNamespacedDeployment({ name, namespace: NS, body: { ...cur2, metadata: { ...cur2.metadata, labels: { x: "y" } } } });
    expect(lab.metadata?.generation).toBe(2);
  });

  it("answers 404 for a subresource a kind does not have", async () => {
    const res = await api(h, "GET", `/api/v1/namespaces/${NS}/configmaps/anything/status`);
    expect(res.status).toBe(404);
    expect(res.body.kind).toBe("Status");
  });
});

describe("deletion", () => {
  it("holds an object with finalizers until the last one is removed", async () => {
    const name = uniq("fin");
    const cm = await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name, finalizers: ["example.com/a", "example.com/b"] }, data: { k: "v" } } });
    // A finalizer-held delete answers 200 with the object, marked (not a Status).
    const del = await api(h, "DELETE", `/api/v1/namespaces/${NS}/configmaps/${name}`);
    expect(del.status).toBe(200);
    expect(del.body.kind).toBe("ConfigMap");
    expect(del.body.metadata.deletionTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Number(del.body.metadata.resourceVersion)).toBeGreaterThan(Number(cm.metadata?.resourceVersion));

    const held = await core.readNamespacedConfigMap({ name, namespace: NS });
    expect(held.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    expect(held.metadata?.deletionGracePeriodSeconds).toBe(0);
    expect(held.metadata?.finalizers).toEqual(["example.com/a", "example.com/b"]);
    expect(held.metadata?.uid).toBe(cm.metadata?.uid);

    // No new finalizer may be added now.
    await expectApiError(
      core.replaceNamespacedConfigMap({ name, namespace: NS, body: { ...held, metadata: { ...held.metadata, finalizers: ["example.com/a", "example.com/b", "example.com/c"] } } }),
      422,
      "Invalid",
    );

    // Removing one keeps it; removing the last removes it.
    const one = await core.replaceNamespacedConfigMap({ name, namespace: NS, body: { ...held, metadata: { ...held.metadata, finalizers: ["example.com/b"] } } });
    expect(one.metadata?.finalizers).toEqual(["example.com/b"]);
    expect((await core.readNamespacedConfigMap({ name, namespace: NS })).metadata?.finalizers).toEqual(["example.com/b"]);
    await core.patchNamespacedConfigMap(
      { name, namespace: NS, body: [{ op: "remove", path: "/metadata/finalizers" }] },
      setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
    );
    await expectApiError(core.readNamespacedConfigMap({ name, namespace: NS }), 404, "NotFound");
  });

  it("deletes a bound pod gracefully and an unbound pod at once", async () => {
    const bound = uniq("bound");
    await core.createNamespacedPod({ namespace: NS, body: { metadata: { name: bound }, spec: { ...podSpec(), nodeName: "node-a" } } });
    const marked = await core.deleteNamespacedPod({ name: bound, namespace: NS });
    expect(marked.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    expect(marked.metadata?.deletionGracePeriodSeconds).toBe(30);
    // deletionTimestamp is when the grace period ends.
    expect(marked.metadata!.deletionTimestamp!.getTime()).toBeGreaterThan(Date.now() + 20_000);
    const still = await core.readNamespacedPod({ name: bound, namespace: NS });
    expect(still.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    expect(still.metadata?.deletionGracePeriodSeconds).toBe(30);

    // A shorter grace period wins; 0 (kubectl delete --force --grace-period=0) removes it.
    const shorter = await core.deleteNamespacedPod({ name: bound, namespace: NS, gracePeriodSeconds: 5 });
    expect(shorter.metadata?.deletionGracePeriodSeconds).toBe(5);
    await core.deleteNamespacedPod({ name: bound, namespace: NS, gracePeriodSeconds: 0 });
    await expectApiError(core.readNamespacedPod({ name: bound, namespace: NS }), 404, "NotFound");

    const unbound = uniq("unbound");
    await core.createNamespacedPod({ namespace: NS, body: { metadata: { name: unbound }, spec: podSpec() } });
    const gone = await core.deleteNamespacedPod({ name: unbound, namespace: NS });
    expect(gone.metadata?.name).toBe(unbound);
    await expectApiError(core.readNamespacedPod({ name: unbound, namespace: NS }), 404, "NotFound");
  });

  it("honours delete preconditions", async () => {
    const name = uniq("pre");
    const cm = await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name } } });
    const s = await expectApiError(
      core.deleteNamespacedConfigMap({ name, namespace: NS, body: { preconditions: { uid: "00000000-0000-0000-0000-000000000000" } } }),
      409,
      "Conflict",
    );
    expect(s.message).toContain("Precondition failed: UID in precondition");
    await expectApiError(
      core.deleteNamespacedConfigMap({ name, namespace: NS, body: { preconditions: { resourceVersion: "1" } } }),
      409,
      "Conflict",
    );
    await core.deleteNamespacedConfigMap({ name, namespace: NS, body: { preconditions: { uid: cm.metadata!.uid, resourceVersion: cm.metadata!.resourceVersion } } });
    await expectApiError(core.readNamespacedConfigMap({ name, namespace: NS }), 404, "NotFound");
  });

  it("deletes a collection by label selector", async () => {
    const ns = uniq("dc");
    await core.createNamespace({ body: { metadata: { name: ns } } });
    for (const [n, l] of [["a", "x"], ["b", "x"], ["c", "y"]]) {
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: n, labels: { g: l } } } });
    }
    await core.deleteCollectionNamespacedConfigMap({ namespace: ns, labelSelector: "g=x" });
    expect((await core.listNamespacedConfigMap({ namespace: ns })).items.map((i) => i.metadata?.name)).toEqual(["c"]);
  });

  it("a 404 on delete and replace of a missing object", async () => {
    await expectApiError(core.deleteNamespacedConfigMap({ name: "missing", namespace: NS }), 404, "NotFound");
    const s = await expectApiError(
      core.replaceNamespacedConfigMap({ name: "missing", namespace: NS, body: { metadata: { name: "missing", resourceVersion: "1" } } }),
      404,
      "NotFound",
    );
    expect(s.message).toBe('configmaps "missing" not found');
  });
});

describe("services", () => {
  // Upstream allocates a cluster IP from the service CIDR on create (spec.clusterIP, clusterIPs,
  // ipFamilies ["IPv4"]), in the create's answer.
  it("a ClusterIP Service gets a cluster IP from the service range", async () => {
    const name = uniq("svcip");
    const svc = await core.createNamespacedService({ namespace: NS, body: { metadata: { name }, spec: { selector: { app: "x" }, ports: [{ port: 80 }] } } });
    expect(svc.spec?.clusterIP).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
    expect(svc.spec?.clusterIPs).toEqual([svc.spec?.clusterIP]);
    expect(svc.spec?.ipFamilies).toEqual(["IPv4"]);
  });

  it("a headless Service keeps clusterIP None", async () => {
    const name = uniq("headless");
    const svc = await core.createNamespacedService({ namespace: NS, body: { metadata: { name }, spec: { clusterIP: "None", selector: { app: "x" }, ports: [{ port: 80 }] } } });
    expect(svc.spec?.clusterIP).toBe("None");
    expect(svc.spec?.type).toBe("ClusterIP");
  });
});

describe("update policies", () => {
  it("a Lease may be created by PUT but not updated without a resourceVersion", async () => {
    const coordApi = kc.makeApiClient(CoordinationV1Api);
    const name = uniq("lease");
    const res = await api(h, "PUT", `/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/${name}`, { metadata: { name }, spec: { holderIdentity: "a" } });
    expect(res.status).toBe(201);
    expect(res.body.metadata.uid).toBeTruthy();
    const s = await expectApiError(
      coordApi.replaceNamespacedLease({ name, namespace: NS, body: { metadata: { name }, spec: { holderIdentity: "b" } } }),
      422,
      "Invalid",
    );
    expect(s.details?.causes?.[0]?.field).toBe("metadata.resourceVersion");
    expect((await coordApi.readNamespacedLease({ name, namespace: NS })).spec?.holderIdentity).toBe("a");
  });

  it("a ConfigMap may be updated without a resourceVersion (unconditional update), not created by PUT", async () => {
    const name = uniq("uncond");
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name }, data: { a: "1" } } });
    const out = await core.replaceNamespacedConfigMap({ name, namespace: NS, body: { metadata: { name }, data: { a: "2" } } });
    expect(out.data).toEqual({ a: "2" });
    await expectApiError(core.replaceNamespacedConfigMap({ name: uniq("nope"), namespace: NS, body: { metadata: {}, data: {} } }), 404, "NotFound");
  });
});

describe("cluster-wide reads", () => {
  it("lists pods across namespaces with an opaque resourceVersion", async () => {
    const other = uniq("other");
    await core.createNamespace({ body: { metadata: { name: other } } });
    const a = uniq("xa");
    const b = uniq("xb");
    await core.createNamespacedPod({ namespace: NS, body: { metadata: { name: a }, spec: podSpec() } });
    await core.createNamespacedPod({ namespace: other, body: { metadata: { name: b }, spec: podSpec() } });
    const all = await core.listPodForAllNamespaces();
    const names = all.items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`);
    expect(names).toContain(`${NS}/${a}`);
    expect(names).toContain(`${other}/${b}`);
    expect(all.metadata?.resourceVersion).toBeTruthy();
  });
});
