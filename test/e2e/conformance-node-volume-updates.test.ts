// Upstream's conformance tests of volumes that change while the pod runs, and of emptyDir and
// subPathExpr (test/e2e/common/storage, common/node/expansion.go), written from their
// descriptions against a real `edgeplane agent --runtime docker` on Podman: ConfigMap, Secret,
// projected and downward API volumes following their sources (optional ones created, updated
// and deleted), emptyDir file modes and sharing, and subPathExpr with its failures. Each `it`
// title starts with the upstream testname (docs/conformance.md cites them).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "./harness.js";
import { containerStatus, create, createPod, lines, outputOf, podOn, sh, startConformanceNode, stopConformanceNode, waitForLog, type ConformanceNode } from "./conformance-node-helpers.js";

const NODE = "conf-upd";
let n: ConformanceNode;
let img: string;
const pod = (name: string, containers: any[], spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) => podOn(NODE, name, containers, spec, meta);
const b64 = (s: string) => Buffer.from(s).toString("base64");
const mount = (name: string, mountPath: string, extra: Record<string, unknown> = {}) => ({ name, mountPath, ...extra });
const field = (path: string, fieldPath: string) => ({ path, fieldRef: { fieldPath } });
const projected = (sources: any[]) => ({ projected: { sources } });
const OPTIONAL_KINDS = ["configmap", "secret", "projected-configmap", "projected-secret"] as const;
type OptionalKind = (typeof OPTIONAL_KINDS)[number];
const EMPTYDIR_CASES = ["root", "non-root"].flatMap((user) => ["0644", "0666", "0777"].flatMap((mode) => ["default", "memory"].map((medium) => ({ user, mode, medium, name: `${user}-${mode}-${medium}` }))));
const PERMS: Record<string, string> = { "0644": "-rw-r--r--", "0666": "-rw-rw-rw-", "0777": "-rwxrwxrwx" };
const isConfigMap = (k: OptionalKind) => k.endsWith("configmap");
const objectPath = (k: OptionalKind, name = "") => `/api/v1/namespaces/default/${isConfigMap(k) ? "configmaps" : "secrets"}${name ? `/${name}` : ""}`;
const objectData = (k: OptionalKind, data: Record<string, string | null>) => (isConfigMap(k) ? data : Object.fromEntries(Object.entries(data).map(([key, v]) => [key, v === null ? null : b64(v)])));

/** One volume per source kind of the optional create/update/delete tests; `name` is the ConfigMap's or Secret's name. */
function optionalVolume(kind: OptionalKind, role: string) {
  const name = `${kind}-${role}`;
  const ref = isConfigMap(kind) ? { configMap: { name, optional: true } } : { secret: { name, optional: true } };
  if (kind === "configmap") return { name, configMap: { name, optional: true } };
  if (kind === "secret") return { name, secret: { secretName: name, optional: true } };
  return { name, ...projected([ref]) };
}

beforeAll(async () => {
  n = await startConformanceNode(NODE, "10.254.192.0/18");
  img = n.image;
  const h = n.h;
  await Promise.all([
    create(h, "/api/v1/namespaces/default/configmaps", { metadata: { name: "cm-upd" }, data: { "data-1": "value-1" } }),
    create(h, "/api/v1/namespaces/default/configmaps", { metadata: { name: "p-cm-upd" }, data: { "data-1": "value-1" } }),
    ...OPTIONAL_KINDS.flatMap((k) => ["del", "upd"].map((role) => create(h, objectPath(k), { metadata: { name: `${k}-${role}` }, data: objectData(k, { "data-1": "value-1" }) }))),
  ]);
  const pods = [
    pod("emptydir", [
      ...EMPTYDIR_CASES.map((c) =>
        sh(img, c.name, `echo 'mount-tester new file' > /test-volume/test-file && chmod ${c.mode} /test-volume/test-file && stat -c %A /test-volume/test-file && cat /test-volume/test-file && stat -f -c %T /test-volume`, {
          volumeMounts: [mount(c.name, "/test-volume")],
          ...(c.user === "non-root" ? { securityContext: { runAsUser: 1001 } } : {}),
        }),
      ),
      ...["default", "memory"].map((medium) => sh(img, `volume-mode-${medium}`, "stat -c %A /test-volume; stat -f -c %T /test-volume", { volumeMounts: [mount(`volume-mode-${medium}`, "/test-volume")] })),
    ], {
      volumes: [...EMPTYDIR_CASES.map((c) => c.name), "volume-mode-default", "volume-mode-memory"].map((name) => ({ name, emptyDir: name.endsWith("memory") ? { medium: "Memory" } : {} })),
    }),
    pod("emptydir-shared", [
      sh(img, "busybox-main-container", "until [ -f /usr/share/volumeshare/shareddata.txt ]; do sleep 0.2; done; cat /usr/share/volumeshare/shareddata.txt", { volumeMounts: [mount("shared-data", "/usr/share/volumeshare")] }),
      sh(img, "busybox-sub-container", "echo Hello from the busy-box sub-container > /pod-data/shareddata.txt", { volumeMounts: [mount("shared-data", "/pod-data")] }),
    ], { volumes: [{ name: "shared-data", emptyDir: {} }] }),
    pod("subpath-expansion", [
      sh(img, "c", "test -d /testcontainer/subpath-expansion;echo $?", { env: [{ name: "POD_NAME", value: "subpath-expansion" }], volumeMounts: [mount("workdir1", "/logscontainer", { subPathExpr: "$(POD_NAME)" }), mount("workdir1", "/testcontainer")] }),
    ], { volumes: [{ name: "workdir1", emptyDir: {} }] }),
    ...[["subpath-backticks", ".."], ["subpath-absolute", "/tmp"]].map(([name, value]) =>
      pod(name, [sh(img, "c", "true", { env: [{ name: "POD_NAME", value }], volumeMounts: [mount("workdir1", "/logscontainer", { subPathExpr: "$(POD_NAME)" })] })], { volumes: [{ name: "workdir1", emptyDir: {} }] }),
    ),
    ...[["subpath-writes", { mysubpath: "mypath" }], ["subpath-from-failed", { notmysubpath: "mypath" }]].map(([name, annotations]) =>
      pod(name as string, [
        sh(img, "c", "touch /volume_mount/mypath/foo/test.log && test -f /subpath_mount/test.log && echo written; tail -f /dev/null", {
          env: [{ name: "POD_NAME", value: "foo" }, { name: "ANNOTATION", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.annotations['mysubpath']" } } }],
          volumeMounts: [mount("workdir1", "/subpath_mount", { subPathExpr: "$(ANNOTATION)/$(POD_NAME)" }), mount("workdir1", "/volume_mount")],
        }),
      ], { restartPolicy: "Always", volumes: [{ name: "workdir1", emptyDir: {} }] }, { annotations }),
    ),
    pod("volume-updates", [
      sh(img, "configmap", "while true; do echo \"$(cat /etc/cm/data-1)\"; sleep 1; done", { volumeMounts: [mount("cm-upd", "/etc/cm")] }),
      sh(img, "projected-configmap", "while true; do echo \"$(cat /etc/cm/data-1)\"; sleep 1; done", { volumeMounts: [mount("p-cm-upd", "/etc/cm")] }),
      ...OPTIONAL_KINDS.map((k) =>
        sh(img, `${k}-optional`, "while true; do echo \"del=$(cat /etc/del/data-1 2>&1) upd=$(cat /etc/upd/data-3 2>&1) create=$(cat /etc/create/data-1 2>&1)\"; sleep 1; done", {
          volumeMounts: [mount(`${k}-del`, "/etc/del"), mount(`${k}-upd`, "/etc/upd"), mount(`${k}-create`, "/etc/create")],
        }),
      ),
      ...["downwardapi", "projected-downwardapi"].map((k) =>
        sh(img, k, "while true; do echo \"labels=$(tr '\\n' ' ' < /etc/podinfo/labels) annotations=$(tr '\\n' ' ' < /etc/podinfo/annotations)\"; sleep 1; done", { volumeMounts: [mount(k, "/etc/podinfo")] }),
      ),
    ], {
      restartPolicy: "Always",
      volumes: [
        { name: "cm-upd", configMap: { name: "cm-upd" } },
        { name: "p-cm-upd", ...projected([{ configMap: { name: "p-cm-upd" } }]) },
        ...OPTIONAL_KINDS.flatMap((k) => ["del", "upd", "create"].map((role) => optionalVolume(k, role))),
        { name: "downwardapi", downwardAPI: { items: [field("labels", "metadata.labels"), field("annotations", "metadata.annotations")] } },
        { name: "projected-downwardapi", ...projected([{ downwardAPI: { items: [field("labels", "metadata.labels"), field("annotations", "metadata.annotations")] } }]) },
      ],
    }, { labels: { key1: "value1", key2: "value2" }, annotations: { builder: "bar" } }),
  ];
  await Promise.all(pods.map((p) => createPod(h, p)));
}, 240_000);

afterAll(async () => {
  await stopConformanceNode(n, NODE);
}, 120_000);

const lastLine = (text: string) => lines(text).at(-1) ?? "";
const missing = (path: string) => `cat: can't open '${path}': No such file or directory`;

describe("volumes that follow their sources", () => {
  const before = new Map<string, string>();
  beforeAll(async () => {
    // Every container shows the first state, which is kept for the tests, then every source changes at once.
    const containers = ["configmap", "projected-configmap", ...OPTIONAL_KINDS.map((k) => `${k}-optional`), "downwardapi", "projected-downwardapi"];
    await n.pods.phase("volume-updates", ["Running"], 90_000);
    for (const c of containers) before.set(c, lastLine(await waitForLog(n.h, "volume-updates", c, (t) => lines(t).length > 0)));
    const patch = async (path: string, body: unknown) => expect((await api(n.h, "PATCH", path, body)).status).toBe(200);
    await patch("/api/v1/namespaces/default/configmaps/cm-upd", { data: { "data-1": "value-2" } });
    await patch("/api/v1/namespaces/default/configmaps/p-cm-upd", { data: { "data-1": "value-2" } });
    for (const k of OPTIONAL_KINDS) {
      expect((await api(n.h, "DELETE", objectPath(k, `${k}-del`))).status).toBe(200);
      await patch(objectPath(k, `${k}-upd`), { data: objectData(k, { "data-1": null, "data-3": "value-3" }) });
      await create(n.h, objectPath(k), { metadata: { name: `${k}-create` }, data: objectData(k, { "data-1": "value-1" }) });
    }
    await patch("/api/v1/namespaces/default/pods/volume-updates", { metadata: { labels: { key3: "value3" }, annotations: { builder: "foo" } } });
  }, 120_000);
  const after = (container: string, check: (line: string) => boolean) => waitForLog(n.h, "volume-updates", container, (t) => check(lastLine(t)), 60_000).then(lastLine);

  it("ConfigMap Volume, update: the file follows the ConfigMap's new value", async () => {
    expect(before.get("configmap")).toBe("value-1");
    expect(await after("configmap", (l) => l !== "value-1")).toBe("value-2");
  });
  it("Projected Volume, ConfigMap, update: the projected file follows the ConfigMap's new value", async () => {
    expect(before.get("projected-configmap")).toBe("value-1");
    expect(await after("projected-configmap", (l) => l !== "value-1")).toBe("value-2");
  });
  const optional: Array<[string, OptionalKind]> = [
    ["ConfigMap Volume, create, update and delete", "configmap"],
    ["Secrets Volume, create, update and delete", "secret"],
    ["Projected Volume, ConfigMap, create, update and delete", "projected-configmap"],
    ["Projected Volume, Secrets, create, update delete", "projected-secret"],
  ];
  for (const [testname, kind] of optional) {
    it(`${testname}: optional sources: the deleted one's file goes, the updated one's new key appears, the created one's file appears`, async () => {
      expect(before.get(`${kind}-optional`)).toBe(`del=value-1 upd=${missing("/etc/upd/data-3")} create=${missing("/etc/create/data-1")}`);
      const want = `del=${missing("/etc/del/data-1")} upd=value-3 create=value-1`;
      expect(await after(`${kind}-optional`, (l) => l === want)).toBe(want);
    }, 70_000);
  }
  const downward: Array<[string, string, "labels" | "annotations"]> = [
    ["DownwardAPI volume, update label", "downwardapi", "labels"],
    ["DownwardAPI volume, update annotations", "downwardapi", "annotations"],
    ["Projected Volume, DownwardAPI, update labels", "projected-downwardapi", "labels"],
    ["Projected Volume, DownwardAPI, update annotation", "projected-downwardapi", "annotations"],
  ];
  for (const [testname, container, what] of downward) {
    it(`${testname}: the file follows the pod's ${what}`, async () => {
      const [first, changed] = what === "labels" ? ['labels=key1="value1" key2="value2"', 'key3="value3"'] : ['annotations=builder="bar"', 'annotations=builder="foo"'];
      expect(before.get(container)).toContain(first);
      expect(await after(container, (l) => l.includes(changed))).toContain(changed);
    }, 70_000);
  }
});

describe("EmptyDir volumes", () => {
  const testname = (c: (typeof EMPTYDIR_CASES)[number]) =>
    c.medium === "default" ? `EmptyDir, medium default, volume mode ${c.mode}` : `EmptyDir, medium memory, volume mode ${c.mode}${c.user === "root" ? "" : c.mode === "0666" ? ",, non-root user" : ", non-root user"}`;
  for (const c of EMPTYDIR_CASES) {
    it(`${testname(c)}: (${c.user}, ${c.mode}, ${c.medium}) a new file gets mode ${PERMS[c.mode]} and is readable`, async () => {
      const [perms, content] = lines(await outputOf(n, "emptydir", c.name));
      expect([perms, content]).toEqual([PERMS[c.mode], "mount-tester new file"]);
    });
  }
  it("EmptyDir, medium default, volume mode default: the volume is drwxrwxrwx", async () => {
    expect(lines(await outputOf(n, "emptydir", "volume-mode-default"))[0]).toBe("drwxrwxrwx");
  });
  it("EmptyDir, medium memory, volume mode default: the volume is drwxrwxrwx", async () => {
    expect(lines(await outputOf(n, "emptydir", "volume-mode-memory"))[0]).toBe("drwxrwxrwx");
  });
  it("EmptyDir, Shared volumes between containers: the main container reads what the other wrote", async () => {
    expect(await outputOf(n, "emptydir-shared", "busybox-main-container")).toBe("Hello from the busy-box sub-container\n");
  });
});

describe("subPathExpr", () => {
  const configError = (name: string) =>
    n.pods.until(name, "CreateContainerConfigError", (p) => (p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "CreateContainerConfigError" ? p : undefined));
  const deleteAndWait = async (name: string) => {
    expect((await api(n.h, "DELETE", `/api/v1/namespaces/default/pods/${name}`)).status).toBe(200);
    await n.pods.gone(name, 30_000);
  };
  it("VolumeSubpathEnvExpansion, subpath expansion: $(POD_NAME) names the subdirectory that is mounted", async () => {
    expect(await outputOf(n, "subpath-expansion", "c")).toBe("0\n");
  });
  it("VolumeSubpathEnvExpansion, subpath with backticks: an expansion to .. is refused (CreateContainerConfigError)", async () => {
    const p = await configError("subpath-backticks");
    expect(p.status.phase).toBe("Pending");
    await deleteAndWait("subpath-backticks");
  });
  it("VolumeSubpathEnvExpansion, subpath with absolute path: an expansion to /tmp is refused (CreateContainerConfigError)", async () => {
    const p = await configError("subpath-absolute");
    expect(p.status.phase).toBe("Pending");
    await deleteAndWait("subpath-absolute");
  });
  it("VolumeSubpathEnvExpansion, subpath test writes: a file written in the subpath is in the volume; the pod outlives an annotation change and is deleted", async () => {
    await n.pods.phase("subpath-writes", ["Running"]);
    expect(await waitForLog(n.h, "subpath-writes", "c", (t) => t.length > 0)).toBe("written\n");
    expect((await api(n.h, "PATCH", "/api/v1/namespaces/default/pods/subpath-writes", { metadata: { annotations: { mysubpath: "mynewpath" } } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 3000));
    const p = n.pods.get("subpath-writes");
    expect(p.status.phase).toBe("Running");
    expect(containerStatus(p, "c").restartCount).toBe(0);
    await deleteAndWait("subpath-writes");
  });
  it("VolumeSubpathEnvExpansion, subpath ready from failed state: a missing annotation blocks the container until it is set", async () => {
    await configError("subpath-from-failed");
    expect((await api(n.h, "PATCH", "/api/v1/namespaces/default/pods/subpath-from-failed", { metadata: { annotations: { mysubpath: "mypath" } } })).status).toBe(200);
    await n.pods.phase("subpath-from-failed", ["Running"]);
    expect(await waitForLog(n.h, "subpath-from-failed", "c", (t) => t.length > 0)).toBe("written\n");
    await deleteAndWait("subpath-from-failed");
  });
});
