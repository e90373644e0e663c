import { describe, expect, it } from "vitest";
import { z } from "zod";
import { deploymentDef } from "./apps/v1/deployment.js";
import { podDef } from "./core/v1/pod.js";
import { secretDef } from "./core/v1/secret.js";
import { decodeObject } from "./decode.js";
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
});
