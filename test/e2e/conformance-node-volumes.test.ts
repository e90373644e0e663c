// Upstream's conformance tests of what API-data volumes hold (test/e2e/common/storage,
// storage/subpath.go, TokenRequestProjection), written from their descriptions against a real
// `edgeplane agent --runtime docker` on Podman: ConfigMap, Secret, downward API and projected
// volumes, their contents, file modes and mappings, and subPath into them. Each `it` title starts
// with the upstream testname (docs/conformance.md cites them). Upstream's mounttest prints a
// file's content and mode; here busybox's cat and `stat -L -c %A` do. Updates, optional sources,
// emptyDir and subPathExpr are in conformance-node-volume-updates.test.ts.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "./harness.js";
import { ceilUnits, create, createPod, lines, outputOf, podOn, sh, startConformanceNode, stopConformanceNode, type ConformanceNode } from "./conformance-node-helpers.js";

const NODE = "conf-vol";
let n: ConformanceNode;
let img: string;
const pod = (name: string, containers: any[], spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) => podOn(NODE, name, containers, spec, meta);
const BINARY = Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 7 + 3) % 256));
const DATA = { "data-1": "value-1", "data-2": "value-2", "data-3": "value-3" };
const b64 = (s: string) => Buffer.from(s).toString("base64");

/** Prints each file's content (on a line of its own) and mode, following the volume's symlinks. */
const show = (...files: string[]) => files.map((f) => `echo "$(cat ${f})"; stat -L -c %A ${f}`).join("; ");
const mount = (name: string, mountPath: string, extra: Record<string, unknown> = {}) => ({ name, mountPath, ...extra });
const reader = (name: string, volume: string, dir: string, files: string[], extra: Record<string, unknown> = {}) => sh(img, name, show(...files.map((f) => `${dir}/${f}`)), { volumeMounts: [mount(volume, dir)], ...extra });
const nonRoot = { securityContext: { runAsUser: 1000 } };
const resources = { limits: { cpu: "1250m", memory: "64Mi" }, requests: { cpu: "250m", memory: "32Mi" } };
const field = (path: string, fieldPath: string, mode?: number) => ({ path, fieldRef: { fieldPath }, ...(mode ? { mode } : {}) });
const resourceItem = (path: string, containerName: string, resource: string) => ({ path, resourceFieldRef: { containerName, resource } });
/** The downward API items upstream's resource tests read, for the containers `withLimits` and `withoutLimits`. */
const resourceItems = (withLimits: string, withoutLimits: string) => [
  field("podname", "metadata.name"),
  resourceItem("cpu_limit", withLimits, "limits.cpu"),
  resourceItem("cpu_request", withLimits, "requests.cpu"),
  resourceItem("memory_limit", withLimits, "limits.memory"),
  resourceItem("memory_request", withLimits, "requests.memory"),
  resourceItem("cpu_limit_default", withoutLimits, "limits.cpu"),
  resourceItem("memory_limit_default", withoutLimits, "limits.memory"),
];
const printFiles = (dir: string, files: string[]) => files.map((f) => `echo "${f}=$(cat ${dir}/${f})"`).join("; ");
const RESOURCE_FILES = ["podname", "cpu_limit", "cpu_request", "memory_limit", "memory_request"];
const DEFAULT_FILES = ["cpu_limit_default", "memory_limit_default"];
/** upstream's EmptyDir wrapper race test: this many ConfigMaps mounted in each of RACE_REPLICAS pods of a ReplicaSet. */
const RACE_CONFIGMAPS = 50;
const RACE_REPLICAS = 5;
const projected = (sources: any[], defaultMode?: number) => ({ projected: { sources, ...(defaultMode ? { defaultMode } : {}) } });

beforeAll(async () => {
  n = await startConformanceNode(NODE, "10.254.128.0/18");
  img = n.image;
  const h = n.h;
  const cm = (name: string, data: Record<string, string>, extra: Record<string, unknown> = {}) => create(h, "/api/v1/namespaces/default/configmaps", { metadata: { name }, data, ...extra });
  const secret = (name: string, data: Record<string, string>, ns = "default") => create(h, `/api/v1/namespaces/${ns}/secrets`, { metadata: { name }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) });
  await create(h, "/api/v1/namespaces", { metadata: { name: "other" } });
  await Promise.all([
    cm("cm", DATA),
    cm("cm-binary", { "data-1": "value-1" }, { binaryData: { "dump.bin": BINARY.toString("base64") } }),
    cm("my-configmap", { "configmap-key": "configmap-value" }),
    secret("sec", DATA),
    secret("sec", { "data-1": "value-in-other-namespace" }, "other"),
    secret("my-secret", { "secret-key": "secret-value" }),
    ...Array.from({ length: RACE_CONFIGMAPS }, (_, i) => cm(`racey-configmap-${i}`, { "data-1": "value-1" })),
  ]);

  const cmVol = (name: string, extra: Record<string, unknown> = {}) => ({ name, configMap: { name: "cm", ...extra } });
  const secVol = (name: string, extra: Record<string, unknown> = {}) => ({ name, secret: { secretName: "sec", ...extra } });
  const D = "/etc/configmap-volume";
  const S = "/etc/secret-volume";
  const P = "/etc/projected-volume";
  const twoMounts = (name: string, a: string, b: string, dir: string, file: string) => sh(img, name, show(`${dir}/${file}`, `${dir}-2/${file}`), { volumeMounts: [mount(a, dir), mount(b, `${dir}-2`)] });
  const mapped2 = { items: [{ key: "data-2", path: "path/to/data-2" }] };
  const mapped2Mode = { items: [{ key: "data-2", path: "path/to/data-2", mode: 0o400 }] };
  const mapped1 = { items: [{ key: "data-1", path: "new-path-data-1" }] };
  const mapped1Mode = { items: [{ key: "data-1", path: "new-path-data-1", mode: 0o400 }] };
  const pods = [
    pod("configmap-volumes", [
      reader("without-mapping", "cm", D, ["data-1"]),
      reader("without-mapping-non-root", "cm", D, ["data-1"], nonRoot),
      reader("without-mapping-mode", "cm-mode", D, ["data-1"]),
      sh(img, "with-mapping", `${show(`${D}/path/to/data-2`)}; ls ${D}`, { volumeMounts: [mount("cm-mapped", D)] }),
      reader("with-mapping-mode", "cm-mapped-mode", D, ["path/to/data-2"]),
      reader("with-mapping-non-root", "cm-mapped", D, ["path/to/data-2"], nonRoot),
      twoMounts("multiple", "cm", "cm-2", D, "data-1"),
      sh(img, "binary", `cat ${D}/data-1; echo; md5sum ${D}/dump.bin`, { volumeMounts: [mount("cm-binary", D)] }),
    ], { volumes: [cmVol("cm"), cmVol("cm-2"), cmVol("cm-mode", { defaultMode: 0o400 }), cmVol("cm-mapped", mapped2), cmVol("cm-mapped-mode", mapped2Mode), { name: "cm-binary", configMap: { name: "cm-binary" } }] }),
    pod("secret-volumes", [
      reader("default", "sec", S, ["data-1"]),
      reader("other-namespace", "sec", S, ["data-1"]),
      reader("mode", "sec-mode", S, ["data-1"]),
      reader("mapping", "sec-mapped", S, ["new-path-data-1"]),
      reader("mapping-mode", "sec-mapped-mode", S, ["new-path-data-1"]),
      twoMounts("multiple", "sec", "sec-2", S, "data-1"),
    ], { volumes: [secVol("sec"), secVol("sec-2"), secVol("sec-mode", { defaultMode: 0o400 }), secVol("sec-mapped", mapped1), secVol("sec-mapped-mode", mapped1Mode)] }),
    pod("downwardapi-volumes", [
      sh(img, "client-container", printFiles("/etc/podinfo", RESOURCE_FILES), { resources, volumeMounts: [mount("podinfo", "/etc/podinfo")] }),
      sh(img, "default-limits", printFiles("/etc/podinfo", DEFAULT_FILES), { volumeMounts: [mount("podinfo", "/etc/podinfo")] }),
      reader("mode", "podinfo-mode", "/etc/podinfo", ["podname"]),
      reader("item-mode", "podinfo-item-mode", "/etc/podinfo", ["podname"]),
    ], {
      volumes: [
        { name: "podinfo", downwardAPI: { items: resourceItems("client-container", "default-limits") } },
        { name: "podinfo-mode", downwardAPI: { defaultMode: 0o400, items: [field("podname", "metadata.name")] } },
        { name: "podinfo-item-mode", downwardAPI: { items: [field("podname", "metadata.name", 0o400)] } },
      ],
    }),
    pod("projected-volumes", [
      reader("cm-default", "p-cm", P, ["data-1"]),
      reader("cm-non-root", "p-cm", P, ["data-1"], nonRoot),
      reader("cm-mode", "p-cm-mode", P, ["data-1"]),
      reader("cm-mapped", "p-cm-mapped", P, ["path/to/data-2"]),
      reader("cm-mapped-mode", "p-cm-mapped-mode", P, ["path/to/data-2"]),
      reader("cm-mapped-non-root", "p-cm-mapped", P, ["path/to/data-2"], nonRoot),
      twoMounts("cm-multiple", "p-cm", "p-cm-2", P, "data-1"),
      reader("secret-default", "p-sec", P, ["data-1"]),
      reader("secret-mode", "p-sec-mode", P, ["data-1"]),
      reader("secret-mapped", "p-sec-mapped", P, ["new-path-data-1"]),
      reader("secret-mapped-mode", "p-sec-mapped-mode", P, ["new-path-data-1"]),
      twoMounts("secret-multiple", "p-sec", "p-sec-2", P, "data-1"),
      sh(img, "dapi-resources", printFiles(P, RESOURCE_FILES), { resources, volumeMounts: [mount("p-dapi", P)] }),
      sh(img, "dapi-default-limits", printFiles(P, DEFAULT_FILES), { volumeMounts: [mount("p-dapi", P)] }),
      reader("dapi-mode", "p-dapi-mode", P, ["podname"]),
      reader("dapi-item-mode", "p-dapi-item-mode", P, ["podname"]),
      sh(img, "all", printFiles(P, ["secret-data-1", "configmap-data-1", "podname"]), { volumeMounts: [mount("p-all", P)] }),
      sh(img, "token", `stat -L -c %A /var/run/secrets/tokens/token; cat /var/run/secrets/tokens/token`, { volumeMounts: [mount("p-token", "/var/run/secrets/tokens")] }),
      sh(img, "sa-automount", "cd /var/run/secrets/kubernetes.io/serviceaccount && cat namespace && echo && head -1 ca.crt && cat token"),
    ], {
      volumes: [
        { name: "p-cm", ...projected([{ configMap: { name: "cm" } }]) },
        { name: "p-cm-2", ...projected([{ configMap: { name: "cm" } }]) },
        { name: "p-cm-mode", ...projected([{ configMap: { name: "cm" } }], 0o400) },
        { name: "p-cm-mapped", ...projected([{ configMap: { name: "cm", ...mapped2 } }]) },
        { name: "p-cm-mapped-mode", ...projected([{ configMap: { name: "cm", ...mapped2Mode } }]) },
        { name: "p-sec", ...projected([{ secret: { name: "sec" } }]) },
        { name: "p-sec-mode", ...projected([{ secret: { name: "sec" } }], 0o400) },
        { name: "p-sec-mapped", ...projected([{ secret: { name: "sec", ...mapped1 } }]) },
        { name: "p-sec-2", ...projected([{ secret: { name: "sec" } }]) },
        { name: "p-sec-mapped-mode", ...projected([{ secret: { name: "sec", ...mapped1Mode } }]) },
        { name: "p-dapi", ...projected([{ downwardAPI: { items: resourceItems("dapi-resources", "dapi-default-limits") } }]) },
        { name: "p-dapi-mode", ...projected([{ downwardAPI: { items: [field("podname", "metadata.name")] } }], 0o400) },
        { name: "p-dapi-item-mode", ...projected([{ downwardAPI: { items: [field("podname", "metadata.name", 0o400)] } }]) },
        {
          name: "p-all",
          ...projected([
            { secret: { name: "sec", items: [{ key: "data-1", path: "secret-data-1" }] } },
            { configMap: { name: "cm", items: [{ key: "data-1", path: "configmap-data-1" }] } },
            { downwardAPI: { items: [field("podname", "metadata.name")] } },
          ]),
        },
        { name: "p-token", ...projected([{ serviceAccountToken: { path: "token", expirationSeconds: 3600 } }]) },
      ],
    }),
    pod("subpath", [
      sh(img, "secret", "cat /test-volume", { volumeMounts: [mount("secret", "/test-volume", { subPath: "secret-key" })] }),
      sh(img, "configmap", "cat /test-volume", { volumeMounts: [mount("configmap", "/test-volume", { subPath: "configmap-key" })] }),
      sh(img, "configmap-file", "cat /etc/resolv.conf", { volumeMounts: [mount("configmap", "/etc/resolv.conf", { subPath: "configmap-key" })] }),
      sh(img, "downward", "cat /test-volume", { volumeMounts: [mount("downward", "/test-volume", { subPath: "downward/podname" })] }),
      sh(img, "projected", "cat /test-volume", { volumeMounts: [mount("projected", "/test-volume", { subPath: "projected/configmap-key" })] }),
    ], {
      volumes: [
        { name: "secret", secret: { secretName: "my-secret" } },
        { name: "configmap", configMap: { name: "my-configmap" } },
        { name: "downward", downwardAPI: { items: [field("downward/podname", "metadata.name")] } },
        { name: "projected", ...projected([{ configMap: { name: "my-configmap", items: [{ key: "configmap-key", path: "projected/configmap-key" }] } }]) },
      ],
    }),
    pod("wrapper", [sh(img, "c", "sleep 600", { volumeMounts: [mount("secret", "/etc/secret-volume"), mount("configmap", "/etc/configmap-volume")] })], {
      restartPolicy: "Always",
      volumes: [
        { name: "secret", secret: { secretName: "sec" } },
        { name: "configmap", configMap: { name: "cm" } },
      ],
    }),
  ];
  await Promise.all(pods.map((p) => createPod(h, p)));
  const raceVolumes = Array.from({ length: RACE_CONFIGMAPS }, (_, i) => ({ name: `racey-configmap-${i}`, configMap: { name: `racey-configmap-${i}`, items: [{ key: "data-1", path: "data-1" }] } }));
  await create(h, "/apis/apps/v1/namespaces/default/replicasets", {
    metadata: { name: "wrapped-volume-race" },
    spec: {
      replicas: RACE_REPLICAS,
      selector: { matchLabels: { app: "wrapped-volume-race" } },
      template: {
        metadata: { labels: { app: "wrapped-volume-race" } },
        spec: { ...pod("x", [sh(img, "c", "sleep 600", { volumeMounts: raceVolumes.map((v) => mount(v.name, `/etc/config-${v.name}`)) })]).spec, restartPolicy: "Always", volumes: raceVolumes },
      },
    },
  });
}, 240_000);

afterAll(async () => {
  await stopConformanceNode(n, NODE);
}, 120_000);

const out = async (podName: string, container: string) => lines(await outputOf(n, podName, container));
/** The node's allocatable `resource` in whole units, rounded up. */
const allocatable = async (resource: string) => String(ceilUnits((await api(n.h, "GET", `/api/v1/nodes/${NODE}`)).body.status.allocatable[resource]));

describe("ConfigMap volumes", () => {
  it("ConfigMap Volume, without mapping: every key is a file, mode -rw-r--r--", async () => {
    expect(await out("configmap-volumes", "without-mapping")).toEqual(["value-1", "-rw-r--r--"]);
  });
  it("ConfigMap Volume, without mapping, non-root user: uid 1000 reads it, mode -rw-r--r--", async () => {
    expect(await out("configmap-volumes", "without-mapping-non-root")).toEqual(["value-1", "-rw-r--r--"]);
  });
  it("ConfigMap Volume, without mapping, volume mode set: defaultMode 0400 gives -r--------", async () => {
    expect(await out("configmap-volumes", "without-mapping-mode")).toEqual(["value-1", "-r--------"]);
  });
  it("ConfigMap Volume, with mapping: the item at its path, mode -rw-r--r--, no other key", async () => {
    expect(await out("configmap-volumes", "with-mapping")).toEqual(["value-2", "-rw-r--r--", "path"]);
  });
  it("ConfigMap Volume, with mapping, volume mode set: the item's mode 0400 gives -r--------", async () => {
    expect(await out("configmap-volumes", "with-mapping-mode")).toEqual(["value-2", "-r--------"]);
  });
  it("ConfigMap Volume, with mapping, non-root user: uid 1000 reads the mapped item, mode -rw-r--r--", async () => {
    expect(await out("configmap-volumes", "with-mapping-non-root")).toEqual(["value-2", "-rw-r--r--"]);
  });
  it("ConfigMap Volume, multiple volume maps: the same ConfigMap in two volumes, both readable", async () => {
    expect(await out("configmap-volumes", "multiple")).toEqual(["value-1", "-rw-r--r--", "value-1", "-rw-r--r--"]);
  });
  it("ConfigMap Volume, text data, binary data: both are files with their exact bytes", async () => {
    const md5 = createHash("md5").update(BINARY).digest("hex");
    expect(await out("configmap-volumes", "binary")).toEqual(["value-1", `${md5}  /etc/configmap-volume/dump.bin`]);
  });
});

describe("Secret volumes", () => {
  it("Secrets Volume, default: the key as a file, mode -rw-r--r--", async () => {
    expect(await out("secret-volumes", "default")).toEqual(["value-1", "-rw-r--r--"]);
  });
  it("Secrets Volume, volume mode default, secret with same name in different namespace: the pod's own namespace's Secret", async () => {
    expect(await out("secret-volumes", "other-namespace")).toEqual(["value-1", "-rw-r--r--"]);
  });
  it("Secrets Volume, volume mode 0400: defaultMode 0400 gives -r--------", async () => {
    expect(await out("secret-volumes", "mode")).toEqual(["value-1", "-r--------"]);
  });
  it("Secrets Volume, mapping: the item at its path, mode -rw-r--r--", async () => {
    expect(await out("secret-volumes", "mapping")).toEqual(["value-1", "-rw-r--r--"]);
  });
  it("Secrets Volume, mapping, volume mode 0400: the item's mode 0400 gives -r--------", async () => {
    expect(await out("secret-volumes", "mapping-mode")).toEqual(["value-1", "-r--------"]);
  });
  it("Secrets Volume, mapping multiple volume paths: the same Secret in two volumes, both readable", async () => {
    expect(await out("secret-volumes", "multiple")).toEqual(["value-1", "-rw-r--r--", "value-1", "-rw-r--r--"]);
  });
});

describe("Downward API volumes", () => {
  const files = () => out("downwardapi-volumes", "client-container");
  it("DownwardAPI volume, pod name: the pod's name", async () => {
    expect(await files()).toContain("podname=downwardapi-volumes");
  });
  it("DownwardAPI volume, CPU limits: 1250m rounded up to 2", async () => {
    expect(await files()).toContain("cpu_limit=2");
  });
  it("DownwardAPI volume, CPU request: 250m rounded up to 1", async () => {
    expect(await files()).toContain("cpu_request=1");
  });
  it("DownwardAPI volume, memory limits: 64Mi in bytes", async () => {
    expect(await files()).toContain("memory_limit=67108864");
  });
  it("DownwardAPI volume, memory request: 32Mi in bytes", async () => {
    expect(await files()).toContain("memory_request=33554432");
  });
  it("DownwardAPI volume, CPU limit, default node allocatable: a container without a limit reads the node's allocatable cpu", async () => {
    expect(await out("downwardapi-volumes", "default-limits")).toContain(`cpu_limit_default=${await allocatable("cpu")}`);
  });
  it("DownwardAPI volume, memory limit, default node allocatable: a container without a limit reads the node's allocatable memory", async () => {
    expect(await out("downwardapi-volumes", "default-limits")).toContain(`memory_limit_default=${await allocatable("memory")}`);
  });
  it("DownwardAPI volume, volume mode 0400: defaultMode 0400 gives -r--------", async () => {
    expect(await out("downwardapi-volumes", "mode")).toEqual(["downwardapi-volumes", "-r--------"]);
  });
  it("DownwardAPI volume, file mode 0400: the item's mode 0400 gives -r--------", async () => {
    expect(await out("downwardapi-volumes", "item-mode")).toEqual(["downwardapi-volumes", "-r--------"]);
  });
});

describe("Projected volumes", () => {
  const P = "projected-volumes";
  it("Projected Volume, ConfigMap, volume mode default: every key, mode -rw-r--r--", async () => {
    expect(await out(P, "cm-default")).toEqual(["value-1", "-rw-r--r--"]);
  });
  it("Projected Volume, ConfigMap, non-root user: uid 1000 reads it, mode -rw-r--r--", async () => {
    expect(await out(P, "cm-non-root")).toEqual(["value-1", "-rw-r--r--"]);
  });
  it("Projected Volume, ConfigMap, volume mode 0400: the projection's defaultMode 0400 gives -r--------", async () => {
    expect(await out(P, "cm-mode")).toEqual(["value-1", "-r--------"]);
  });
  it("Projected Volume, ConfigMap, mapped: the item at its path, mode -rw-r--r--", async () => {
    expect(await out(P, "cm-mapped")).toEqual(["value-2", "-rw-r--r--"]);
  });
  it("Projected Volume, ConfigMap, mapped, volume mode 0400: the item's mode 0400 gives -r--------", async () => {
    expect(await out(P, "cm-mapped-mode")).toEqual(["value-2", "-r--------"]);
  });
  it("Projected Volume, ConfigMap, mapped, non-root user: uid 1000 reads the mapped item", async () => {
    expect(await out(P, "cm-mapped-non-root")).toEqual(["value-2", "-rw-r--r--"]);
  });
  it("Projected Volume, ConfigMap, multiple volume paths: the same ConfigMap in two projected volumes", async () => {
    expect(await out(P, "cm-multiple")).toEqual(["value-1", "-rw-r--r--", "value-1", "-rw-r--r--"]);
  });
  it("Projected Volume, Secrets, volume mode default: the key, mode -rw-r--r--", async () => {
    expect(await out(P, "secret-default")).toEqual(["value-1", "-rw-r--r--"]);
  });
  it("Projected Volume, Secrets, volume mode 0400: the projection's defaultMode 0400 gives -r--------", async () => {
    expect(await out(P, "secret-mode")).toEqual(["value-1", "-r--------"]);
  });
  it("Projected Volume, Secrets, mapped: the item at its path", async () => {
    expect(await out(P, "secret-mapped")).toEqual(["value-1", "-rw-r--r--"]);
  });
  it("Projected Volume, Secrets, mapped, volume mode 0400: the item's mode 0400 gives -r--------", async () => {
    expect(await out(P, "secret-mapped-mode")).toEqual(["value-1", "-r--------"]);
  });
  it("Projected Volume, Secrets, mapped, multiple paths: the same Secret in two projected volumes", async () => {
    expect(await out(P, "secret-multiple")).toEqual(["value-1", "-rw-r--r--", "value-1", "-rw-r--r--"]);
  });
  const dapi = () => out(P, "dapi-resources");
  it("Projected Volume, DownwardAPI, pod name: the pod's name", async () => {
    expect(await dapi()).toContain(`podname=${P}`);
  });
  it("Projected Volume, DownwardAPI, CPU limits: 1250m rounded up to 2", async () => {
    expect(await dapi()).toContain("cpu_limit=2");
  });
  it("Projected Volume, DownwardAPI, CPU request: 250m rounded up to 1", async () => {
    expect(await dapi()).toContain("cpu_request=1");
  });
  it("Projected Volume, DownwardAPI, memory limits: 64Mi in bytes", async () => {
    expect(await dapi()).toContain("memory_limit=67108864");
  });
  it("Projected Volume, DownwardAPI, memory request: 32Mi in bytes", async () => {
    expect(await dapi()).toContain("memory_request=33554432");
  });
  it("Projected Volume, DownwardAPI, CPU limit, node allocatable: without a limit, the node's allocatable cpu", async () => {
    expect(await out(P, "dapi-default-limits")).toContain(`cpu_limit_default=${await allocatable("cpu")}`);
  });
  it("Projected Volume, DownwardAPI, memory limit, node allocatable: without a limit, the node's allocatable memory", async () => {
    expect(await out(P, "dapi-default-limits")).toContain(`memory_limit_default=${await allocatable("memory")}`);
  });
  it("Projected Volume, DownwardAPI, volume mode 0400: the projection's defaultMode 0400 gives -r--------", async () => {
    expect(await out(P, "dapi-mode")).toEqual([P, "-r--------"]);
  });
  it("Projected Volume, DownwardAPI, volume mode 0400: the item's mode 0400 gives -r-------- (upstream's file-mode test of the same name)", async () => {
    expect(await out(P, "dapi-item-mode")).toEqual([P, "-r--------"]);
  });
  it("Projected Volume, multiple projections: a Secret, a ConfigMap and the downward API in one volume", async () => {
    expect(await out(P, "all")).toEqual(["secret-data-1=value-1", "configmap-data-1=value-1", `podname=${P}`]);
  });
  it("TokenRequestProjection should mount a projected volume with token using TokenRequest API.: a token the API accepts as the pod's service account", async () => {
    const [mode, token] = await out(P, "token");
    expect(mode).toBe("-rw-r--r--");
    const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
    expect(claims.sub).toBe("system:serviceaccount:default:default");
    expect(claims["kubernetes.io"].pod.name).toBe(P);
    const r = await api(n.h, "GET", "/api/v1/namespaces/default/pods/projected-volumes", undefined, { authorization: `Bearer ${token}` });
    expect(r.status).toBe(403);
    expect(r.body.message).toContain('User "system:serviceaccount:default:default" cannot get resource "pods"');
  });
});

describe("ServiceAccount token mounts", () => {
  it("Service Account Tokens Must AutoMount: the default mount holds the namespace, the CA and a token of the pod's service account", async () => {
    const [ns, caLine, token] = await out("projected-volumes", "sa-automount");
    expect(ns).toBe("default");
    expect(caLine).toBe("-----BEGIN CERTIFICATE-----");
    expect(JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).sub).toBe("system:serviceaccount:default:default");
  });
});

describe("EmptyDir wrapper volumes", () => {
  it("EmptyDir Wrapper Volume, Secret and ConfigMap volumes, no conflict: a pod with both starts, and is deleted", async () => {
    await n.pods.phase("wrapper", ["Running"]);
    expect((await api(n.h, "DELETE", "/api/v1/namespaces/default/pods/wrapper")).status).toBe(200);
    await n.pods.gone("wrapper", 30_000);
  });
  it(`EmptyDir Wrapper Volume, ConfigMap volumes, no race: ${RACE_REPLICAS} replicas mounting ${RACE_CONFIGMAPS} ConfigMaps each all run`, async () => {
    const running = await n.pods.untilAll("app=wrapped-volume-race", RACE_REPLICAS, (p) => p.status?.phase === "Running", 90_000);
    for (const p of running) expect(p.status.containerStatuses[0]).toMatchObject({ ready: true, restartCount: 0 });
  }, 100_000);
});

describe("SubPath into atomic-writer volumes", () => {
  it("SubPath: Reading content from a secret volume.: the key's file mounted alone", async () => {
    expect(await outputOf(n, "subpath", "secret")).toBe("secret-value");
  });
  it("SubPath: Reading content from a configmap volume.: the key's file mounted alone", async () => {
    expect(await outputOf(n, "subpath", "configmap")).toBe("configmap-value");
  });
  it("SubPath: Reading content from a configmap volume.: mounted over an existing file (/etc/resolv.conf)", async () => {
    expect(await outputOf(n, "subpath", "configmap-file")).toBe("configmap-value");
  });
  it("SubPath: Reading content from a downwardAPI volume.: an item in a subdirectory", async () => {
    expect(await outputOf(n, "subpath", "downward")).toBe("subpath");
  });
  it("SubPath: Reading content from a projected volume.: a projected item in a subdirectory", async () => {
    expect(await outputOf(n, "subpath", "projected")).toBe("configmap-value");
  });
});
