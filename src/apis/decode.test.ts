import { describe, expect, it } from "vitest";
import { z } from "zod";
import { deploymentDef } from "./apps/v1/deployment.js";
import { podDef } from "./core/v1/pod.js";
import { secretDef } from "./core/v1/secret.js";
import { MAX_DECODE_DEPTH, decodeObject } from "./decode.js";
import { configMapDef } from "./core/v1/configmap.js";
import { kinds } from "./index.js";

const fail = (r: ReturnType<typeof decodeObject>) => {
  if (r.ok) throw new Error("expected a decode failure");
  return r.status;
};

describe("decodeObject", () => {
  it("type mismatch is a 400 worded like upstream", () => {
    const s = fail(decodeObject(deploymentDef, { metadata: { name: "x" }, spec: { replicas: "3" } }));
    expect(s.code).toBe(400);
    expect(s.reason).toBe("BadRequest");
    expect(s.message).toBe(
      'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32',
    );
    expect(fail(decodeObject(podDef, { spec: { containers: [{ name: 1 }] } })).message).toBe(
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field Container.spec.containers.name of type string',
    );
    expect(fail(decodeObject(podDef, { spec: { terminationGracePeriodSeconds: 1.5 } })).message).toMatch(/cannot unmarshal number 1\.5 into Go struct field PodSpec\.spec\.terminationGracePeriodSeconds of type int64$/);
  });

  it("bad quantities and base64", () => {
    expect(fail(decodeObject(podDef, { spec: { containers: [{ resources: { limits: { cpu: "lots" } } }] } })).message).toBe(
      "Pod in version \"v1\" cannot be handled as a Pod: quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
    expect(fail(decodeObject(secretDef, { data: { k: "ab$c" } })).message).toBe('Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 2');
  });

  it("drops unknown fields and nulls, leaves required-ness to validate", () => {
    const r = decodeObject(podDef, { metadata: { name: "p", creationTimestamp: null, bogus: 1 }, spec: { containers: [{ name: "c", image: "x", resources: {} }], nope: true }, status: {} });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.obj.metadata).toEqual({ name: "p" });
    expect("nope" in r.obj.spec).toBe(false);
    expect(decodeObject(podDef, {}).ok).toBe(true);
  });

  it("every schema converts to JSON Schema (no transforms)", () => {
    for (const k of kinds) expect(() => z.toJSONSchema(k.schema, { io: "input" })).not.toThrow();
  });

  // Found by decode.property.test.ts: the recursive null-dropping overflowed the stack (a 500)
  // at a few thousand levels, which a JSON patch can build from a small body.
  it("refuses nesting deeper than MAX_DECODE_DEPTH with a 400, and a cycle too", () => {
    const nest = (n: number) => JSON.parse("[".repeat(n) + "]".repeat(n));
    const at = (n: number) => ({ metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "i", securityContext: { x: nest(n) } }] } });
    // metadata.. securityContext is 5 levels, x's value adds n: the whole object is n + 5 deep.
    expect(decodeObject(podDef, at(MAX_DECODE_DEPTH - 5)).ok).toBe(true);
    for (const n of [MAX_DECODE_DEPTH - 4, 5000, 100_000]) {
      expect(fail(decodeObject(podDef, at(n)))).toMatchObject({
        code: 400,
        reason: "BadRequest",
        message: `Pod in version "v1" cannot be handled as a Pod: json: exceeded max depth of ${MAX_DECODE_DEPTH}`,
      });
    }
    const cyclic: Record<string, unknown> = { metadata: { name: "c" } };
    cyclic.data = cyclic; // what YAML's `&a {b: *a}` gives
    expect(fail(decodeObject(configMapDef, cyclic)).code).toBe(400);
  });

  // Found by decode.property.test.ts: copying `{"__proto__": {...}}` by assignment made it the
  // copy's prototype, so its fields were read as the object's own (upstream ignores the key).
  it("a __proto__ key is an unknown field, not a source of fields", () => {
    const r = decodeObject(configMapDef, JSON.parse('{"__proto__":{"data":{"a":"b"},"immutable":true},"metadata":{"name":"x","__proto__":{"namespace":"kube-system"}}}'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.obj.data).toBeUndefined();
    expect(r.obj.immutable).toBeUndefined();
    expect(r.obj.metadata).toEqual({ name: "x" });
    expect(Object.getPrototypeOf(r.obj)).toBe(Object.prototype);
  });
});
