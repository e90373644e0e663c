// fieldValidation=Strict|Warn|Ignore on writes: unknown and duplicate fields refused with 400,
// sent back as Warning headers (the default), or dropped silently; never stored.
import { describe, expect, it } from "vitest";
import { api, get, newNs } from "./helpers.js";

const podWith = (name: string, extra: Record<string, unknown>) =>
  JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name }, spec: { containers: [{ name: "c", image: "nginx", ...extra }] } });

describe("field validation", () => {
  it("Strict refuses unknown fields with upstream's message and writes nothing", async () => {
    const ns = await newNs("fv");
    const res = await api("POST", `/api/v1/namespaces/${ns}/pods?fieldValidation=Strict`, podWith("p", { imagee: "x" }));
    expect(res.status).toBe(400);
    expect(res.body.reason).toBe("BadRequest");
    expect(res.body.message).toBe('Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagee"');
    expect((await get(`/api/v1/namespaces/${ns}/pods`)).body.items).toHaveLength(0);
  });

  it("Strict refuses duplicate fields", async () => {
    const ns = await newNs("fv");
    const text = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","name":"c"},"data":{"a":"1"}}`;
    const res = await api("POST", `/api/v1/namespaces/${ns}/configmaps?fieldValidation=Strict`, text);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('duplicate field "metadata.name"');
  });

  it("Warn (the default) writes the object without the field and says so in a Warning header", async () => {
    const ns = await newNs("fv");
    const res = await api("POST", `/api/v1/namespaces/${ns}/pods`, podWith("p", { imagee: "x" }));
    expect(res.status).toBe(201);
    expect(res.headers.get("warning")).toBe('299 - "unknown field \\"spec.containers[0].imagee\\""');
    expect(res.body.spec.containers[0]).not.toHaveProperty("imagee");
  });

  it("Ignore drops the field silently", async () => {
    const ns = await newNs("fv");
    const res = await api("POST", `/api/v1/namespaces/${ns}/pods?fieldValidation=Ignore`, podWith("p", { imagee: "x" }));
    expect(res.status).toBe(201);
    expect(res.headers.get("warning")).toBeNull();
  });

  it("applies to the result of a patch and to updates", async () => {
    const ns = await newNs("fv");
    await api("POST", `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "1" } });
    const p = await api("PATCH", `/api/v1/namespaces/${ns}/configmaps/c?fieldValidation=Strict`, { spec: { x: 1 } }, { "content-type": "application/merge-patch+json" });
    expect(p.status).toBe(400);
    expect(p.body.message).toContain('unknown field "spec"');
    const cur = (await get(`/api/v1/namespaces/${ns}/configmaps/c`)).body;
    const u = await api("PUT", `/api/v1/namespaces/${ns}/configmaps/c`, { ...cur, extra: true });
    expect(u.status).toBe(200);
    expect(u.headers.get("warning")).toContain('unknown field \\"extra\\"');
  });

  it("refuses an unknown fieldValidation value", async () => {
    const ns = await newNs("fv");
    const res = await api("POST", `/api/v1/namespaces/${ns}/pods?fieldValidation=Loose`, podWith("p", {}));
    expect(res.status).toBe(400);
    expect(res.body.message).toBe("invalid fieldValidation directive: Loose, valid values are: Ignore, Warn, Strict");
  });
});
