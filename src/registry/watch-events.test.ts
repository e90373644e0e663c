import { describe, expect, it } from "vitest";
import type { KubeObject } from "../apis/types.js";
import type { StoredEvent } from "../storage/interface.js";
import { toWatchEvent } from "./watch-events.js";

const pod = (labels: Record<string, string>, rv: string): KubeObject => ({ metadata: { name: "p", labels, resourceVersion: rv } });
const isWeb = (o: KubeObject) => o.metadata.labels?.app === "web";

describe("watch selector transitions", () => {
  it("sends ADDED for a matching create and nothing for a non-matching one", () => {
    expect(toWatchEvent({ revision: 1, type: "ADDED", resource: "pods", name: "p", object: pod({ app: "web" }, "1") }, isWeb)?.type).toBe("ADDED");
    expect(toWatchEvent({ revision: 1, type: "ADDED", resource: "pods", name: "p", object: pod({ app: "db" }, "1") }, isWeb)).toBeUndefined();
  });
  it("turns entering the selector into ADDED and leaving it into DELETED at the new revision", () => {
    const enter: StoredEvent = { revision: 2, type: "MODIFIED", resource: "pods", name: "p", object: pod({ app: "web" }, "2"), prev: pod({ app: "db" }, "1") };
    expect(toWatchEvent(enter, isWeb)?.type).toBe("ADDED");
    const leave: StoredEvent = { revision: 3, type: "MODIFIED", resource: "pods", name: "p", object: pod({ app: "db" }, "3"), prev: pod({ app: "web" }, "2") };
    const out = toWatchEvent(leave, isWeb)!;
    expect(out.type).toBe("DELETED");
    expect(out.object.metadata.labels).toEqual({ app: "web" });
    expect(out.object.metadata.resourceVersion).toBe("3");
    const stay: StoredEvent = { revision: 4, type: "MODIFIED", resource: "pods", name: "p", object: pod({ app: "web", v: "2" }, "4"), prev: pod({ app: "web" }, "3") };
    expect(toWatchEvent(stay, isWeb)?.type).toBe("MODIFIED");
  });
});
