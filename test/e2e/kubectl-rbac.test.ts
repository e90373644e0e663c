// Real kubectl against `edgeplane up`: RBAC. kubectl creates roles and bindings (sent as
// protobuf), prints their tables, asks `auth can-i` (SelfSubjectAccessReview, and
// SelfSubjectRulesReview for --list) as another user with --as (impersonation), and a user who
// administers a namespace is refused a role with more than they hold, in upstream's words.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEdgeplane, type Edgeplane } from "./harness.js";
import { eventually } from "./helpers.js";
import { AGE, hasKubectl, kubectlFor, rowOf, table, warnIfNoKubectl, type Kubectl } from "./kubectl-helpers.js";

warnIfNoKubectl("kubectl-rbac");

let h: Edgeplane;
let k: Kubectl;

describe.skipIf(!hasKubectl)("kubectl and RBAC", () => {
  beforeAll(async () => {
    h = await startEdgeplane();
    k = kubectlFor(h);
    await k.ok(["create", "namespace", "team"]);
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("creates roles, bindings, cluster roles and cluster role bindings", async () => {
    expect(await k.ok(["create", "role", "pod-reader", "-n", "team", "--verb=get,list", "--resource=pods,pods/log"])).toBe("role.rbac.authorization.k8s.io/pod-reader created\n");
    expect(await k.ok(["create", "rolebinding", "alice-reads", "-n", "team", "--role=pod-reader", "--user=alice", "--group=readers", "--serviceaccount=team:ci"])).toBe(
      "rolebinding.rbac.authorization.k8s.io/alice-reads created\n",
    );
    expect(await k.ok(["create", "clusterrole", "node-reader", "--verb=get,list,watch", "--resource=nodes"])).toBe("clusterrole.rbac.authorization.k8s.io/node-reader created\n");
    expect(await k.ok(["create", "clusterrolebinding", "bob-nodes", "--clusterrole=node-reader", "--user=bob"])).toBe("clusterrolebinding.rbac.authorization.k8s.io/bob-nodes created\n");
  });

  it("applies a Role and updates it by a strategic merge patch (client-side apply)", async () => {
    const manifest = (verbs: string) =>
      `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: applied\n  namespace: team\nrules:\n- apiGroups: [""]\n  resources: [configmaps]\n  verbs: [${verbs}]\n`;
    expect(await k.ok(["apply", "-f", "-"], { stdin: manifest("get") })).toBe("role.rbac.authorization.k8s.io/applied created\n");
    expect(await k.ok(["apply", "-f", "-"], { stdin: manifest("get, list") })).toBe("role.rbac.authorization.k8s.io/applied configured\n");
    expect(JSON.parse(await k.ok(["get", "role", "applied", "-n", "team", "-o", "json"])).rules).toEqual([{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list"] }]);
  });

  it("prints upstream's tables", async () => {
    const roles = table(await k.ok(["get", "roles", "-n", "team"]));
    expect(roles.headers).toEqual(["NAME", "CREATED AT"]);
    expect(rowOf(roles, "pod-reader")["CREATED AT"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const bindings = table(await k.ok(["get", "rolebindings", "-n", "team", "-o", "wide"]));
    expect(bindings.headers).toEqual(["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"]);
    expect(rowOf(bindings, "alice-reads")).toMatchObject({ ROLE: "Role/pod-reader", USERS: "alice", GROUPS: "readers", SERVICEACCOUNTS: "team/ci" });
    expect(rowOf(bindings, "alice-reads").AGE).toMatch(AGE);
    const crbs = table(await k.ok(["get", "clusterrolebindings"]));
    expect(crbs.headers).toEqual(["NAME", "ROLE", "AGE"]);
    expect(rowOf(crbs, "cluster-admin").ROLE).toBe("ClusterRole/cluster-admin");
    const crs = table(await k.ok(["get", "clusterroles"]));
    expect(crs.headers).toEqual(["NAME", "CREATED AT"]);
    for (const name of ["admin", "edit", "view", "cluster-admin", "system:basic-user", "system:discovery", "node-reader"]) rowOf(crs, name);
  });

  it("auth can-i as another user (--as)", async () => {
    expect(await k.ok(["auth", "can-i", "list", "pods", "-n", "team", "--as=alice"])).toBe("yes\n");
    expect(await k.ok(["auth", "can-i", "get", "pods/log", "-n", "team", "--as=nobody", "--as-group=readers"])).toBe("yes\n");
    const no = await k(["auth", "can-i", "delete", "pods", "-n", "team", "--as=alice"]);
    expect(no).toMatchObject({ code: 1, stdout: "no\n" });
    expect(await k.ok(["auth", "can-i", "list", "nodes", "--as=bob"])).toBe("yes\n");
    expect((await k(["auth", "can-i", "list", "pods", "-n", "default", "--as=alice"])).stdout).toBe("no\n");
    expect(await k.ok(["auth", "can-i", "list", "pods", "-n", "team", "--as=system:serviceaccount:team:ci"])).toBe("yes\n");
    const denied = await k(["get", "pods", "-n", "default", "--as=alice"]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toBe('Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"\n');
    expect(await k.ok(["auth", "whoami", "--as=alice", "-o", "jsonpath={.status.userInfo.username}"])).toBe("alice");
  });

  it("auth can-i --list shows the user's rules", async () => {
    const t = table(await k.ok(["auth", "can-i", "--list", "-n", "team", "--as=alice"]));
    expect(t.headers).toEqual(["Resources", "Non-Resource URLs", "Resource Names", "Verbs"]);
    expect(rowOf(t, "pods", "Resources").Verbs).toBe("[get list]");
    expect(rowOf(t, "pods/log", "Resources").Verbs).toBe("[get list]");
    expect(rowOf(t, "selfsubjectaccessreviews.authorization.k8s.io", "Resources").Verbs).toBe("[create]");
    expect(t.rows.some((r) => r["Non-Resource URLs"] === "[/healthz]")).toBe(true);
  });

  it("refuses a role with permissions its writer does not hold, in upstream's words", async () => {
    await k.ok(["create", "rolebinding", "carol-admin", "-n", "team", "--clusterrole=admin", "--user=carol"]);
    expect(await k.ok(["create", "role", "config-reader", "-n", "team", "--verb=get", "--resource=configmaps", "--as=carol"])).toBe("role.rbac.authorization.k8s.io/config-reader created\n");
    const r = await k(["create", "role", "node-peeker", "-n", "team", "--verb=get,list", "--resource=nodes", "--as=carol"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'Error from server (Forbidden): roles.rbac.authorization.k8s.io "node-peeker" is forbidden: user "carol" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:[""], Resources:["nodes"], Verbs:["get" "list"]}\n',
    );
    const bind = await k(["create", "rolebinding", "carol-root", "-n", "team", "--clusterrole=cluster-admin", "--user=carol", "--as=carol"]);
    expect(bind.code).toBe(1);
    expect(bind.stderr).toContain('rolebindings.rbac.authorization.k8s.io "carol-root" is forbidden: user "carol"');
  });

  it("view is aggregated from the roles labelled aggregate-to-view", async () => {
    const view = await eventually(async () => {
      const v = JSON.parse(await k.ok(["get", "clusterrole", "view", "-o", "json"]));
      expect(v.rules?.length).toBeGreaterThan(0);
      return v;
    });
    expect(view.aggregationRule).toEqual({ clusterRoleSelectors: [{ matchLabels: { "rbac.authorization.k8s.io/aggregate-to-view": "true" } }] });
    expect(view.rules).toContainEqual({ apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list", "watch"] });
    const yaml = await k.ok(["get", "clusterrole", "view", "-o", "yaml"]);
    expect(yaml).toContain("rbac.authorization.k8s.io/aggregate-to-edit: \"true\"");
    expect(yaml).toContain("- pods/log");
  });
});
