// Identities besides the admin, with real kubectl and the real CLI against `edgeplane up`:
// `kubectl create serviceaccount` + `kubectl create token` → a kubeconfig for the account →
// `kubectl auth whoami`; tokens that stop working (deleted account, deleted bound pod, other
// audience); `edgeplane token create|list|delete`; the join flow (bootstrap token → node
// credentials → system:node:NAME); every namespace's default ServiceAccount and kube-root-ca.crt.
//
// Until RBAC grants a service account (or a node) anything, `kubectl auth whoami` may answer 403:
// the identity is then read from the 403 message, which names the user (authentication worked;
// authorization is another matter).
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, runEdgeplane, startEdgeplane, type Edgeplane } from "./harness.js";
import { eventually, sleep } from "./helpers.js";
import { hasKubectl, kubectlFor, manifestDir, runKubectl, warnIfNoKubectl, type Kubectl } from "./kubectl-helpers.js";

warnIfNoKubectl("kubectl-tokens");

let h: Edgeplane;
let k: Kubectl;
let files: ReturnType<typeof manifestDir>;
const NS = "tok";

/** A kubeconfig for the same cluster as the admin's, with `token` as the user's credential. */
function kubeconfigWith(name: string, token: string): string {
  const ca = Buffer.from(h.ca).toString("base64");
  return files.write(
    `${name}.kubeconfig`,
    [
      "apiVersion: v1",
      "kind: Config",
      `current-context: ${name}`,
      "clusters:",
      `- name: edgeplane\n  cluster:\n    server: ${h.url}\n    certificate-authority-data: ${ca}`,
      "users:",
      `- name: ${name}\n  user:\n    token: ${token}`,
      "contexts:",
      `- name: ${name}\n  context:\n    cluster: edgeplane\n    user: ${name}\n    namespace: ${NS}`,
    ].join("\n") + "\n",
  );
}

type Who = { username: string; groups?: string[]; extra?: Record<string, string[]> } | { unauthorized: true };

/** Who `kubectl auth whoami` says a token is: from its answer, or from the 403 that names the user. */
async function whoami(token: string, name = "who"): Promise<Who> {
  const r = await runKubectl(kubeconfigWith(name, token), ["auth", "whoami", "-o", "json"]);
  if (r.code === 0) return JSON.parse(r.stdout).status.userInfo;
  if (/Unauthorized|must be logged in/.test(r.stderr)) return { unauthorized: true };
  const m = /User "([^"]+)"/.exec(r.stderr);
  if (m) return { username: m[1] };
  throw new Error(`kubectl auth whoami: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
}

const username = (w: Who) => ("username" in w ? w.username : "<unauthorized>");

describe.skipIf(!hasKubectl)("identities besides the admin", () => {
  beforeAll(async () => {
    h = await startEdgeplane();
    k = kubectlFor(h);
    files = manifestDir("edgeplane-tokens-");
    await k.ok(["create", "namespace", NS]);
  });

  afterAll(async () => {
    files?.remove();
    await h?.stop();
  });

  describe("service-account tokens with kubectl", () => {
    it("kubectl create serviceaccount + create token → a kubeconfig that is system:serviceaccount:tok:ci", async () => {
      await k.ok(["create", "serviceaccount", "ci", "-n", NS]);
      const token = (await k.ok(["create", "token", "ci", "-n", NS])).trim();
      expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
      const who = await whoami(token, "ci");
      expect(username(who)).toBe(`system:serviceaccount:${NS}:ci`);
      if ("groups" in who && who.groups) expect(who.groups).toEqual(["system:serviceaccounts", `system:serviceaccounts:${NS}`, "system:authenticated"]);

      const r = await runKubectl(kubeconfigWith("ci", token), ["get", "pods"]);
      if (r.code !== 0) expect(r.stderr).toContain(`User "system:serviceaccount:${NS}:ci"`);
    });

    it("kubectl create token --duration --audience -o json: the TokenRequest answer; another audience's token is not for the API", async () => {
      const tr = JSON.parse(await k.ok(["create", "token", "ci", "-n", NS, "--duration", "20m", "--audience", "vault", "-o", "json"]));
      expect(tr).toMatchObject({ kind: "TokenRequest", apiVersion: "authentication.k8s.io/v1", spec: { audiences: ["vault"], expirationSeconds: 1200 } });
      expect(Date.parse(tr.status.expirationTimestamp) - Date.now()).toBeGreaterThan(1100_000);
      expect(await whoami(tr.status.token)).toEqual({ unauthorized: true });
      const short = await k(["create", "token", "ci", "-n", NS, "--duration", "1m"]);
      expect(short.code).not.toBe(0);
      expect(short.stderr).toContain("may not specify a duration less than 10 minutes");
    });

    it("a deleted ServiceAccount's token is refused (401) within the 10 s cache bound", async () => {
      await k.ok(["create", "serviceaccount", "gone", "-n", NS]);
      const token = (await k.ok(["create", "token", "gone", "-n", NS])).trim();
      expect(username(await whoami(token))).toBe(`system:serviceaccount:${NS}:gone`);
      const deleted = Date.now();
      await k.ok(["delete", "serviceaccount", "gone", "-n", NS]);
      await eventually(async () => expect(await whoami(token)).toEqual({ unauthorized: true }), 15_000, 500);
      expect(Date.now() - deleted).toBeLessThan(13_000);
    });

    it("a token bound to a pod is refused (401) once the pod is deleted", async () => {
      await k.ok(["run", "web", "-n", NS, "--image", "nginx:1.27", "--overrides", JSON.stringify({ spec: { serviceAccountName: "ci" } })]);
      const token = (await k.ok(["create", "token", "ci", "-n", NS, "--bound-object-kind", "Pod", "--bound-object-name", "web"])).trim();
      const who = await whoami(token);
      expect(username(who)).toBe(`system:serviceaccount:${NS}:ci`);
      if ("extra" in who && who.extra) expect(who.extra["authentication.kubernetes.io/pod-name"]).toEqual(["web"]);
      // No kubelet runs here, so an unscheduled pod goes at once.
      await k.ok(["delete", "pod", "web", "-n", NS, "--wait=false"]);
      await eventually(async () => expect(await whoami(token)).toEqual({ unauthorized: true }), 15_000, 500);
    });

    it("every namespace gets a `default` ServiceAccount within about a second, and kube-root-ca.crt with the local CA", async () => {
      const started = Date.now();
      await k.ok(["create", "namespace", "fresh"]);
      await eventually(() => k.ok(["get", "serviceaccount", "default", "-n", "fresh"]), 5_000, 100);
      expect(Date.now() - started).toBeLessThan(3_000);
      const ca = await eventually(() => k.ok(["get", "configmap", "kube-root-ca.crt", "-n", "fresh", "-o", "jsonpath={.data.ca\\.crt}"]), 5_000, 100);
      expect(ca.trim()).toBe(h.ca.trim());
      for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease", NS]) {
        await eventually(() => k.ok(["get", "serviceaccount", "default", "-n", ns]), 5_000, 100);
      }
    });

    it("serves issuer discovery without credentials", async () => {
      const conf = await api(h, "GET", "/.well-known/openid-configuration", undefined, { authorization: "" });
      expect(conf.status).toBe(200);
      expect(conf.body).toMatchObject({ issuer: "https://kubernetes.default.svc.cluster.local", jwks_uri: `${h.url}/openid/v1/jwks` });
      const keys = await api(h, "GET", "/openid/v1/jwks", undefined, { authorization: "" });
      expect(keys.status).toBe(200);
      expect(keys.body.keys[0]).toMatchObject({ kty: "RSA", alg: "RS256", use: "sig" });
    });
  });

  describe("bootstrap tokens and joining", () => {
    const cli = (args: string[]) => runEdgeplane(["token", ...args, "--kubeconfig", h.kubeconfigPath]);

    it("edgeplane token create → system:bootstrap:<id> → node credentials → system:node:NAME", async () => {
      const made = await cli(["create", "--description", "e2e join"]);
      expect(made.code, made.stderr).toBe(0);
      const token = made.stdout.trim();
      expect(token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
      const id = token.slice(0, 6);

      const listed = await cli(["list"]);
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout.split("\n")[0]).toMatch(/^TOKEN\s+TTL\s+EXPIRES\s+USAGES\s+DESCRIPTION\s+EXTRA GROUPS$/);
      const row = listed.stdout.split("\n").find((l) => l.startsWith(token));
      expect(row).toMatch(/^\S+\s+23h\s+\S+Z\s+authentication\s+e2e join\s+system:bootstrappers:edgeplane:default-node-token$/);

      expect(username(await whoami(token))).toBe(`system:bootstrap:${id}`);

      const exchanged = await api(h, "POST", "/apis/authentication.edgeplane.dev/v1/nodecredentialrequests", { apiVersion: "authentication.edgeplane.dev/v1", kind: "NodeCredentialRequest", spec: { nodeName: "edge-1" } }, { authorization: `Bearer ${token}` });
      expect(exchanged.status, JSON.stringify(exchanged.body)).toBe(201);
      const node = exchanged.body.status.token as string;
      const lifetime = Date.parse(exchanged.body.status.expirationTimestamp) - Date.now();
      expect(lifetime).toBeGreaterThan(23 * 3600_000);
      expect(lifetime).toBeLessThanOrEqual(24 * 3600_000);
      expect(username(await whoami(node))).toBe("system:node:edge-1");

      // The node renews its own credentials; another node's it may not have.
      const renew = (name: string) => api(h, "POST", "/apis/authentication.edgeplane.dev/v1/nodecredentialrequests", { spec: { nodeName: name } }, { authorization: `Bearer ${node}` });
      expect((await renew("edge-1")).status).toBe(201);
      expect((await renew("edge-2")).status).toBe(403);

      const deleted = await cli(["delete", id]);
      expect(deleted.code, deleted.stderr).toBe(0);
      expect(deleted.stdout).toBe(`bootstrap token "${id}" deleted\n`);
      expect(await whoami(token)).toEqual({ unauthorized: true });
      const again = await cli(["delete", id]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain(`bootstrap token "${id}" not found`);
    });

    it("an expired bootstrap token is refused (401)", async () => {
      const made = await cli(["create", "--ttl", "2s"]);
      expect(made.code, made.stderr).toBe(0);
      const token = made.stdout.trim();
      await sleep(2500);
      expect(await whoami(token)).toEqual({ unauthorized: true });
      const r = await api(h, "POST", "/apis/authentication.edgeplane.dev/v1/nodecredentialrequests", { spec: { nodeName: "edge-x" } }, { authorization: `Bearer ${token}` });
      expect(r.status).toBe(401);
    });

    it("--help, and clear errors for a bad kubeconfig", async () => {
      const help = await runEdgeplane(["token", "--help"]);
      expect(help.code, help.stderr).toBe(0);
      expect(help.stdout).toContain("Usage: edgeplane token create|list|delete");
      const none = await runEdgeplane(["token", "list", "--kubeconfig", "/nonexistent/kubeconfig"]);
      expect(none.code).toBe(1);
      expect(none.stderr).toContain("no kubeconfig at /nonexistent/kubeconfig");
      const bad = await runEdgeplane(["token", "create", "--ttl", "forever"]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("--ttl needs a duration");
      writeFileSync(`${files.dir}/wrong.kubeconfig`, `apiVersion: v1\nkind: Config\ncurrent-context: x\nclusters:\n- name: c\n  cluster: {server: "${h.url}", certificate-authority-data: ${Buffer.from(h.ca).toString("base64")}}\nusers:\n- name: u\n  user: {token: wrong}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n`);
      const refused = await runEdgeplane(["token", "list", "--kubeconfig", `${files.dir}/wrong.kubeconfig`]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("refused the credentials");
    });
  });
});
