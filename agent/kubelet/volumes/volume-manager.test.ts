import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tokenVolume } from "../../../src/admission/serviceaccount.js";
import { type Pod, PodSchema } from "../../../src/apis/core/v1/pod.js";
import { silentLogger } from "../../log.js";
import { ContainerConfigError } from "../env/errors.js";
import { PodVolumesError, VolumeError } from "./errors.js";
import { FakeApiObjectSource } from "./fake-object-source.js";
import { VolumeManager, type VolumeManagerOptions } from "./volume-manager.js";

const T0 = Date.UTC(2026, 10, 26, 7, 0, 0);
let root: string;
let now: number;
let source: FakeApiObjectSource;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), "volume-manager-"));
  now = T0;
  source = new FakeApiObjectSource(() => now);
  source.setConfigMap("shop", "kube-root-ca.crt", { "ca.crt": "-----BEGIN CERTIFICATE-----\n" });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function manager(more: Partial<VolumeManagerOptions> = {}): VolumeManager {
  return new VolumeManager({ rootDir: root, source, nodeName: "node-a", hostIP: () => "192.168.1.10", log: silentLogger, now: () => now, random: () => 0, objectCacheTtlMs: 0, ...more });
}

function makePod(volumes: unknown[], volumeMounts: unknown[] = [], more: Record<string, unknown> = {}): Pod {
  return PodSchema.parse({
    metadata: { name: "web-1", namespace: "shop", uid: "uid-1", labels: { app: "web" } },
    spec: { nodeName: "node-a", serviceAccountName: "builder", volumes, containers: [{ name: "app", image: "busybox", volumeMounts, resources: { limits: { memory: "256Mi" } } }], ...more },
  });
}

const volDir = (plugin: string, name: string, uid = "uid-1") => path.join(root, "pods", uid, "volumes", `kubernetes.io~${plugin}`, name);
const read = (p: string) => readFileSync(p, "utf8");
const modeOf = (p: string) => statSync(p).mode & 0o777;

async function failure(p: Promise<unknown>): Promise<PodVolumesError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PodVolumesError);
  expect((err as VolumeError).reason).toBe("FailedMount");
  return err as PodVolumesError;
}

describe("VolumeManager.setUpPod", () => {
  it("makes every kind of volume where upstream's layout puts it", async () => {
    source.setConfigMap("shop", "app", { "app.yaml": "color: blue", other: "x" }, { "logo.png": Buffer.from([1, 2, 3]).toString("base64") });
    source.setSecret("shop", "db", { password: "s3cret" });
    const pod = makePod([
      { name: "scratch", emptyDir: {} },
      { name: "cache", emptyDir: { medium: "Memory" } },
      { name: "cfg", configMap: { name: "app", items: [{ key: "app.yaml", path: "conf/app.yaml", mode: 0o600 }, { key: "logo.png", path: "logo.png" }] } },
      { name: "creds", secret: { secretName: "db", defaultMode: 0o400 } },
      {
        name: "info",
        downwardAPI: {
          items: [
            { path: "labels", fieldRef: { fieldPath: "metadata.labels" } },
            { path: "name", fieldRef: { fieldPath: "metadata.name" } },
            { path: "mem", resourceFieldRef: { containerName: "app", resource: "limits.memory", divisor: "1Mi" } },
          ],
        },
      },
      tokenVolume("kube-api-access-abcde"),
      { name: "host", hostPath: { path: path.join(root, "host/data"), type: "DirectoryOrCreate" } },
    ]);
    await manager().setUpPod(pod, "10.244.0.7");

    expect(statSync(volDir("empty-dir", "scratch")).isDirectory()).toBe(true);
    expect(modeOf(volDir("empty-dir", "scratch"))).toBe(0o777);
    expect(statSync(volDir("empty-dir", "cache")).isDirectory()).toBe(true);

    expect(read(path.join(volDir("configmap", "cfg"), "conf/app.yaml"))).toBe("color: blue");
    expect(modeOf(path.join(volDir("configmap", "cfg"), "conf/app.yaml"))).toBe(0o600);
    expect(readFileSync(path.join(volDir("configmap", "cfg"), "logo.png"))).toEqual(Buffer.from([1, 2, 3]));
    expect(modeOf(path.join(volDir("configmap", "cfg"), "logo.png"))).toBe(0o644);
    expect(existsSync(path.join(volDir("configmap", "cfg"), "other"))).toBe(false);
    expect(readlinkSync(path.join(volDir("configmap", "cfg"), "conf"))).toBe("..data/conf");

    expect(read(path.join(volDir("secret", "creds"), "password"))).toBe("s3cret");
    expect(modeOf(path.join(volDir("secret", "creds"), "password"))).toBe(0o400);

    expect(read(path.join(volDir("downward-api", "info"), "labels"))).toBe('app="web"');
    expect(read(path.join(volDir("downward-api", "info"), "name"))).toBe("web-1");
    expect(read(path.join(volDir("downward-api", "info"), "mem"))).toBe("256");

    const kubeApi = volDir("projected", "kube-api-access-abcde");
    expect(read(path.join(kubeApi, "token"))).toBe("token-1");
    expect(read(path.join(kubeApi, "ca.crt"))).toBe("-----BEGIN CERTIFICATE-----\n");
    expect(read(path.join(kubeApi, "namespace"))).toBe("shop");
    expect(modeOf(path.join(kubeApi, "token"))).toBe(0o644);
    expect(source.tokenRequests).toEqual([{ namespace: "shop", serviceAccount: "builder", audience: undefined, expirationSeconds: 3607, podName: "web-1", podUid: "uid-1" }]);

    expect(statSync(path.join(root, "host/data")).isDirectory()).toBe(true);
  });

  it("rewrites API-data volumes only when their content changed", async () => {
    source.setConfigMap("shop", "app", { color: "blue" });
    const pod = makePod([
      { name: "cfg", configMap: { name: "app" } },
      { name: "info", downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] } },
    ]);
    const vm = manager();
    await vm.setUpPod(pod);
    const data = () => readlinkSync(path.join(volDir("configmap", "cfg"), "..data"));
    const first = data();
    await vm.setUpPod(pod);
    expect(data()).toBe(first);

    source.setConfigMap("shop", "app", { color: "green", size: "xl" });
    pod.metadata.labels = { app: "web", version: "2" };
    await vm.setUpPod(pod);
    expect(data()).not.toBe(first);
    expect(read(path.join(volDir("configmap", "cfg"), "color"))).toBe("green");
    expect(read(path.join(volDir("configmap", "cfg"), "size"))).toBe("xl");
    expect(read(path.join(volDir("downward-api", "info"), "labels"))).toBe('app="web"\nversion="2"');

    source.setConfigMap("shop", "app", { size: "xl" });
    await vm.setUpPod(pod);
    expect(existsSync(path.join(volDir("configmap", "cfg"), "color"))).toBe(false);
  });

  it("renews the projected token once 80% of its lifetime has passed", async () => {
    const pod = makePod([{ name: "tok", projected: { sources: [{ serviceAccountToken: { path: "token", audience: "vault", expirationSeconds: 1000 } }] } }]);
    const vm = manager();
    await vm.setUpPod(pod);
    const file = path.join(volDir("projected", "tok"), "token");
    expect(read(file)).toBe("token-1");
    now = T0 + 800_000;
    await vm.setUpPod(pod);
    expect(read(file)).toBe("token-1");
    now = T0 + 800_001;
    await vm.setUpPod(pod);
    expect(read(file)).toBe("token-2");
    expect(source.tokenRequests.map((r) => [r.audience, r.expirationSeconds])).toEqual([
      ["vault", 1000],
      ["vault", 1000],
    ]);
  });

  it("defaults a projected token's lifetime to an hour and raises it to the 10 minute floor", async () => {
    const pod = makePod([
      { name: "a", projected: { sources: [{ serviceAccountToken: { path: "token" } }] } },
      { name: "b", projected: { sources: [{ serviceAccountToken: { path: "token", expirationSeconds: 60 } }] } },
    ]);
    await manager().setUpPod(pod);
    expect(source.tokenRequests.map((r) => r.expirationSeconds)).toEqual([3600, 600]);
  });

  it.each([
    ["a missing ConfigMap", { name: "cfg", configMap: { name: "app" } }, 'MountVolume.SetUp failed for volume "cfg" : configmap "app" not found'],
    ["a missing ConfigMap key", { name: "cfg", configMap: { name: "kube-root-ca.crt", items: [{ key: "nope", path: "x" }] } }, 'MountVolume.SetUp failed for volume "cfg" : configmap references non-existent config key: nope'],
    ["a missing Secret", { name: "creds", secret: { secretName: "db" } }, 'MountVolume.SetUp failed for volume "creds" : secret "db" not found'],
    [
      "a projected volume with two missing sources",
      { name: "p", projected: { sources: [{ configMap: { name: "app" } }, { secret: { name: "db" } }] } },
      'MountVolume.SetUp failed for volume "p" : [configmap "app" not found, secret "db" not found]',
    ],
    ["a downwardAPI item of an unknown container", { name: "d", downwardAPI: { items: [{ path: "x", resourceFieldRef: { containerName: "nope", resource: "limits.cpu" } }] } }, 'MountVolume.SetUp failed for volume "d" : container nope not found'],
    ["a hostPath of the wrong type", { name: "h", hostPath: { path: "/dev/null", type: "Directory" } }, 'MountVolume.SetUp failed for volume "h" : hostPath type check failed: /dev/null is not a directory'],
    ["a volume type the node does not offer", { name: "data", persistentVolumeClaim: { claimName: "data" } }, 'MountVolume.SetUp failed for volume "data" : no volume plugin matched: this node does not offer persistentVolumeClaim volumes'],
  ])("fails with upstream's message for %s", async (_what, volume, message) => {
    expect((await failure(manager().setUpPod(makePod([volume])))).message).toBe(message);
  });

  it("sets up the other volumes when one fails, and lists every failure", async () => {
    const pod = makePod([
      { name: "a", configMap: { name: "app" } },
      { name: "scratch", emptyDir: {} },
      { name: "b", secret: { secretName: "db" } },
    ]);
    const err = await failure(manager().setUpPod(pod));
    expect(err.volume).toBe("a");
    expect(err.failures.map((f) => f.message)).toEqual(['MountVolume.SetUp failed for volume "a" : configmap "app" not found', 'MountVolume.SetUp failed for volume "b" : secret "db" not found']);
    expect(existsSync(volDir("empty-dir", "scratch"))).toBe(true);
  });

  it("gives optional sources that are missing an empty volume, and fills it once they exist", async () => {
    const pod = makePod([
      { name: "cfg", configMap: { name: "app", optional: true, items: [{ key: "k", path: "k" }] } },
      { name: "creds", secret: { secretName: "db", optional: true } },
      { name: "p", projected: { sources: [{ configMap: { name: "app", optional: true } }, { configMap: { name: "kube-root-ca.crt" } }] } },
    ]);
    const vm = manager();
    await vm.setUpPod(pod);
    const visible = (dir: string) => (existsSync(dir) ? readdir(dir) : []);
    expect(visible(volDir("configmap", "cfg"))).toEqual([]);
    expect(visible(volDir("secret", "creds"))).toEqual([]);
    expect(visible(volDir("projected", "p"))).toEqual(["ca.crt"]);
    source.setConfigMap("shop", "app", { k: "v" });
    await vm.setUpPod(pod);
    expect(read(path.join(volDir("configmap", "cfg"), "k"))).toBe("v");
    expect(visible(volDir("projected", "p"))).toEqual(["ca.crt", "k"]);
  });

  it("reuses ConfigMap reads for the cache's lifetime, but not a miss", async () => {
    const vm = manager({ objectCacheTtlMs: 10_000 });
    const pod = makePod([tokenVolume("kube-api-access-abcde"), { name: "cfg", configMap: { name: "app", optional: true } }]);
    await vm.setUpPod(pod);
    await vm.setUpPod({ ...pod, metadata: { ...pod.metadata, uid: "uid-2", name: "web-2" } });
    expect(source.reads).toEqual(["configmap shop/kube-root-ca.crt", "configmap shop/app", "configmap shop/app"]);
    now += 10_000;
    await vm.setUpPod(pod);
    expect(source.reads.filter((r) => r.endsWith("kube-root-ca.crt"))).toHaveLength(2);
  });
});

/** The user-visible entries of a volume (without the atomic writer's bookkeeping). */
function readdir(dir: string): string[] {
  return readdirSync(dir)
    .filter((e) => !e.startsWith(".."))
    .sort();
}

describe("VolumeManager.mountsFor", () => {
  const env = [
    { name: "POD_NAME", value: "web-1" },
    { name: "EMPTY", value: "" },
  ];

  it("mounts API-data volumes read-only and others as the mount says", async () => {
    const pod = makePod(
      [{ name: "scratch", emptyDir: {} }, tokenVolume("kube-api-access-abcde"), { name: "host", hostPath: { path: root } }],
      [
        { name: "scratch", mountPath: "/scratch" },
        { name: "kube-api-access-abcde", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" },
        { name: "host", mountPath: "/host", readOnly: true },
        { name: "scratch", mountPath: "/ro", readOnly: true },
      ],
    );
    const vm = manager();
    await vm.setUpPod(pod);
    expect(vm.mountsFor(pod, pod.spec.containers![0], env)).toEqual([
      { hostPath: volDir("empty-dir", "scratch"), containerPath: "/scratch", readOnly: false },
      { hostPath: volDir("projected", "kube-api-access-abcde"), containerPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true },
      { hostPath: root, containerPath: "/host", readOnly: true },
      { hostPath: volDir("empty-dir", "scratch"), containerPath: "/ro", readOnly: true },
    ]);
  });

  it("makes a missing subPath as a directory and mounts what it resolves to", async () => {
    source.setConfigMap("shop", "app", { "app.yaml": "x" });
    const pod = makePod(
      [{ name: "scratch", emptyDir: {} }, { name: "cfg", configMap: { name: "app" } }],
      [
        { name: "scratch", mountPath: "/data", subPath: "a/b" },
        { name: "scratch", mountPath: "/logs", subPathExpr: "logs/$(POD_NAME)" },
        { name: "cfg", mountPath: "/etc/app.yaml", subPath: "app.yaml" },
      ],
    );
    const vm = manager();
    await vm.setUpPod(pod);
    const mounts = vm.mountsFor(pod, pod.spec.containers![0], env);
    const scratch = realpathSync(volDir("empty-dir", "scratch"));
    expect(mounts[0]).toEqual({ hostPath: path.join(scratch, "a/b"), containerPath: "/data", readOnly: false });
    expect(statSync(mounts[0].hostPath).isDirectory()).toBe(true);
    expect(modeOf(mounts[0].hostPath)).toBe(0o777);
    expect(mounts[1].hostPath).toBe(path.join(scratch, "logs/web-1"));
    // A ConfigMap key resolves into the current timestamped directory.
    const cfg = realpathSync(volDir("configmap", "cfg"));
    expect(mounts[2].hostPath).toBe(path.join(cfg, readlinkSync(path.join(cfg, "..data")), "app.yaml"));
    expect(read(mounts[2].hostPath)).toBe("x");
  });

  it.each([
    [{ name: "scratch", mountPath: "/d", subPath: "/etc" }, "error SubPath `/etc` must not be an absolute path"],
    [{ name: "scratch", mountPath: "/d", subPath: "a/../../etc" }, "unable to provision SubPath `a/../../etc`: must not contain '..'"],
    [{ name: "scratch", mountPath: "/d", subPathExpr: "$(POD_NAME)/$(NOPE)/$(EMPTY)" }, "missing value for EMPTY, NOPE"],
    [{ name: "scratch", mountPath: "/d", subPathExpr: "$(POD_NAME)/.." }, "unable to provision SubPath `web-1/..`: must not contain '..'"],
    [{ name: "nope", mountPath: "/d" }, 'cannot find volume "nope" to mount into container "app"'],
  ])("refuses %j", async (mount, message) => {
    const pod = makePod([{ name: "scratch", emptyDir: {} }], [mount]);
    const vm = manager();
    await vm.setUpPod(pod);
    expect(() => vm.mountsFor(pod, pod.spec.containers![0], env)).toThrow(new ContainerConfigError(message));
    try {
      vm.mountsFor(pod, pod.spec.containers![0], env);
    } catch (err) {
      expect((err as ContainerConfigError).reason).toBe("CreateContainerConfigError");
    }
  });

  it("refuses a subPath that a symlink leads out of the volume", async () => {
    const pod = makePod([{ name: "scratch", emptyDir: {} }], [{ name: "scratch", mountPath: "/d", subPath: "escape/inner" }]);
    const vm = manager();
    await vm.setUpPod(pod);
    symlinkSync(root, path.join(volDir("empty-dir", "scratch"), "escape"));
    expect(() => vm.mountsFor(pod, pod.spec.containers![0], env)).toThrow('failed to create subPath directory for volumeMount "scratch" of container "app"');
    expect(existsSync(path.join(root, "inner"))).toBe(false);
    const direct = makePod([{ name: "scratch", emptyDir: {} }], [{ name: "scratch", mountPath: "/d", subPath: "escape" }]);
    expect(() => vm.mountsFor(direct, direct.spec.containers![0], env)).toThrow('failed to prepare subPath for volumeMount "scratch" of container "app"');
  });
});

describe("VolumeManager.tearDownPod and podUids", () => {
  it("lists pods with a directory and removes one with its volumes and tokens", async () => {
    const vm = manager();
    expect(await vm.podUids()).toEqual([]);
    await vm.setUpPod(makePod([{ name: "scratch", emptyDir: {} }, tokenVolume("kube-api-access-abcde")]));
    await vm.setUpPod({ ...makePod([{ name: "scratch", emptyDir: {} }]), metadata: { name: "web-2", namespace: "shop", uid: "uid-2" } } as Pod);
    expect((await vm.podUids()).sort()).toEqual(["uid-1", "uid-2"]);
    expect(vm.tokens.size).toBe(1);
    await vm.tearDownPod("uid-1");
    expect(await vm.podUids()).toEqual(["uid-2"]);
    expect(existsSync(path.join(root, "pods", "uid-1"))).toBe(false);
    expect(vm.tokens.size).toBe(0);
    await expect(vm.tearDownPod("uid-1")).resolves.toBeUndefined();
    await expect(vm.tearDownPod("../etc")).rejects.toThrow(/invalid pod uid/);
  });
});
