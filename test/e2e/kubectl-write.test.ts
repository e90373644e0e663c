// Real kubectl against `edgeplane up`: imperative writes (create -f, create <kind>, run, expose,
// label, annotate, scale, set image/resources, edit, patch, delete), client-side `apply`
// (three-way merge driven by last-applied-configuration, strict decoding), and errors as
// kubectl prints them against a real cluster.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEdgeplane, type Edgeplane } from "./harness.js";
import { hasKubectl, kubectlFor, manifestDir, warnIfNoKubectl, type Kubectl } from "./kubectl-helpers.js";

warnIfNoKubectl("kubectl-write");

let h: Edgeplane;
let k: Kubectl;
let files: ReturnType<typeof manifestDir>;

const jp = (ns: string, kind: string, name: string, path: string) => k.ok(["get", kind, name, "-n", ns, "-o", `jsonpath=${path}`]);
const getJson = async (ns: string, kind: string, name: string) => JSON.parse(await k.ok(["get", kind, name, "-n", ns, "-o", "json"]));
const exists = async (ns: string, kind: string, name: string) => (await k(["get", kind, name, "-n", ns, "-o", "name"])).code === 0;
/** `kind/name` lines of the objects matching a label selector ("" when none). */
const names = async (ns: string, kinds: string, selector: string) => k.ok(["get", kinds, "-n", ns, "-l", selector, "-o", "name"]);
/** Polls `check` every 100 ms for up to 10 s. */
async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const deployment = (name: string, opts: { replicas?: number; image?: string; env?: boolean; ns?: string; extraLabel?: boolean } = {}) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
${opts.ns ? `  namespace: ${opts.ns}\n` : ""}  labels:
    app: ${name}
${opts.extraLabel ? "    team: blue\n" : ""}spec:
  replicas: ${opts.replicas ?? 1}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
      - name: web
        image: ${opts.image ?? "nginx:1.25"}
${opts.env ? "        env:\n        - name: MODE\n          value: prod\n" : ""}`;

describe.skipIf(!hasKubectl)("kubectl writes, apply and errors", () => {
  beforeAll(async () => {
    h = await startEdgeplane();
    k = kubectlFor(h);
    files = manifestDir();
    for (const ns of ["create", "mut", "del", "apply", "errs"]) await k.ok(["create", "namespace", ns]);
  });
  afterAll(async () => {
    files?.remove();
    await h?.stop();
  });

  describe("create", () => {
    it("create -f a multi-document file prints one line per object", async () => {
      const f = files.write(
        "multi.yaml",
        `${deployment("web", { ns: "create" })}---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: create
data:
  mode: prod
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: create
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
`,
      );
      const r = await k(["create", "-f", f]);
      expect(r).toEqual({ code: 0, stdout: "deployment.apps/web created\nconfigmap/settings created\nservice/web created\n", stderr: "" });
      expect(await jp("create", "cm", "settings", "{.data.mode}")).toBe("prod");
      // upstream's defaults were applied by the server
      const d = await getJson("create", "deploy", "web");
      expect(d.spec).toMatchObject({ progressDeadlineSeconds: 600, revisionHistoryLimit: 10, strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } } });
      expect(d.spec.template.spec).toMatchObject({ restartPolicy: "Always", dnsPolicy: "ClusterFirst", terminationGracePeriodSeconds: 30 });
    });

    it("create -f a folder and create -f - (stdin)", async () => {
      const d = manifestDir();
      try {
        d.write("a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-dir-a}\n");
        d.write("b.json", JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "from-dir-b" } }));
        expect(await k.ok(["create", "-n", "create", "-f", d.dir])).toBe("configmap/from-dir-a created\nconfigmap/from-dir-b created\n");
      } finally {
        d.remove();
      }
      const r = await k(["create", "-n", "create", "-f", "-"], { stdin: "apiVersion: v1\nkind: Secret\nmetadata: {name: piped}\nstringData: {k: v}\n" });
      expect(r).toEqual({ code: 0, stdout: "secret/piped created\n", stderr: "" });
      expect(Buffer.from(await jp("create", "secret", "piped", "{.data.k}"), "base64").toString()).toBe("v");
    });

    it("create deployment / configmap / secret / namespace / service clusterip (protobuf bodies)", async () => {
      expect(await k.ok(["create", "deployment", "api", "-n", "create", "--image=nginx:1.25", "--replicas=2", "--port=8080"])).toBe("deployment.apps/api created\n");
      const d = await getJson("create", "deployment", "api");
      expect(d.spec.replicas).toBe(2);
      expect(d.spec.selector).toEqual({ matchLabels: { app: "api" } });
      expect(d.spec.template.spec.containers).toMatchObject([{ name: "nginx", image: "nginx:1.25", ports: [{ containerPort: 8080, protocol: "TCP" }] }]);

      expect(await k.ok(["create", "configmap", "cfg", "-n", "create", "--from-literal=a=1", "--from-literal=b=two"])).toBe("configmap/cfg created\n");
      expect(await jp("create", "cm", "cfg", "{.data}")).toBe('{"a":"1","b":"two"}');

      expect(await k.ok(["create", "secret", "generic", "pw", "-n", "create", "--from-literal=password=s3cret"])).toBe("secret/pw created\n");
      expect(await jp("create", "secret", "pw", "{.type} {.data.password}")).toBe(`Opaque ${Buffer.from("s3cret").toString("base64")}`);

      expect(await k.ok(["create", "namespace", "made-by-kubectl"])).toBe("namespace/made-by-kubectl created\n");
      expect(await jp("", "ns", "made-by-kubectl", "{.status.phase}")).toBe("Active");

      expect(await k.ok(["create", "service", "clusterip", "api", "-n", "create", "--tcp=80:8080"])).toBe("service/api created\n");
      const s = await getJson("create", "svc", "api");
      expect(s.spec).toMatchObject({ type: "ClusterIP", selector: { app: "api" }, ports: [{ name: "80-8080", port: 80, targetPort: 8080, protocol: "TCP" }] });
    });

    it("run creates a pod with the run label; --dry-run=server stores nothing", async () => {
      expect(await k.ok(["run", "shell", "-n", "create", "--image=busybox:1.36", "--labels=app=shell,tier=debug", "--env=A=1", "--", "sleep", "3600"])).toBe("pod/shell created\n");
      const p = await getJson("create", "pod", "shell");
      expect(p.metadata.labels).toEqual({ app: "shell", tier: "debug" });
      expect(p.spec.containers).toMatchObject([{ name: "shell", image: "busybox:1.36", args: ["sleep", "3600"], env: [{ name: "A", value: "1" }] }]);
      expect(p.spec.restartPolicy).toBe("Always");
      expect(p.status.phase).toBe("Pending");
      expect(await k.ok(["run", "ghost", "-n", "create", "--image=nginx", "--dry-run=server"])).toBe("pod/ghost created (server dry run)\n");
      expect(await exists("create", "pod", "ghost")).toBe(false);
    });

    it("expose deployment creates a Service with the deployment's selector and ports", async () => {
      expect(await k.ok(["expose", "deployment", "api", "-n", "create", "--name=api-ext", "--port=80", "--target-port=8080"])).toBe("service/api-ext exposed\n");
      const s = await getJson("create", "svc", "api-ext");
      expect(s.spec).toMatchObject({ type: "ClusterIP", selector: { app: "api" }, ports: [{ port: 80, targetPort: 8080, protocol: "TCP" }] });
      expect(s.spec.clusterIP).toMatch(/^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/);
      expect(await k.ok(["expose", "pod", "shell", "-n", "create", "--port=22"])).toBe("service/shell exposed\n");
      expect((await getJson("create", "svc", "shell")).spec.selector).toEqual({ app: "shell", tier: "debug" });
    });
  });

  describe("mutate", () => {
    beforeAll(async () => {
      await k.ok(["create", "-f", files.write("mut.yaml", deployment("app", { ns: "mut" }))]);
      await k.ok(["run", "web", "-n", "mut", "--image=nginx:1.25", "--labels=app=web"]);
    });

    it("label: add, refuse to overwrite without --overwrite (upstream's message), overwrite, remove", async () => {
      expect(await k.ok(["label", "pod", "web", "-n", "mut", "env=prod"])).toBe("pod/web labeled\n");
      const r = await k(["label", "pod", "web", "-n", "mut", "app=other"]);
      expect(r).toEqual({ code: 1, stdout: "", stderr: "error: 'app' already has a value (web), and --overwrite is false\n" });
      expect(await k.ok(["label", "pod", "web", "-n", "mut", "app=other", "--overwrite"])).toBe("pod/web labeled\n");
      expect(await k.ok(["label", "pod", "web", "-n", "mut", "env-"])).toBe("pod/web unlabeled\n");
      expect(await jp("mut", "pod", "web", "{.metadata.labels}")).toBe('{"app":"other"}');
      expect(await k.ok(["label", "pod", "web", "-n", "mut", "app=other"])).toBe("pod/web not labeled\n");
    });

    it("annotate: add, refuse to overwrite, --overwrite, remove", async () => {
      expect(await k.ok(["annotate", "deploy", "app", "-n", "mut", "owner=team-a"])).toBe("deployment.apps/app annotated\n");
      const r = await k(["annotate", "deploy", "app", "-n", "mut", "owner=team-b"]);
      expect(r).toEqual({ code: 1, stdout: "", stderr: "error: --overwrite is false but found the following declared annotation(s): 'owner' already has a value (team-a)\n" });
      expect(await k.ok(["annotate", "deploy", "app", "-n", "mut", "owner=team-b", "--overwrite"])).toBe("deployment.apps/app annotated\n");
      expect(await jp("mut", "deploy", "app", "{.metadata.annotations.owner}")).toBe("team-b");
      expect(await k.ok(["annotate", "deploy", "app", "-n", "mut", "owner-"])).toBe("deployment.apps/app annotated\n");
      expect(await jp("mut", "deploy", "app", "{.metadata.annotations.owner}")).toBe("");
    });

    it("annotate KEY- of the last annotation leaves no annotations field", async () => {
      await k.ok(["annotate", "pod", "web", "-n", "mut", "only=one"]);
      await k.ok(["annotate", "pod", "web", "-n", "mut", "only-"]);
      expect(await jp("mut", "pod", "web", "{.metadata.annotations}")).toBe("");
      expect(await k.ok(["get", "pod", "web", "-n", "mut", "-o", "yaml"])).not.toMatch(/annotations: \{\}/);
    });

    it("scale (scale subresource) and --current-replicas precondition", async () => {
      expect(await k.ok(["scale", "deploy", "app", "-n", "mut", "--replicas=3"])).toBe("deployment.apps/app scaled\n");
      expect(await jp("mut", "deploy", "app", "{.spec.replicas}")).toBe("3");
      const r = await k(["scale", "deployment/app", "-n", "mut", "--replicas=5", "--current-replicas=1"]);
      expect(r).toEqual({ code: 1, stdout: "", stderr: "error: Expected replicas to be 1, was 3\n" });
      expect(await k.ok(["scale", "deployment/app", "-n", "mut", "--replicas=1", "--current-replicas=3"])).toBe("deployment.apps/app scaled\n");
      expect(await jp("mut", "deploy", "app", "{.spec.replicas}")).toBe("1");
    });

    it("set image and set resources", async () => {
      expect(await k.ok(["set", "image", "deployment/app", "-n", "mut", "web=nginx:2"])).toBe("deployment.apps/app image updated\n");
      expect(await jp("mut", "deploy", "app", "{.spec.template.spec.containers[0].image}")).toBe("nginx:2");
      expect(await k.ok(["set", "resources", "deployment", "app", "-n", "mut", "-c=web", "--limits=cpu=200m,memory=512Mi", "--requests=cpu=100m,memory=256Mi"])).toBe(
        "deployment.apps/app resource requirements updated\n",
      );
      expect(JSON.parse(await jp("mut", "deploy", "app", "{.spec.template.spec.containers[0].resources}"))).toEqual({
        limits: { cpu: "200m", memory: "512Mi" },
        requests: { cpu: "100m", memory: "256Mi" },
      });
      const r = await k(["set", "image", "deployment/app", "-n", "mut", "nosuch=nginx:3"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('error: unable to find container named "nosuch"\n');
    });

    it("edit with KUBE_EDITOR: a change is saved; no change cancels", async () => {
      await k.ok(["scale", "deploy", "app", "-n", "mut", "--replicas=1"]);
      const editor = files.write("editor.sh", '#!/bin/sh\nsed -i "s/replicas: 1$/replicas: 3/" "$1"\n');
      const r = await k(["edit", "deployment", "app", "-n", "mut"], { env: { KUBE_EDITOR: editor, EDITOR: editor } });
      expect(r).toEqual({ code: 0, stdout: "deployment.apps/app edited\n", stderr: "" });
      expect(await jp("mut", "deploy", "app", "{.spec.replicas}")).toBe("3");
      const noop = await k(["edit", "deployment", "app", "-n", "mut"], { env: { KUBE_EDITOR: "true", EDITOR: "true" } });
      expect(noop).toMatchObject({ code: 0, stdout: "" });
      expect(noop.stderr).toBe("Edit cancelled, no changes made.\n");
    });

    it("patch: merge, json, strategic (containers merged by name), no-op", async () => {
      expect(await k.ok(["patch", "deploy", "app", "-n", "mut", "--type=merge", "-p", '{"metadata":{"labels":{"patched":"merge"}}}'])).toBe("deployment.apps/app patched\n");
      expect(await jp("mut", "deploy", "app", "{.metadata.labels.patched}")).toBe("merge");
      expect(await k.ok(["patch", "deploy", "app", "-n", "mut", "--type=json", "-p", '[{"op":"replace","path":"/spec/replicas","value":2}]'])).toBe("deployment.apps/app patched\n");
      expect(await jp("mut", "deploy", "app", "{.spec.replicas}")).toBe("2");
      // json patch test op, then replace
      expect(await k.ok(["patch", "deploy", "app", "-n", "mut", "--type=json", "-p", '[{"op":"test","path":"/spec/replicas","value":2},{"op":"add","path":"/metadata/labels/tested","value":"yes"}]'])).toBe("deployment.apps/app patched\n");
      // strategic (the default): a new container is added, the existing one is kept
      expect(await k.ok(["patch", "deploy", "app", "-n", "mut", "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"busybox:1.36"}]}}}}'])).toBe(
        "deployment.apps/app patched\n",
      );
      const names = (await jp("mut", "deploy", "app", "{.spec.template.spec.containers[*].name}")).split(" ").sort();
      expect(names).toEqual(["side", "web"]);
      // and $patch: delete removes one by its merge key
      await k.ok(["patch", "deploy", "app", "-n", "mut", "--type=strategic", "-p", '{"spec":{"template":{"spec":{"containers":[{"name":"side","$patch":"delete"}]}}}}']);
      expect(await jp("mut", "deploy", "app", "{.spec.template.spec.containers[*].name}")).toBe("web");
      expect(await k.ok(["patch", "deploy", "app", "-n", "mut", "--type=merge", "-p", '{"spec":{"replicas":2}}'])).toBe("deployment.apps/app patched (no change)\n");
      // strategic patch of a pod's image (the one mutable container field)
      expect(await k.ok(["patch", "pod", "web", "-n", "mut", "-p", '{"spec":{"containers":[{"name":"web","image":"nginx:1.26"}]}}'])).toBe("pod/web patched\n");
      expect(await jp("mut", "pod", "web", "{.spec.containers[0].image}")).toBe("nginx:1.26");
    });

    it("merge patch of a pod's containers list", async () => {
      // Without the token volume: ServiceAccount admission mounts it in every container, and a
      // merge patch replacing the list drops that mount, which pod updates may not change (as upstream).
      await k.ok(["run", "mp", "-n", "mut", "--image=nginx:1.25", "--overrides", JSON.stringify({ spec: { automountServiceAccountToken: false } })]);
      // upstream decodes the patched JSON with defaulting (imagePullPolicy, terminationMessagePath, …), so only the image differs
      expect(await k(["patch", "pod", "mp", "-n", "mut", "--type=merge", "-p", '{"spec":{"containers":[{"name":"mp","image":"nginx:1.26"}]}}'])).toEqual({
        code: 0,
        stdout: "pod/mp patched\n",
        stderr: "",
      });
      expect(await jp("mut", "pod", "mp", "{.spec.containers[0].image} {.spec.containers[0].terminationMessagePath}")).toBe("nginx:1.26 /dev/termination-log");
    });

    it("status subresource patch does not touch spec; spec patch does not touch status", async () => {
      // A StatefulSet: no controller writes its status here, so the status written is the one read
      // back (a Deployment's status belongs to the Deployment controller, which rewrites it).
      const sts = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: mut}\nspec:\n  replicas: 2\n  serviceName: db\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: db, image: postgres:16}]}\n";
      await k.ok(["create", "-f", files.write("mut-sts.yaml", sts)]);
      expect(await k.ok(["patch", "sts", "db", "-n", "mut", "--subresource=status", "--type=merge", "-p", '{"status":{"replicas":7},"spec":{"replicas":9}}'])).toBe(
        "statefulset.apps/db patched\n",
      );
      expect(await jp("mut", "sts", "db", "{.spec.replicas} {.status.replicas}")).toBe("2 7");
      expect(await k.ok(["patch", "sts", "db", "-n", "mut", "--type=merge", "-p", '{"spec":{"replicas":3},"status":{"replicas":9}}'])).toBe("statefulset.apps/db patched\n");
      expect(await jp("mut", "sts", "db", "{.spec.replicas} {.status.replicas}")).toBe("3 7");
    });
  });

  describe("delete", () => {
    beforeAll(async () => {
      for (const n of ["bg", "orph", "plain"]) await k.ok(["create", "deployment", n, "-n", "del", "--image=nginx"]);
      for (const [n, l] of [
        ["p1", "app=x"],
        ["p2", "app=x"],
        ["p3", "app=y"],
      ]) {
        await k.ok(["run", n, "-n", "del", "--image=nginx", `--labels=${l}`]);
      }
    });

    it("delete (default --wait) returns once the object is gone", async () => {
      const t0 = Date.now();
      expect(await k(["delete", "deployment", "plain", "-n", "del"])).toEqual({ code: 0, stdout: 'deployment.apps "plain" deleted\n', stderr: "" });
      expect(Date.now() - t0).toBeLessThan(5_000);
      expect(await exists("del", "deploy", "plain")).toBe(false);
    });

    it("delete --cascade=background --wait returns once gone", async () => {
      const r = await k(["delete", "deployment", "bg", "-n", "del", "--cascade=background", "--wait", "--timeout=10s"]);
      expect(r).toEqual({ code: 0, stdout: 'deployment.apps "bg" deleted\n', stderr: "" });
      expect(await exists("del", "deploy", "bg")).toBe(false);
    });

    it("default and background deletion: the garbage collector removes the ReplicaSets and their pods", async () => {
      // plain and bg were deleted above; their dependents go shortly after.
      for (const app of ["plain", "bg"]) {
        await until(async () => (await names("del", "rs,pods", `app=${app}`)) === "");
      }
    });

    it("delete --cascade=orphan returns once gone; its ReplicaSet and pods stay, without the ownerReference", async () => {
      await until(async () => (await names("del", "rs", "app=orph")) !== "");
      const rs = (await names("del", "rs", "app=orph")).trim().replace(/^replicaset\.apps\//, "");
      const r = await k(["delete", "deployment", "orph", "-n", "del", "--cascade=orphan", "--timeout=5s"]);
      expect(r).toEqual({ code: 0, stdout: 'deployment.apps "orph" deleted\n', stderr: "" });
      expect(await exists("del", "deploy", "orph")).toBe(false);
      expect(await jp("del", "rs", rs, "{.metadata.ownerReferences}")).toBe("");
      await until(async () => (await names("del", "pods", "app=orph")) !== "");
      // Clean up: a foreground delete of the ReplicaSet returns once its pods are gone as well.
      expect(await k(["delete", "rs", rs, "-n", "del", "--cascade=foreground", "--timeout=10s"])).toEqual({ code: 0, stdout: `replicaset.apps "${rs}" deleted\n`, stderr: "" });
      expect(await names("del", "rs,pods", "app=orph")).toBe("");
    });

    it("delete --cascade=foreground returns once the Deployment, its ReplicaSets and their pods are gone", async () => {
      await k.ok(["create", "deployment", "fg", "-n", "del", "--image=nginx", "--replicas=2"]);
      await until(async () => (await names("del", "pods", "app=fg")).split("\n").filter(Boolean).length === 2);
      const r = await k(["delete", "deployment", "fg", "-n", "del", "--cascade=foreground", "--timeout=10s"]);
      expect(r).toEqual({ code: 0, stdout: 'deployment.apps "fg" deleted\n', stderr: "" });
      expect(await exists("del", "deploy", "fg")).toBe(false);
      expect(await names("del", "rs,pods", "app=fg")).toBe("");
    });

    it("delete -l deletes every match and prints each", async () => {
      const r = await k(["delete", "pods", "-n", "del", "-l", "app=x"]);
      expect(r).toEqual({ code: 0, stdout: 'pod "p1" deleted\npod "p2" deleted\n', stderr: "" });
      // (only this test's pods: the Deployments above have pods of their own in this namespace)
      expect(await k.ok(["get", "pods", "-n", "del", "-l", "app in (x,y)", "-o", "name"])).toBe("pod/p3\n");
      const none = await k(["delete", "pods", "-n", "del", "-l", "app=nothing"]);
      expect(none).toEqual({ code: 0, stdout: "No resources found\n", stderr: "" });
    });

    it("delete a pod bound to a node waits for its grace period; --wait=false returns at once; --force removes it", async () => {
      await k.ok(["create", "-n", "del", "-f", files.write("bound.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: bound}\nspec:\n  nodeName: node-1\n  containers: [{name: c, image: nginx}]\n")]);
      expect(await k.ok(["delete", "pod", "bound", "-n", "del", "--wait=false"])).toBe('pod "bound" deleted\n');
      expect(await jp("del", "pod", "bound", "{.metadata.deletionGracePeriodSeconds}")).toBe("30");
      const r = await k(["delete", "pod", "bound", "-n", "del", "--grace-period=0", "--force"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('pod "bound" force deleted\n');
      expect(r.stderr).toBe(
        "Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n",
      );
      expect(await exists("del", "pod", "bound")).toBe(false);
    });

    it("delete -f deletes what the file names", async () => {
      const f = files.write("del-cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: gone, namespace: del}\n");
      await k.ok(["create", "-f", f]);
      expect(await k.ok(["delete", "-f", f])).toBe('configmap "gone" deleted\n');
    });
  });

  describe("apply (client-side)", () => {
    it("apply creates, then unchanged, then configured", async () => {
      const f = files.write("apply-app.yaml", deployment("app", { ns: "apply", env: true }));
      expect(await k(["apply", "-f", f])).toEqual({ code: 0, stdout: "deployment.apps/app created\n", stderr: "" });
      const last = JSON.parse(await jp("apply", "deploy", "app", "{.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}"));
      expect(last).toMatchObject({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "app", namespace: "apply" }, spec: { replicas: 1 } });
      expect(await k(["apply", "-f", f])).toEqual({ code: 0, stdout: "deployment.apps/app unchanged\n", stderr: "" });
      files.write("apply-app.yaml", deployment("app", { ns: "apply", env: true, replicas: 2 }));
      expect(await k(["apply", "-f", f])).toEqual({ code: 0, stdout: "deployment.apps/app configured\n", stderr: "" });
      expect(await jp("apply", "deploy", "app", "{.spec.replicas}")).toBe("2");
    });

    it("three-way merge: fields set by another client survive; fields removed from the file are removed", async () => {
      const f = files.write("apply-app.yaml", deployment("app", { ns: "apply", env: true, replicas: 2, extraLabel: true }));
      expect(await k.ok(["apply", "-f", f])).toBe("deployment.apps/app configured\n");
      // another client changes fields the file does not mention
      await k.ok(["annotate", "deploy", "app", "-n", "apply", "owner=ops"]);
      await k.ok(["label", "deploy", "app", "-n", "apply", "cost-center=42"]);
      await k.ok(["patch", "deploy", "app", "-n", "apply", "--type=merge", "-p", '{"spec":{"minReadySeconds":5}}']);
      // the file drops the env var and the team label, changes the image
      files.write("apply-app.yaml", deployment("app", { ns: "apply", env: false, replicas: 2, image: "nginx:1.26" }));
      expect(await k.ok(["apply", "-f", f])).toBe("deployment.apps/app configured\n");
      const d = await getJson("apply", "deploy", "app");
      expect(d.spec.template.spec.containers[0].image).toBe("nginx:1.26");
      expect(d.spec.template.spec.containers[0].env).toBeUndefined();
      expect(d.metadata.labels).toEqual({ app: "app", "cost-center": "42" });
      expect(d.metadata.annotations.owner).toBe("ops");
      expect(d.spec.minReadySeconds).toBe(5);
      expect(d.spec.replicas).toBe(2);
      const last = JSON.parse(d.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]);
      expect(last.spec.template.spec.containers[0]).toEqual({ name: "web", image: "nginx:1.26" });
    });

    it("apply of several objects and of an object created by `create` (warning about the missing annotation)", async () => {
      await k.ok(["create", "configmap", "pre", "-n", "apply", "--from-literal=a=1"]);
      const f = files.write(
        "apply-many.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: pre, namespace: apply}\ndata: {a: '2'}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: fresh, namespace: apply}\ndata: {b: '1'}\n",
      );
      const r = await k(["apply", "-f", f]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe("configmap/pre configured\nconfigmap/fresh created\n");
      expect(r.stderr).toBe(
        "Warning: resource configmaps/pre is missing the kubectl.kubernetes.io/last-applied-configuration annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n",
      );
      expect(await jp("apply", "cm", "pre", "{.data.a}")).toBe("2");
    });

    it("apply with an unknown field fails with upstream's strict decoding error", async () => {
      const f = files.write("bad-pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\n  namespace: apply\nspec:\n  containers:\n  - name: c\n    imagee: nginx\n");
      const r = await k(["apply", "-f", f]);
      expect(r).toEqual({
        code: 1,
        stdout: "",
        stderr: `Error from server (BadRequest): error when creating "${f}": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagee"\n`,
      });
      expect(await exists("apply", "pod", "bad")).toBe(false);
    });

    it("apply --dry-run=server does not store; apply --prune is not needed for this", async () => {
      const f = files.write("dry.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dry, namespace: apply}\n");
      expect(await k.ok(["apply", "-f", f, "--dry-run=server"])).toBe("configmap/dry created (server dry run)\n");
      expect(await exists("apply", "cm", "dry")).toBe(false);
    });
  });

  describe("errors read as against a real cluster", () => {
    it("NotFound on get, delete, describe; qualified group in the resource name", async () => {
      expect(await k(["get", "pods", "nope", "-n", "errs"])).toEqual({ code: 1, stdout: "", stderr: 'Error from server (NotFound): pods "nope" not found\n' });
      expect(await k(["delete", "pod", "nope", "-n", "errs"])).toEqual({ code: 1, stdout: "", stderr: 'Error from server (NotFound): pods "nope" not found\n' });
      expect(await k(["get", "deploy", "nope", "-n", "errs"])).toEqual({ code: 1, stdout: "", stderr: 'Error from server (NotFound): deployments.apps "nope" not found\n' });
      expect(await k(["get", "ns", "nope"])).toEqual({ code: 1, stdout: "", stderr: 'Error from server (NotFound): namespaces "nope" not found\n' });
    });

    it("creating in a namespace that does not exist", async () => {
      const f = files.write("nons.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: no-such-ns}\n");
      expect(await k(["create", "-f", f])).toEqual({ code: 1, stdout: "", stderr: `Error from server (NotFound): error when creating "${f}": namespaces "no-such-ns" not found\n` });
      expect(await k(["get", "pods", "-n", "no-such-ns"])).toEqual({ code: 0, stdout: "", stderr: "No resources found in no-such-ns namespace.\n" });
    });

    it("AlreadyExists on create -f and on create configmap", async () => {
      const f = files.write("dup.yaml", deployment("dup", { ns: "errs" }));
      await k.ok(["create", "-f", f]);
      expect(await k(["create", "-f", f])).toEqual({
        code: 1,
        stdout: "",
        stderr: `Error from server (AlreadyExists): error when creating "${f}": deployments.apps "dup" already exists\n`,
      });
      await k.ok(["create", "configmap", "dup", "-n", "errs"]);
      expect(await k(["create", "configmap", "dup", "-n", "errs"])).toEqual({
        code: 1,
        stdout: "",
        stderr: 'error: failed to create configmap: configmaps "dup" already exists\n',
      });
    });

    it("Conflict on replace -f with a stale resourceVersion", async () => {
      await k.ok(["create", "configmap", "cas", "-n", "errs", "--from-literal=v=1"]);
      const f = files.write("cas.yaml", await k.ok(["get", "cm", "cas", "-n", "errs", "-o", "yaml"]));
      await k.ok(["label", "cm", "cas", "-n", "errs", "bumped=yes"]);
      expect(await k(["replace", "-f", f])).toEqual({
        code: 1,
        stdout: "",
        stderr: `Error from server (Conflict): error when replacing "${f}": Operation cannot be fulfilled on configmaps "cas": the object has been modified; please apply your changes to the latest version and try again\n`,
      });
      // replace without a resourceVersion (fresh read) succeeds
      const fresh = files.write("cas2.yaml", await k.ok(["get", "cm", "cas", "-n", "errs", "-o", "yaml"]));
      expect(await k.ok(["replace", "-f", fresh])).toBe("configmap/cas replaced\n");
    });

    it("Invalid: spec.replicas -1 through create -f, apply and patch", async () => {
      const msg = 'The Deployment "neg" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0\n';
      const f = files.write("neg.yaml", deployment("neg", { ns: "errs", replicas: -1 }));
      expect(await k(["create", "-f", f])).toEqual({ code: 1, stdout: "", stderr: msg });
      expect(await k(["apply", "-f", f])).toEqual({ code: 1, stdout: "", stderr: msg });
      await k.ok(["apply", "-f", files.write("neg.yaml", deployment("neg", { ns: "errs", replicas: 1 }))]);
      expect(await k(["patch", "deploy", "neg", "-n", "errs", "--type=merge", "-p", '{"spec":{"replicas":-1}}'])).toEqual({ code: 1, stdout: "", stderr: msg });
      expect(await k(["scale", "deploy", "neg", "-n", "errs", "--replicas=-1"])).toEqual({
        code: 1,
        stdout: "",
        stderr: "error: The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0\n",
      });
    });

    it("Invalid: a bad name, and several field errors at once", async () => {
      const r = await k(["create", "configmap", "Bad_Name", "-n", "errs"]);
      expect(r).toEqual({
        code: 1,
        stdout: "",
        stderr:
          "error: failed to create configmap: ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n",
      });
      const f = files.write("two-errs.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: twoerrs, namespace: errs}\nspec:\n  containers:\n  - name: c\n  - name: c\n    image: nginx\n");
      const two = await k(["create", "-f", f]);
      expect(two.code).toBe(1);
      expect(two.stderr).toBe(
        'The Pod "twoerrs" is invalid: \n* spec.containers[0].image: Required value\n* spec.containers[1].name: Duplicate value: "c"\n',
      );
    });

    it("pod spec is immutable except for the allowed fields", async () => {
      await k.ok(["run", "imm", "-n", "errs", "--image=nginx"]);
      const r = await k(["patch", "pod", "imm", "-n", "errs", "--type=merge", "-p", '{"spec":{"nodeName":"n1"}}']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^The Pod "imm" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers\[\*\].image`,/);
    });

    it("an unknown resource type is reported as upstream", async () => {
      expect(await k(["get", "foos"])).toEqual({ code: 1, stdout: "", stderr: 'error: the server doesn\'t have a resource type "foos"\n' });
    });
  });
});
