// Real kubectl against `edgeplane up`: ResourceQuota (`kubectl create quota`, `get`, `describe`,
// a `kubectl run` refused with the quota's message) and Pod Security Admission (`kubectl label
// ns … enforce=restricted`, then a refused pod and a warning, as kubectl prints them).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEdgeplane, type Edgeplane } from "./harness.js";
import { until } from "./helpers.js";
import { hasKubectl, kubectlFor, table, warnIfNoKubectl, type Kubectl } from "./kubectl-helpers.js";

warnIfNoKubectl("kubectl-admission");

let h: Edgeplane;
let k: Kubectl;

const podManifest = (name: string, cpu: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n    resources:\n      requests: {cpu: ${cpu}}\n      limits: {cpu: ${cpu}}\n`;

const RESTRICTED = (c: string) =>
  `allowPrivilegeEscalation != false (container "${c}" must set securityContext.allowPrivilegeEscalation=false), ` +
  `unrestricted capabilities (container "${c}" must set securityContext.capabilities.drop=["ALL"]), ` +
  `runAsNonRoot != true (pod or container "${c}" must set securityContext.runAsNonRoot=true), ` +
  `seccompProfile (pod or container "${c}" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`;

describe.skipIf(!hasKubectl)("kubectl and admission", () => {
  beforeAll(async () => {
    h = await startEdgeplane();
    k = kubectlFor(h);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("create quota, get and describe it, and a refused kubectl run", async () => {
    await k.ok(["create", "namespace", "team"]);
    expect(await k.ok(["create", "quota", "compute", "-n", "team", "--hard=pods=2,requests.cpu=1,limits.cpu=1500m"])).toBe("resourcequota/compute created\n");

    const described = await until("status.used", async () => {
      const out = await k.ok(["describe", "quota", "compute", "-n", "team"]);
      return out.includes("pods          0") ? out : undefined;
    });
    expect(described).toBe(
      [
        "Name:         compute",
        "Namespace:    team",
        "Resource      Used  Hard",
        "--------      ----  ----",
        "limits.cpu    0     1500m",
        "pods          0     2",
        "requests.cpu  0     1",
        "",
      ].join("\n"),
    );

    const run = await k(["run", "web", "-n", "team", "--image=nginx:1.27"]);
    expect(run).toEqual({
      code: 1,
      stdout: "",
      stderr: 'Error from server (Forbidden): pods "web" is forbidden: failed quota: compute: must specify limits.cpu for: web; requests.cpu for: web\n',
    });

    expect(await k.ok(["create", "-n", "team", "-f", "-"], { stdin: podManifest("a", "750m") })).toBe("pod/a created\n");
    const over = await k(["create", "-n", "team", "-f", "-"], { stdin: podManifest("b", "750m") });
    expect(over.code).toBe(1);
    expect(over.stderr).toBe(
      'Error from server (Forbidden): error when creating "STDIN": pods "b" is forbidden: exceeded quota: compute, requested: requests.cpu=750m, used: requests.cpu=750m, limited: requests.cpu=1\n',
    );

    const got = table(await k.ok(["get", "quota", "-n", "team"]));
    expect(got.headers).toEqual(["NAME", "AGE", "REQUEST", "LIMIT"]);
    expect(got.rows[0]).toMatchObject({ NAME: "compute", REQUEST: "pods: 1/2, requests.cpu: 750m/1", LIMIT: "limits.cpu: 750m/1500m" });
  });

  it("label a namespace enforce=restricted, then a pod is refused with PodSecurity's message", async () => {
    await k.ok(["create", "namespace", "secure"]);
    expect(await k.ok(["label", "ns", "secure", "pod-security.kubernetes.io/enforce=restricted"])).toBe("namespace/secure labeled\n");
    const r = await k(["run", "nginx", "-n", "secure", "--image=nginx:1.27"]);
    expect(r).toEqual({
      code: 1,
      stdout: "",
      stderr: `Error from server (Forbidden): pods "nginx" is forbidden: violates PodSecurity "restricted:latest": ${RESTRICTED("nginx")}\n`,
    });

    // warn: the pod is created and kubectl prints the warning.
    await k.ok(["label", "ns", "secure", "pod-security.kubernetes.io/enforce=baseline", "pod-security.kubernetes.io/warn=restricted", "--overwrite"]);
    const warned = await k(["run", "nginx", "-n", "secure", "--image=nginx:1.27"]);
    expect(warned).toEqual({ code: 0, stdout: "pod/nginx created\n", stderr: `Warning: would violate PodSecurity "restricted:latest": ${RESTRICTED("nginx")}\n` });

    // A stricter enforce level: allowed, with warnings about the pods already there.
    expect(await k(["label", "ns", "secure", "pod-security.kubernetes.io/enforce=restricted", "--overwrite"])).toEqual({
      code: 0,
      stdout: "namespace/secure labeled\n",
      stderr:
        'Warning: existing pods in namespace "secure" violate the new PodSecurity enforce level "restricted:latest"\n' +
        "Warning: nginx: allowPrivilegeEscalation != false, unrestricted capabilities, runAsNonRoot != true, seccompProfile\n",
    });

    const bad = await k(["label", "ns", "secure", "pod-security.kubernetes.io/enforce=strict", "--overwrite"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      'The Namespace "secure" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted\n',
    );
  });
});
