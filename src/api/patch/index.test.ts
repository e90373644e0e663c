import { describe, it, expect } from "vitest";
import { applyPatch, PatchError, supportedPatchTypes } from "./index.js";

describe("applyPatch", () => {
  const pod = { metadata: { name: "p", labels: { a: "1" } }, spec: { containers: [{ name: "c", image: "x" }] } };
  const target = { group: "", kind: "Pod" };

  it("dispatches on Content-Type", () => {
    expect(applyPatch("application/merge-patch+json", pod, { spec: { containers: [{ name: "d" }] } }, target)).toMatchObject({
      spec: { containers: [{ name: "d" }] },
    });
    expect(
      applyPatch("application/strategic-merge-patch+json; charset=utf-8", pod, { spec: { containers: [{ name: "d" }] } }, target),
    ).toMatchObject({ spec: { containers: [{ name: "d" }, { name: "c", image: "x" }] } });
    expect(applyPatch("application/json-patch+json", pod, [{ op: "remove", path: "/metadata/labels" }], target)).toEqual({
      metadata: { name: "p" },
      spec: pod.spec,
    });
  });

  it("refuses strategic merge patch for kinds without patch metadata, and unknown types, with 415", () => {
    const widget = { group: "example.com", kind: "Widget" };
    expect(supportedPatchTypes("example.com", "Widget")).not.toContain("application/strategic-merge-patch+json");
    for (const [type, t] of [
      ["application/strategic-merge-patch+json", widget],
      ["application/apply-patch+yaml", target],
    ] as const) {
      try {
        applyPatch(type, {}, {}, t);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(PatchError);
        expect((e as PatchError).code).toBe(415);
        expect((e as PatchError).reason).toBe("UnsupportedMediaType");
      }
    }
  });
});
