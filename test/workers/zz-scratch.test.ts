import { describe, expect, it } from "vitest";
import { get, newNs, patch, post, put, settle, deployment } from "./helpers.js";

describe("scratch", () => {
  it("generation bug scope", async () => {
    const ns = await newNs("scr");
    const base = `/apis/apps/v1/namespaces/${ns}/statefulsets`;
    const r = await post(base, { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "s" }, spec: { serviceName: "s", selector: { matchLabels: { app: "s" } }, template: { metadata: { labels: { app: "s" } }, spec: { containers: [{ name: "c", image: "i:1" }] } } } });
    console.log("created", r.status, r.body.metadata.generation, Object.keys(r.body.spec).join(","));
    const b = structuredClone(r.body); b.metadata.labels = { a: "b" };
    const u = await put(`${base}/s`, b);
    console.log("label PUT gen", u.status, u.body.metadata.generation, Object.keys(u.body.spec).join(","));
    const g = await get(`${base}/s`);
    console.log("GET keys", Object.keys(g.body.spec).join(","));
  });
});
