import { describe, expect, it } from "vitest";
import { StatusError } from "../lib/status.js";
import { impersonationAttributes, impersonationRequests } from "./impersonation.js";

const admin = { username: "edgeplane-admin", groups: ["system:masters"] };

describe("impersonation requests, as upstream's buildImpersonationRequests", () => {
  it("none without headers", () => {
    expect(impersonationRequests(new Headers())).toBeUndefined();
  });

  it("a user, groups (repeated headers arrive joined), extras and a uid", () => {
    const h = new Headers({ "Impersonate-User": "alice", "Impersonate-Uid": "u-1", "Impersonate-Extra-Scopes%2Fx": "a, b" });
    h.append("Impersonate-Group", "devs");
    h.append("Impersonate-Group", "ops");
    expect(impersonationRequests(h)).toEqual([
      { kind: "User", name: "alice" },
      { kind: "Group", name: "devs" },
      { kind: "Group", name: "ops" },
      { kind: "UserExtra", key: "scopes/x", name: "a" },
      { kind: "UserExtra", key: "scopes/x", name: "b" },
      { kind: "UserUID", name: "u-1" },
    ]);
  });

  it("a service account username names the account", () => {
    expect(impersonationRequests(new Headers({ "Impersonate-User": "system:serviceaccount:team:ci" }))).toEqual([{ kind: "ServiceAccount", namespace: "team", name: "ci" }]);
  });

  it("groups without a user are refused", () => {
    expect(() => impersonationRequests(new Headers({ "Impersonate-Group": "devs" }))).toThrow(StatusError);
  });

  it("each is authorized as the `impersonate` verb on its resource", () => {
    expect(impersonationAttributes(admin, { kind: "User", name: "alice" })).toMatchObject({ verb: "impersonate", apiGroup: "", resource: "users", name: "alice", namespace: "" });
    expect(impersonationAttributes(admin, { kind: "ServiceAccount", namespace: "team", name: "ci" })).toMatchObject({ resource: "serviceaccounts", namespace: "team", name: "ci" });
    expect(impersonationAttributes(admin, { kind: "UserExtra", key: "scopes", name: "a" })).toMatchObject({ apiGroup: "authentication.k8s.io", resource: "userextras", subresource: "scopes" });
  });
});
