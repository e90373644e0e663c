import { describe, expect, it } from "vitest";
import type { PolicyRule } from "../../apis/rbac/v1/policy.js";
import { breakdownRule, compactRules, compactString, covers } from "./covers.js";
import { escalationAllowed, escalationError } from "./escalation.js";

const alice = { username: "alice", groups: ["devs", "system:authenticated"] };

describe("Covers", () => {
  it("breaks rules down to one verb, resource and name", () => {
    expect(breakdownRule({ verbs: ["get", "list"], apiGroups: [""], resources: ["pods", "secrets"] })).toHaveLength(4);
    expect(breakdownRule({ verbs: ["get"], apiGroups: [""], resources: ["pods"], resourceNames: ["a", "b"] })).toEqual([
      { apiGroups: [""], resources: ["pods"], verbs: ["get"], resourceNames: ["a"] },
      { apiGroups: [""], resources: ["pods"], verbs: ["get"], resourceNames: ["b"] },
    ]);
    expect(breakdownRule({ verbs: ["get"], nonResourceURLs: ["/a", "/b"] })).toEqual([
      { nonResourceURLs: ["/a"], verbs: ["get"] },
      { nonResourceURLs: ["/b"], verbs: ["get"] },
    ]);
  });

  it("wildcards, */subresource, resourceNames and URL prefixes cover", () => {
    const owner: PolicyRule[] = [
      { verbs: ["*"], apiGroups: [""], resources: ["pods"] },
      { verbs: ["get"], apiGroups: ["apps"], resources: ["*/scale"] },
      { verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["a"] },
      { verbs: ["get"], nonResourceURLs: ["/apis/*"] },
    ];
    expect(covers(owner, [{ verbs: ["delete", "get"], apiGroups: [""], resources: ["pods"] }]).covered).toBe(true);
    expect(covers(owner, [{ verbs: ["get"], apiGroups: ["apps"], resources: ["deployments/scale"] }]).covered).toBe(true);
    expect(covers(owner, [{ verbs: ["get"], apiGroups: ["apps"], resources: ["deployments"] }]).covered).toBe(false);
    expect(covers(owner, [{ verbs: ["get"], apiGroups: [""], resources: ["configmaps"], resourceNames: ["a"] }]).covered).toBe(true);
    // A name-restricted owner rule does not cover the whole resource.
    expect(covers(owner, [{ verbs: ["get"], apiGroups: [""], resources: ["configmaps"] }]).covered).toBe(false);
    expect(covers(owner, [{ verbs: ["get"], nonResourceURLs: ["/apis/apps"] }]).covered).toBe(true);
    expect(covers(owner, [{ verbs: ["get"], nonResourceURLs: ["/api"] }]).covered).toBe(false);
    // pods/log is not covered by pods.
    expect(covers(owner, [{ verbs: ["get"], apiGroups: [""], resources: ["pods/log"] }]).covered).toBe(false);
  });

  it("compacts missing rules of one resource into one, worded as CompactString", () => {
    const missing = covers([], [{ verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] }]).missing;
    expect(compactRules(missing).map(compactString)).toEqual(['{APIGroups:[""], Resources:["pods"], Verbs:["get" "list"]}']);
    expect(compactString({ verbs: ["get"], nonResourceURLs: ["/metrics"] })).toBe('{NonResourceURLs:["/metrics"], Verbs:["get"]}');
    expect(compactString({ verbs: ["get"], apiGroups: [""], resources: ["secrets"], resourceNames: ["x"] })).toBe('{APIGroups:[""], Resources:["secrets"], ResourceNames:["x"], Verbs:["get"]}');
  });
});

describe("ConfirmNoEscalation", () => {
  it("system:masters may grant anything; others may grant what they hold", () => {
    expect(escalationAllowed({ username: "admin", groups: ["system:masters"] })).toBe(true);
    expect(escalationAllowed(alice)).toBe(false);
    const held: PolicyRule[] = [{ verbs: ["get", "list", "watch"], apiGroups: [""], resources: ["pods"] }];
    expect(escalationError(alice, held, [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }])).toBeUndefined();
  });

  it("words the refusal as upstream, missing rules sorted and compacted", () => {
    const held: PolicyRule[] = [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }];
    const wanted: PolicyRule[] = [
      { verbs: ["get", "delete"], apiGroups: [""], resources: ["pods", "secrets"] },
      { verbs: ["get"], nonResourceURLs: ["/metrics"] },
    ];
    expect(escalationError(alice, held, wanted)).toBe(
      'user "alice" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
        '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}\n' +
        '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete"]}\n' +
        '{NonResourceURLs:["/metrics"], Verbs:["get"]}',
    );
    expect(escalationError(alice, [], [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }], ['clusterrole.rbac.authorization.k8s.io "gone" not found'])).toMatch(
      /; resolution errors: \[clusterrole\.rbac\.authorization\.k8s\.io "gone" not found\]$/,
    );
  });
});
