// Real kubectl against `edgeplane up`: discovery and docs (api-resources, api-versions,
// explain, get --raw, version, auth whoami), and a smoke run of the everyday commands with
// every other installed kubectl version (kubectl.1.28 … kubectl.1.33).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEdgeplane, type Edgeplane } from "./harness.js";
import { hasKubectl, kubectlFor, manifestDir, otherKubectlVersions, rowOf, table, warnIfNoKubectl, type Kubectl } from "./kubectl-helpers.js";

warnIfNoKubectl("kubectl-discovery");

let h: Edgeplane;
let k: Kubectl;
let files: ReturnType<typeof manifestDir>;

describe.skipIf(!hasKubectl)("kubectl discovery, docs and versions", () => {
  beforeAll(async () => {
    h = await startEdgeplane();
    k = kubectlFor(h);
    files = manifestDir();
  });
  afterAll(async () => {
    files?.remove();
    await h?.stop();
  });

  describe("discovery", () => {
    it("api-resources: NAME SHORTNAMES APIVERSION NAMESPACED KIND with upstream's rows", async () => {
      const r = await k(["api-resources"]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe("");
      const t = table(r.stdout);
      expect(t.headers).toEqual(["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]);
      const row = (name: string, apiVersion: string) => {
        const found = t.rows.find((x) => x.NAME === name && x.APIVERSION === apiVersion);
        if (!found) throw new Error(`no api-resources row ${name} ${apiVersion}:\n${r.stdout}`);
        return found;
      };
      const expected: Array<[string, string, string, string, string]> = [
        ["pods", "po", "v1", "true", "Pod"],
        ["services", "svc", "v1", "true", "Service"],
        ["configmaps", "cm", "v1", "true", "ConfigMap"],
        ["secrets", "", "v1", "true", "Secret"],
        ["namespaces", "ns", "v1", "false", "Namespace"],
        ["nodes", "no", "v1", "false", "Node"],
        ["endpoints", "ep", "v1", "true", "Endpoints"],
        ["events", "ev", "v1", "true", "Event"],
        ["serviceaccounts", "sa", "v1", "true", "ServiceAccount"],
        ["deployments", "deploy", "apps/v1", "true", "Deployment"],
        ["replicasets", "rs", "apps/v1", "true", "ReplicaSet"],
        ["statefulsets", "sts", "apps/v1", "true", "StatefulSet"],
        ["daemonsets", "ds", "apps/v1", "true", "DaemonSet"],
        ["jobs", "", "batch/v1", "true", "Job"],
        ["cronjobs", "cj", "batch/v1", "true", "CronJob"],
        ["leases", "", "coordination.k8s.io/v1", "true", "Lease"],
        ["events", "ev", "events.k8s.io/v1", "true", "Event"],
      ];
      for (const [name, short, apiVersion, namespaced, kind] of expected) {
        expect(row(name, apiVersion), `${name} ${apiVersion}`).toEqual({ NAME: name, SHORTNAMES: short, APIVERSION: apiVersion, NAMESPACED: namespaced, KIND: kind });
      }
      // sorted by group as kubectl sorts: core first
      expect(t.rows[0].APIVERSION).toBe("v1");
    });

    it("api-resources filters: --namespaced=false, --api-group=apps, -o name, -o wide VERBS", async () => {
      const cluster = table(await k.ok(["api-resources", "--namespaced=false"]));
      expect(cluster.rows.map((r) => r.NAME)).toEqual(expect.arrayContaining(["namespaces", "nodes"]));
      expect(cluster.rows.every((r) => r.NAMESPACED === "false")).toBe(true);
      const apps = (await k.ok(["api-resources", "--api-group=apps", "-o", "name"])).trim().split("\n");
      expect(apps).toEqual(expect.arrayContaining(["daemonsets.apps", "deployments.apps", "replicasets.apps", "statefulsets.apps"]));
      expect(apps.every((n) => n.endsWith(".apps"))).toBe(true);
      const wide = table(await k.ok(["api-resources", "-o", "wide"]));
      expect(wide.headers).toEqual(["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND", "VERBS", "CATEGORIES"]);
      expect(rowOf(wide, "pods")).toMatchObject({ VERBS: "create,delete,deletecollection,get,list,patch,update,watch", CATEGORIES: "all" });
      expect(rowOf(wide, "deployments")).toMatchObject({ CATEGORIES: "all" });
      expect(rowOf(wide, "configmaps")).toMatchObject({ CATEGORIES: "" });
    });

    it("api-versions lists every served group version", async () => {
      const out = await k.ok(["api-versions"]);
      const versions = out.trim().split("\n");
      expect(versions).toEqual(expect.arrayContaining(["v1", "apps/v1", "batch/v1", "coordination.k8s.io/v1", "events.k8s.io/v1"]));
      expect([...versions].sort()).toEqual(versions);
    });

    it("get all lists the kinds in the `all` category", async () => {
      await k.ok(["create", "deployment", "allweb", "--image=nginx"]);
      await k.ok(["create", "configmap", "notinall"]);
      const out = await k.ok(["get", "all"]);
      expect(out).toMatch(/deployment\.apps\/allweb/);
      expect(out).not.toMatch(/configmap/);
    });

    it("get --raw returns the REST response", async () => {
      await k.ok(["create", "configmap", "raw1", "--from-literal=a=b"]);
      const list = JSON.parse(await k.ok(["get", "--raw", "/api/v1/namespaces/default/configmaps"]));
      expect(list).toMatchObject({ apiVersion: "v1", kind: "ConfigMapList", metadata: { resourceVersion: expect.stringMatching(/^\d+$/) } });
      expect(list.items.find((i: any) => i.metadata.name === "raw1")).toMatchObject({ data: { a: "b" } });
      expect(list.items[0].apiVersion).toBeUndefined(); // items in a list carry no TypeMeta, as upstream
      const root = JSON.parse(await k.ok(["get", "--raw", "/api"]));
      expect(root).toMatchObject({ kind: "APIVersions", versions: ["v1"] });
      const missing = await k(["get", "--raw", "/api/v1/namespaces/default/configmaps/nope"]);
      expect(missing).toEqual({ code: 1, stdout: "", stderr: 'Error from server (NotFound): configmaps "nope" not found\n' });
      expect(await k.ok(["get", "--raw", "/healthz"])).toBe("ok");
    });

    it("version prints client and server versions", async () => {
      const out = await k.ok(["version"]);
      expect(out).toMatch(/^Client Version: v1\.\d+\.\d+\S*\nKustomize Version: v\S+\nServer Version: v1\.\d+\.\d+\S*\n$/);
      const j = JSON.parse(await k.ok(["version", "-o", "json"]));
      expect(j.serverVersion).toMatchObject({ major: "1", minor: expect.stringMatching(/^\d+$/), gitVersion: expect.stringMatching(/^v1\.\d+\.\d+/), platform: expect.any(String) });
    });

    it("auth whoami prints ATTRIBUTE VALUE with the Username", async () => {
      const r = await k(["auth", "whoami"]);
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const t = table(r.stdout);
      expect(t.headers).toEqual(["ATTRIBUTE", "VALUE"]);
      expect(rowOf(t, "Username", "ATTRIBUTE").VALUE).not.toBe("");
      expect(rowOf(t, "Groups", "ATTRIBUTE").VALUE).toMatch(/^\[.*system:authenticated.*\]$/);
      const j = JSON.parse(await k.ok(["auth", "whoami", "-o", "json"]));
      expect(j).toMatchObject({ apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview", status: { userInfo: { username: expect.any(String) } } });
    });
  });

  describe("explain", () => {
    it("explain deployment.spec.replicas", async () => {
      const out = await k.ok(["explain", "deployment.spec.replicas"]);
      expect(out).toMatch(/^GROUP: {6}apps\nKIND: {7}Deployment\nVERSION: {4}v1\n\nFIELD: replicas <integer>\n\n\nDESCRIPTION:\n {4}\S/);
      expect(out).toMatch(/Defaults to 1\./);
    });

    it("explain pod.spec.containers lists the Container fields, marking required ones", async () => {
      const out = await k.ok(["explain", "pod.spec.containers"]);
      expect(out).toMatch(/^KIND: {7}Pod\nVERSION: {4}v1\n\nFIELD: containers <\[\]Container>\n\n\nDESCRIPTION:\n/);
      expect(out).toMatch(/\nFIELDS:\n/);
      expect(out).toMatch(/\n  name\t<string> -required-\n/);
      expect(out).toMatch(/\n  image\t<string>\n/);
      expect(out).toMatch(/\n  ports\t<\[\]ContainerPort>\n/);
      expect(out).toMatch(/\n  resources\t<ResourceRequirements>\n/);
    });

    it("explain --recursive and an unknown field", async () => {
      const rec = await k.ok(["explain", "deployment.spec.strategy", "--recursive"]);
      expect(rec).toMatch(/\nFIELDS:\n  rollingUpdate\t<RollingUpdateDeployment>\n    maxSurge\t<\w+>\n    maxUnavailable\t<\w+>\n  type\t<string>\n/);
      const bad = await k(["explain", "pod.spec.nope"]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toBe('error: field "nope" does not exist\n');
    });

    it("explain shows maxSurge <IntOrString>", async () => {
      const rec = await k.ok(["explain", "deployment.spec.strategy.rollingUpdate"]);
      expect(rec).toMatch(/\n  maxSurge\t<IntOrString>\n/);
      expect(rec).toMatch(/\n  maxUnavailable\t<IntOrString>\n/);
    });

    it("explain pods shows the Pod type's description", async () => {
      const out = await k.ok(["explain", "pods"]);
      expect(out).toMatch(/^KIND: {7}Pod\nVERSION: {4}v1\n\nDESCRIPTION:\n {4}Pod is a collection of containers that can run on a host\. This resource is\n {4}created by clients and scheduled onto hosts\.\n/);
    });
  });

  describe("other kubectl versions (smoke)", () => {
    const versions = otherKubectlVersions();
    if (versions.length === 0) {
      it.skip("no kubectl.1.NN binaries installed beside kubectl", () => {});
    }
    it.each(versions)("kubectl $version: version, get, create -f, apply, delete, explain", async ({ version, bin }) => {
      const kv = kubectlFor(h, bin);
      const name = `smoke-${version.replace(".", "-")}`;
      const v = await kv.ok(["version", "-o", "json"]);
      expect(JSON.parse(v).clientVersion.minor).toBe(version.split(".")[1]);
      expect(table(await kv.ok(["get", "namespaces"])).headers).toEqual(["NAME", "STATUS", "AGE"]);
      const f = files.write(
        `${name}.yaml`,
        `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: ${name}}\n  template:\n    metadata:\n      labels: {app: ${name}}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.25\n`,
      );
      expect(await kv(["create", "-f", f])).toEqual({ code: 0, stdout: `deployment.apps/${name} created\n`, stderr: "" });
      expect(await kv(["create", "-f", f])).toEqual({
        code: 1,
        stdout: "",
        stderr: `Error from server (AlreadyExists): error when creating "${f}": deployments.apps "${name}" already exists\n`,
      });
      const t = table(await kv.ok(["get", "deployments", "-o", "wide"]));
      expect(t.headers).toEqual(["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"]);
      expect(rowOf(t, name)).toMatchObject({ READY: "0/1", IMAGES: "nginx:1.25", SELECTOR: `app=${name}` });
      const applied = await kv(["apply", "-f", f]);
      expect(applied.code).toBe(0);
      expect(applied.stdout).toBe(`deployment.apps/${name} configured\n`);
      expect(await kv.ok(["apply", "-f", f])).toBe(`deployment.apps/${name} unchanged\n`);
      files.write(`${name}.yaml`, (await import("node:fs")).readFileSync(f, "utf8").replace("replicas: 1", "replicas: 2"));
      expect(await kv.ok(["apply", "-f", f])).toBe(`deployment.apps/${name} configured\n`);
      expect(await kv.ok(["get", "deploy", name, "-o", "jsonpath={.spec.replicas}"])).toBe("2");
      const ex = await kv.ok(["explain", "deployment.spec.replicas"]);
      expect(ex).toMatch(/FIELD: +replicas <integer>/);
      expect(await kv(["get", "pods", "nope"])).toEqual({ code: 1, stdout: "", stderr: 'Error from server (NotFound): pods "nope" not found\n' });
      expect(await kv(["delete", "-f", f])).toEqual({ code: 0, stdout: `deployment.apps "${name}" deleted\n`, stderr: "" });
    });
  });
});
