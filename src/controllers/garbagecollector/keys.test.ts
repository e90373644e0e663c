import { describe, expect, it } from "vitest";
import { itemKey, kindOfOwner, kindOfStored, parseItemKey } from "./keys.js";

describe("keys and kinds", () => {
  it("item keys carry the resource and survive splitKey", () => {
    const rs = kindOfOwner("apps/v1", "ReplicaSet")!;
    expect(itemKey("default", rs, "web")).toBe("default/replicasets.apps~web");
    expect(parseItemKey("default/replicasets.apps~web")).toEqual({ namespace: "default", def: rs, name: "web" });
    const node = kindOfOwner("v1", "Node")!;
    expect(itemKey("", node, "n1")).toBe("nodes~n1");
    expect(parseItemKey("nodes~n1")).toMatchObject({ namespace: "", name: "n1" });
    expect(parseItemKey("default/widgets.example.com~w")).toBeUndefined();
    expect(parseItemKey("default/web")).toBeUndefined();
  });

  it("an ownerReference resolves by group, served version and kind", () => {
    expect(kindOfOwner("apps/v1", "Deployment")?.plural).toBe("deployments");
    expect(kindOfOwner("v1", "ConfigMap")?.plural).toBe("configmaps");
    expect(kindOfOwner("apps/v1beta1", "Deployment")).toBeUndefined();
    expect(kindOfOwner("example.com/v1", "Widget")).toBeUndefined();
    expect(kindOfStored("events", true)?.group).toBe("");
  });
});
