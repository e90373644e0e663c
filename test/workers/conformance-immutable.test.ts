// Immutable ConfigMaps and Secrets (upstream's "ConfigMap Volume, immutability" and "Secrets
// Volume, immutability", API-only despite their names): data changes until the object is marked
// immutable; then data and the flag are frozen, while labels and delete still work.
import { describe, expect, it } from "vitest";
import { del, get, newNs, patch, post, put } from "./helpers.js";

describe("conformance: immutable ConfigMaps and Secrets", () => {
  for (const kind of ["ConfigMap", "Secret"] as const) {
    it(`${kind === "ConfigMap" ? "ConfigMap Volume" : "Secrets Volume"}, immutability: data changes until immutable; then data and the flag are frozen, labels and delete are not`, async () => {
      const ns = await newNs("imm");
      const plural = kind === "ConfigMap" ? "configmaps" : "secrets";
      const path = `/api/v1/namespaces/${ns}/${plural}`;
      const data = (a: string, b: string) => (kind === "ConfigMap" ? { data: { a, b } } : { data: { a: btoa(a), b: btoa(b) } });
      expect((await post(path, { apiVersion: "v1", kind, metadata: { name: "x" }, ...data("1", "2") })).status).toBe(201);
      expect((await patch(`${path}/x`, "merge", data("3", "4"))).status).toBe(200);
      expect((await patch(`${path}/x`, "merge", { immutable: true })).status).toBe(200);
      const refused = await patch(`${path}/x`, "merge", data("5", "6"));
      expect(refused.status).toBe(422);
      expect(refused.body.message).toContain("data: Forbidden: field is immutable when `immutable` is set");
      expect((await patch(`${path}/x`, "merge", { immutable: false })).status).toBe(422);
      // The same data in another key order is no change.
      const cur = (await get(`${path}/x`)).body;
      const reordered = { ...cur, data: Object.fromEntries(Object.entries(cur.data).reverse()), metadata: { ...cur.metadata, labels: { l: "v" } } };
      const relabelled = await put(`${path}/x`, reordered);
      expect(relabelled.status, relabelled.text).toBe(200);
      expect(relabelled.body.metadata.labels).toEqual({ l: "v" });
      expect((await del(`${path}/x`)).status).toBe(200);
    });
  }
});
