import { describe, expect, it } from "vitest";
import { roleDef } from "../../apis/rbac/v1/role.js";
import type { KindDef } from "../../apis/types.js";
import { StatusError } from "../../lib/status.js";
import { GenericStore } from "../../registry/generic-store.js";
import type { PatchType } from "../../registry/requests.js";
import { newMemoryStore } from "../../storage/memory.js";
import { withResourceVersion } from "./write-guard.js";

const ROLE = roleDef as unknown as KindDef;
const rules = [{ verbs: ["get"], apiGroups: [""], resources: ["pods"] }];

describe("the precondition a checked PATCH is sent with", () => {
  it("is added to each patch type, and not to a patch that creates", () => {
    expect(withResourceVersion("merge", { rules }, "7")).toEqual({ rules, metadata: { resourceVersion: "7" } });
    expect(withResourceVersion("strategic", { metadata: { labels: { a: "b" } } }, "7")).toEqual({ metadata: { labels: { a: "b" }, resourceVersion: "7" } });
    expect(withResourceVersion("json", [{ op: "remove", path: "/rules/0" }], "7")).toEqual([
      { op: "remove", path: "/rules/0" },
      { op: "add", path: "/metadata/resourceVersion", value: "7" },
    ]);
    expect(withResourceVersion("apply", { rules }, undefined)).toEqual({ rules });
  });

  it("makes the store refuse the patch when the role changed after the check (409)", () => {
    const store = new GenericStore(newMemoryStore(), "team");
    store.create(ROLE, { metadata: { name: "r" }, rules });
    const checkedAt = (store.get(ROLE, "r").metadata.resourceVersion as string) ?? "";
    store.patch(ROLE, "r", "merge", { metadata: { labels: { changed: "yes" } } }, undefined);
    const cases: Array<[PatchType, unknown]> = [
      ["merge", { rules: [] }],
      ["strategic", { rules: [] }],
      ["json", [{ op: "replace", path: "/rules/0/verbs/0", value: "list" }]],
      ["apply", { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "r" }, rules }],
    ];
    for (const [type, patch] of cases) {
      const attempt = () => store.patch(ROLE, "r", type, withResourceVersion(type, patch, checkedAt), undefined, { fieldManager: "t", force: type === "apply" ? true : undefined });
      expect(attempt, type).toThrow(StatusError);
      try {
        attempt();
      } catch (e) {
        expect((e as StatusError).code, type).toBe(409);
      }
    }
  });
});
