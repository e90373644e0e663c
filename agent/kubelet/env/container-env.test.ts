import { describe, expect, it } from "vitest";
import { type Pod, PodSchema } from "../../../src/apis/core/v1/pod.js";
import type { Container } from "../../../src/apis/core/v1/podspec.js";
import { FakeApiObjectSource } from "../volumes/fake-object-source.js";
import { type EnvContext, containerEnv, expandCommand, resolveContainerEnv } from "./container-env.js";
import { ContainerConfigError } from "./errors.js";

function makePod(container: Record<string, unknown>, extra: Record<string, unknown> = {}): Pod {
  return PodSchema.parse({
    metadata: { name: "web-1", namespace: "shop", uid: "uid-123", labels: { app: "web", tier: "front" }, annotations: { "example.com/owner": "team-a" } },
    spec: { nodeName: "node-a", serviceAccountName: "builder", containers: [{ name: "app", image: "busybox", ...container }], ...extra },
  });
}

function ctxWith(source = new FakeApiObjectSource(), more: Partial<EnvContext> = {}): EnvContext {
  return { nodeName: "node-a", hostIP: "192.168.1.10", podIP: "10.244.0.7", source, ...more };
}

const asRecord = (env: Array<{ name: string; value: string }>) => Object.fromEntries(env.map((e) => [e.name, e.value]));
const containerOf = (pod: Pod): Container => pod.spec.containers![0];

async function envOf(container: Record<string, unknown>, ctx: EnvContext = ctxWith(), extra?: Record<string, unknown>) {
  const pod = makePod(container, extra);
  return containerEnv(pod, containerOf(pod), ctx);
}

async function configError(p: Promise<unknown>): Promise<ContainerConfigError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ContainerConfigError);
  expect((err as ContainerConfigError).reason).toBe("CreateContainerConfigError");
  return err as ContainerConfigError;
}

describe("containerEnv: order and precedence", () => {
  it("puts envFrom first, then env in order; a later name wins and keeps its place", async () => {
    const src = new FakeApiObjectSource();
    src.setConfigMap("shop", "app", { COLOR: "blue", SIZE: "m" });
    src.setSecret("shop", "db", { PASSWORD: "s3cret", COLOR: "red" });
    const env = await envOf(
      {
        envFrom: [{ configMapRef: { name: "app" } }, { secretRef: { name: "db" } }],
        env: [{ name: "SIZE", value: "xl" }, { name: "GREETING", value: "hello" }, { name: "GREETING", value: "bye" }],
      },
      ctxWith(src),
    );
    expect(env).toEqual([
      { name: "COLOR", value: "red" },
      { name: "SIZE", value: "xl" },
      { name: "PASSWORD", value: "s3cret" },
      { name: "GREETING", value: "bye" },
    ]);
  });

  it("expands $(VAR) from earlier vars and envFrom, leaves later and unknown ones literal", async () => {
    const src = new FakeApiObjectSource();
    src.setConfigMap("shop", "app", { HOST: "db.shop" });
    const env = await envOf(
      {
        envFrom: [{ configMapRef: { name: "app" } }],
        env: [
          { name: "URL", value: "postgres://$(HOST):$(PORT)/$(NAME)" },
          { name: "PORT", value: "5432" },
          { name: "URL2", value: "postgres://$(HOST):$(PORT)" },
          { name: "ESCAPED", value: "$$(HOST)" },
        ],
      },
      ctxWith(src),
    );
    expect(asRecord(env)).toMatchObject({ URL: "postgres://db.shop:$(PORT)/$(NAME)", URL2: "postgres://db.shop:5432", ESCAPED: "$(HOST)" });
  });

  it("does not expand a value that came from valueFrom", async () => {
    const src = new FakeApiObjectSource();
    src.setConfigMap("shop", "app", { TEMPLATE: "$(PORT)" });
    const env = await envOf({ env: [{ name: "PORT", value: "1" }, { name: "T", valueFrom: { configMapKeyRef: { name: "app", key: "TEMPLATE" } } }] }, ctxWith(src));
    expect(asRecord(env).T).toBe("$(PORT)");
  });

  it("adds the kubernetes service vars last, usable in $(VAR), and lets the container override them", async () => {
    const ctx = ctxWith(undefined, { apiServer: { host: "10.96.0.1", port: 443 } });
    const env = await envOf({ env: [{ name: "API", value: "https://$(KUBERNETES_SERVICE_HOST):$(KUBERNETES_SERVICE_PORT)" }, { name: "KUBERNETES_PORT", value: "mine" }] }, ctx);
    expect(env.slice(0, 2)).toEqual([
      { name: "API", value: "https://10.96.0.1:443" },
      { name: "KUBERNETES_PORT", value: "mine" },
    ]);
    expect(env.slice(2)).toEqual([
      { name: "KUBERNETES_SERVICE_HOST", value: "10.96.0.1" },
      { name: "KUBERNETES_SERVICE_PORT", value: "443" },
      { name: "KUBERNETES_SERVICE_PORT_HTTPS", value: "443" },
      { name: "KUBERNETES_PORT_443_TCP", value: "tcp://10.96.0.1:443" },
      { name: "KUBERNETES_PORT_443_TCP_PROTO", value: "tcp" },
      { name: "KUBERNETES_PORT_443_TCP_PORT", value: "443" },
      { name: "KUBERNETES_PORT_443_TCP_ADDR", value: "10.96.0.1" },
    ]);
  });

  it("falls back to the control plane's address while no kubernetes Service has been seen", async () => {
    const env = asRecord(await envOf({}, ctxWith(undefined, { apiServer: { host: "192.0.2.9", port: 8443 }, services: () => [] })));
    expect(env.KUBERNETES_SERVICE_HOST).toBe("192.0.2.9");
    expect(env.KUBERNETES_SERVICE_PORT).toBe("8443");
  });

  it("brackets an IPv6 API server address in the URL forms", async () => {
    const env = asRecord(await envOf({}, ctxWith(undefined, { apiServer: { host: "fd00::1", port: 6443 } })));
    expect(env.KUBERNETES_SERVICE_HOST).toBe("fd00::1");
    expect(env.KUBERNETES_PORT).toBe("tcp://[fd00::1]:6443");
    expect(env.KUBERNETES_PORT_6443_TCP_ADDR).toBe("fd00::1");
  });

  it("gives an empty value to a var with neither value nor valueFrom", async () => {
    expect(await envOf({ env: [{ name: "EMPTY" }] })).toEqual([{ name: "EMPTY", value: "" }]);
  });
});

describe("containerEnv: fieldRef", () => {
  const field = (fieldPath: string) => ({ name: "V", valueFrom: { fieldRef: { fieldPath } } });
  const cases: Array<[string, string]> = [
    ["metadata.name", "web-1"],
    ["metadata.namespace", "shop"],
    ["metadata.uid", "uid-123"],
    ["metadata.labels['app']", "web"],
    ["metadata.labels['missing']", ""],
    ["metadata.annotations['example.com/owner']", "team-a"],
    ["spec.nodeName", "node-a"],
    ["spec.serviceAccountName", "builder"],
    ["status.hostIP", "192.168.1.10"],
    ["status.hostIPs", "192.168.1.10,fd00::10"],
    ["status.podIP", "10.244.0.7"],
    ["status.podIPs", "10.244.0.7,fd00:244::7"],
  ];
  it.each(cases)("%s", async (fieldPath, expected) => {
    const ctx = ctxWith(undefined, { hostIPs: ["192.168.1.10", "fd00::10"], podIPs: ["10.244.0.7", "fd00:244::7"] });
    expect(await envOf({ env: [field(fieldPath)] }, ctx)).toEqual([{ name: "V", value: expected }]);
  });

  it("uses hostIP and podIP alone when the lists are not given", async () => {
    const env = asRecord(await envOf({ env: [{ ...field("status.hostIPs"), name: "H" }, { ...field("status.podIPs"), name: "P" }] }));
    expect(env).toEqual({ H: "192.168.1.10", P: "10.244.0.7" });
  });

  it("formats the whole label map as upstream's FormatMap", async () => {
    expect(asRecord(await envOf({ env: [field("metadata.labels")] })).V).toBe('app="web"\ntier="front"');
  });

  it("refuses an unknown field path and another API version", async () => {
    expect((await configError(envOf({ env: [field("spec.restartPolicy")] }))).message).toBe("unsupported fieldPath: spec.restartPolicy");
    const err = await configError(envOf({ env: [{ name: "V", valueFrom: { fieldRef: { apiVersion: "v2", fieldPath: "metadata.name" } } }] }));
    expect(err.message).toBe("unsupported pod version: v2");
  });
});

describe("containerEnv: resourceFieldRef", () => {
  const resources = { limits: { cpu: "1250m", memory: "1Gi" }, requests: { cpu: "100m", memory: "64Mi", "ephemeral-storage": "1.5" } };
  const ref = (resource: string, divisor?: string) => ({ name: "V", valueFrom: { resourceFieldRef: { resource, ...(divisor ? { divisor } : {}) } } });
  const cases: Array<[string, string | undefined, string]> = [
    ["limits.cpu", undefined, "2"], // ceil(1.25)
    ["limits.cpu", "1m", "1250"],
    ["limits.cpu", "100m", "13"], // ceil(12.5)
    ["requests.cpu", undefined, "1"], // ceil(0.1)
    ["requests.cpu", "1m", "100"],
    ["limits.memory", undefined, "1073741824"],
    ["limits.memory", "1Mi", "1024"],
    ["limits.memory", "1G", "2"], // ceil(1.07)
    ["requests.memory", "1Mi", "64"],
    ["requests.ephemeral-storage", undefined, "2"], // Value() rounds 1.5 up
  ];
  it.each(cases)("%s with divisor %s", async (resource, divisor, expected) => {
    expect(asRecord(await envOf({ resources, env: [ref(resource, divisor)] })).V).toBe(expected);
  });

  it("reports the node's allocatable for a limit the container does not set, and 0 for an unset request", async () => {
    const ctx = ctxWith(undefined, { nodeAllocatable: { cpu: "4", memory: "8Gi", "ephemeral-storage": "100Gi" } });
    const env = asRecord(
      await envOf({ env: [{ ...ref("limits.cpu", "1m"), name: "CPU" }, { ...ref("limits.memory", "1Gi"), name: "MEM" }, { ...ref("requests.cpu"), name: "REQ" }] }, ctx),
    );
    expect(env).toEqual({ CPU: "4000", MEM: "8", REQ: "0" });
  });

  it("reads another container's resources when containerName names it", async () => {
    const pod = makePod({ env: [{ name: "V", valueFrom: { resourceFieldRef: { containerName: "side", resource: "limits.memory", divisor: "1Mi" } } }] }, {});
    pod.spec.containers!.push({ ...pod.spec.containers![0], name: "side", env: [], resources: { limits: { memory: "300Mi" } } });
    expect(await containerEnv(pod, containerOf(pod), ctxWith())).toEqual([{ name: "V", value: "300" }]);
  });

  it("refuses a resource the downward API does not offer", async () => {
    expect((await configError(envOf({ env: [ref("limits.nvidia.com/gpu")] }))).message).toBe("unsupported container resource : limits.nvidia.com/gpu");
  });
});

describe("containerEnv: ConfigMaps and Secrets", () => {
  const src = () => {
    const s = new FakeApiObjectSource();
    s.setConfigMap("shop", "app", { color: "blue" });
    s.setSecret("shop", "db", { password: "p@ss wörd" });
    return s;
  };
  const cmKey = (name: string, key: string, optional?: boolean) => ({ name: "V", valueFrom: { configMapKeyRef: { name, key, optional } } });
  const secretKey = (name: string, key: string, optional?: boolean) => ({ name: "V", valueFrom: { secretKeyRef: { name, key, optional } } });

  it("reads keys, decoding Secrets from base64", async () => {
    const env = await envOf({ env: [{ ...cmKey("app", "color"), name: "C" }, { ...secretKey("db", "password"), name: "P" }] }, ctxWith(src()));
    expect(env).toEqual([
      { name: "C", value: "blue" },
      { name: "P", value: "p@ss wörd" },
    ]);
  });

  it.each([
    ["a missing ConfigMap", { env: [cmKey("nope", "color")] }, 'configmap "nope" not found'],
    ["a missing ConfigMap key", { env: [cmKey("app", "size")] }, "couldn't find key size in ConfigMap shop/app"],
    ["a missing Secret", { env: [secretKey("nope", "password")] }, 'secret "nope" not found'],
    ["a missing Secret key", { env: [secretKey("db", "user")] }, "couldn't find key user in Secret shop/db"],
    ["a missing envFrom ConfigMap", { envFrom: [{ configMapRef: { name: "nope" } }] }, 'configmap "nope" not found'],
    ["a missing envFrom Secret", { envFrom: [{ secretRef: { name: "nope" } }] }, 'secret "nope" not found'],
  ])("refuses %s unless optional", async (_what, container, message) => {
    expect((await configError(envOf(container, ctxWith(src())))).message).toBe(message);
  });

  it("skips optional sources and keys that are missing, keeping an earlier value of the name", async () => {
    const env = await envOf(
      {
        envFrom: [{ configMapRef: { name: "nope", optional: true } }, { secretRef: { name: "nope", optional: true } }],
        env: [
          { name: "V", value: "kept" },
          cmKey("app", "size", true),
          cmKey("nope", "color", true),
          secretKey("db", "user", true),
          secretKey("nope", "password", true),
        ],
      },
      ctxWith(src()),
    );
    expect(env).toEqual([{ name: "V", value: "kept" }]);
  });

  it("reads each object once per call", async () => {
    const s = src();
    await envOf({ envFrom: [{ configMapRef: { name: "app" } }, { configMapRef: { name: "app", }, prefix: "X_" }], env: [cmKey("app", "color"), { ...secretKey("db", "password"), name: "P" }, { ...secretKey("db", "password"), name: "Q" }] }, ctxWith(s));
    expect(s.reads).toEqual(["configmap shop/app", "secret shop/db"]);
    await envOf({ env: [cmKey("app", "color")] }, ctxWith(s));
    expect(s.reads).toHaveLength(3);
  });

  it("turns an API failure other than not-found into a CreateContainerConfigError, even when optional", async () => {
    const s = src();
    s.configMap = async () => {
      throw new Error('configmaps "app" is forbidden: no relationship found between node \'node-a\' and this object');
    };
    const err = await configError(envOf({ env: [cmKey("app", "color", true)] }, ctxWith(s)));
    expect(err.message).toMatch(/is forbidden/);
  });
});

describe("containerEnv: envFrom", () => {
  it("prefixes keys, skips keys that are not env names and reports them as upstream's event", async () => {
    const s = new FakeApiObjectSource();
    s.setConfigMap("shop", "app", { "good.key": "1", "bad=key": "2", "tab\tkey": "3" });
    s.setSecret("shop", "db", { "a=b": "x", user: "u" });
    const pod = makePod({ envFrom: [{ configMapRef: { name: "app" }, prefix: "CFG_" }, { secretRef: { name: "db" } }] });
    const warnings: string[] = [];
    const env = await containerEnv(pod, containerOf(pod), ctxWith(s, { onWarning: (reason, message) => warnings.push(`${reason}: ${message}`) }));
    expect(env).toEqual([
      { name: "CFG_good.key", value: "1" },
      { name: "user", value: "u" },
    ]);
    expect(warnings).toEqual([
      "InvalidEnvironmentVariableNames: Keys [CFG_bad=key, CFG_tab\tkey] from the EnvFrom configMap shop/app were skipped since they are considered invalid environment variable names.",
      "InvalidEnvironmentVariableNames: Keys [a=b] from the EnvFrom secret shop/db were skipped since they are considered invalid environment variable names.",
    ]);
    // The same warnings come back as values without a callback.
    const resolved = await resolveContainerEnv(pod, containerOf(pod), ctxWith(s));
    expect(resolved.warnings.map((w) => w.reason)).toEqual(["InvalidEnvironmentVariableNames", "InvalidEnvironmentVariableNames"]);
  });
});

describe("expandCommand", () => {
  it("expands command and args from the final environment", () => {
    const pod = makePod({ command: ["/bin/sh", "-c", "echo $(GREETING) $$(HOME) $(NOPE)"], args: ["$(GREETING)-$(NAME)"] });
    const env = [
      { name: "GREETING", value: "hi" },
      { name: "NAME", value: "web" },
    ];
    expect(expandCommand(containerOf(pod), env)).toEqual({ command: ["/bin/sh", "-c", "echo hi $(HOME) $(NOPE)"], args: ["hi-web"] });
  });

  it("leaves command and args out when the container sets none", () => {
    expect(expandCommand(containerOf(makePod({})), [])).toEqual({});
  });
});
