// Property-based tests of decodeObject: whatever a request body decodes to (JSON, YAML's Dates,
// Sets, cycles, binary, deep nesting) comes back as an object or a 400 Status, never a throw; a
// "__proto__" key is an unknown field like any other. Bodies come from each kind's own schema
// and from valid objects mutated at random paths (test/fuzz/kube-arbitraries.ts).
// Runs are seeded (FC_SEED overrides) so a failure reproduces; fast-check prints seed and path.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { anyJson, mutated, nested, schemaObject, validConfigMap, validDeployment, validPod } from "../../test/fuzz/kube-arbitraries.js";
import { configMapDef } from "./core/v1/configmap.js";
import { podDef } from "./core/v1/pod.js";
import { deploymentDef } from "./apps/v1/deployment.js";
import { MAX_DECODE_DEPTH, decodeObject } from "./decode.js";
import { kinds } from "./index.js";
import type { KindDef } from "./types.js";

const seed = Number(process.env.FC_SEED ?? 0xdec0de);
/** FC_RUNS_SCALE multiplies the run counts for a longer fuzzing session. */
const runs = (numRuns: number) => ({ seed, numRuns: Math.ceil(numRuns * Number(process.env.FC_RUNS_SCALE ?? 1)) });

/** decodeObject must answer, never throw; a refusal is a 400 BadRequest Status. */
function decodes(def: KindDef, raw: unknown): void {
  const r = decodeObject(def, raw);
  if (!r.ok) {
    expect(r.status).toMatchObject({ kind: "Status", code: 400, reason: "BadRequest" });
    expect(r.status.message).toMatch(new RegExp(`^${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: `));
  } else {
    expect(typeof r.obj).toBe("object");
    expect(JSON.parse(JSON.stringify(r.obj))).toBeTruthy();
  }
}

/** Kinds by name, so that a counterexample prints as "apps/Deployment", not as a zod schema. */
const kindName = fc.constantFrom(...kinds.map((k) => `${k.group}/${k.kind}`));
const kindNamed = (n: string) => kinds.find((k) => `${k.group}/${k.kind}` === n)!;
const byKind = (kind: string) => kinds.find((k) => k.kind === kind && (k.group === "" || k.group === "apps"))!;

/** What YAML's loader can hand over besides JSON: Dates, Sets, Maps, binary, non-finite numbers. */
const yamlish = fc.oneof(
  fc.date({ noInvalidDate: false }),
  fc.constantFrom(Infinity, -Infinity, NaN, undefined, -0),
  fc.uint8Array({ maxLength: 4 }),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }).map((a) => new Set(a)),
  fc.constant(new Map([["a", 1]])),
);

/** Puts `value` at a random place of `base`. */
const placed = (base: Record<string, unknown>, value: fc.Arbitrary<unknown>) =>
  fc.tuple(mutated(base), value).chain(([m, v]) =>
    fc.constantFrom<[string, ...string[]][]>(["data"], ["metadata", "labels"], ["metadata"], ["spec"], ["spec", "containers"], ["spec", "template", "spec", "containers"], ["metadata", "managedFields"]).map((path) => {
      const out = structuredClone(m) as Record<string, unknown>;
      let cur: Record<string, unknown> = out;
      for (const k of path.slice(0, -1)) {
        if (typeof cur[k] !== "object" || cur[k] === null) cur[k] = {};
        cur = cur[k] as Record<string, unknown>;
      }
      cur[path[path.length - 1]] = v;
      return out;
    }),
  );

describe("decodeObject (properties)", () => {
  it("any JSON value, for every kind, decodes or is a 400", () => {
    fc.assert(fc.property(kindName, anyJson, (name, raw) => decodes(kindNamed(name), raw)), runs(2000));
  });

  it("objects generated from each kind's schema decode or are a 400", () => {
    for (const def of kinds) {
      fc.assert(fc.property(schemaObject(def), (raw) => decodes(def, raw)), runs(60));
    }
  });

  it("valid objects with random edits decode or are a 400", () => {
    const cases: [KindDef, Record<string, unknown>][] = [
      [configMapDef as unknown as KindDef, validConfigMap("c")],
      [podDef as unknown as KindDef, validPod("p")],
      [deploymentDef as unknown as KindDef, validDeployment("d")],
    ];
    for (const [def, base] of cases) {
      expect(decodeObject(def, base).ok).toBe(true);
      fc.assert(fc.property(mutated(base), (raw) => decodes(def, raw)), runs(500));
    }
  });

  it("YAML's non-JSON values, cycles and deep nesting decode or are a 400", () => {
    const cyclic = fc.constant(null).map(() => {
      const a: Record<string, unknown> = { b: 1 };
      a.self = a;
      return a;
    });
    const deep = fc.tuple(fc.integer({ min: 1, max: 3 * MAX_DECODE_DEPTH }), fc.constantFrom<"array" | "object" | "mixed">("array", "object", "mixed")).map(([d, s]) => nested(d, s));
    fc.assert(
      fc.property(
        fc.constantFrom("ConfigMap", "Pod", "Deployment"),
        fc.constantFrom(validConfigMap("c"), validPod("p"), validDeployment("d")).chain((b) => placed(b, fc.oneof(yamlish, cyclic, deep, anyJson))),
        (kind, raw) => decodes(byKind(kind), raw),
      ),
      runs(1000),
    );
    // The deepest nesting decides, wherever it is.
    expect(decodeObject(configMapDef, { metadata: { name: "c" }, junk: nested(20_000, "array") }).ok).toBe(false);
  });

  it('a "__proto__" key is dropped as an unknown field: the result is the same without it', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(validConfigMap("c"), validPod("p"), validDeployment("d")).chain((b) => placed(b, anyJson)),
        fc.constantFrom<[string[], unknown]>([[], { data: { a: "b" }, immutable: true }], [["metadata"], { namespace: "kube-system", labels: { x: "y" } }], [["spec"], { replicas: 9 }]),
        (raw, [where, smuggled]) => {
          const plain = JSON.parse(JSON.stringify(raw)) as Record<string, unknown>;
          const withProto = JSON.parse(JSON.stringify(raw)) as Record<string, unknown>;
          let cur: Record<string, unknown> = withProto;
          for (const k of where) {
            if (typeof cur[k] !== "object" || cur[k] === null || Array.isArray(cur[k])) return;
            cur = cur[k] as Record<string, unknown>;
          }
          Object.defineProperty(cur, "__proto__", { value: smuggled, enumerable: true, writable: true, configurable: true });
          const def = byKind(raw.kind === "Pod" || raw.kind === "Deployment" ? raw.kind : "ConfigMap");
          expect(decodeObject(def, withProto)).toEqual(decodeObject(def, plain));
        },
      ),
      runs(500),
    );
  });
});
