// Property-based tests of the three patch engines: arbitrary documents and patches either apply
// or fail with a PatchError (400/415/422, never a TypeError or RangeError), inputs are never
// mutated, merge patch keeps RFC 7386's laws, JSON patch's add/remove/move undo each other, and
// a strategic merge patch without directives or patch metadata is a JSON merge patch.
// Runs are seeded (FC_SEED overrides) so a failure reproduces; fast-check prints seed and path.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  JSON_PATCH,
  MERGE_PATCH,
  PatchError,
  STRATEGIC_MERGE_PATCH,
  applyJsonPatch,
  applyMergePatch,
  applyPatch,
  applyStrategicMergePatch,
  noPatchMeta,
  patchMetaFor,
} from "./index.js";
import { deepClone, deepEqual, isPlainObject, jsonByteSize, type JsonObject } from "./json-value.js";

const seed = Number(process.env.FC_SEED ?? 0x9a7c4);
/** FC_RUNS_SCALE multiplies the run counts for a longer fuzzing session. */
const runs = (numRuns: number) => ({ seed, numRuns: Math.ceil(numRuns * Number(process.env.FC_RUNS_SCALE ?? 1)) });

/** Runs `f`; a PatchError is an answer, anything else thrown fails the property. */
function attempt<T>(f: () => T): T | PatchError {
  try {
    return f();
  } catch (e) {
    if (e instanceof PatchError) {
      expect([400, 415, 422]).toContain(e.code);
      return e;
    }
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Generators: JSON built as JSON.parse builds it (own "__proto__" keys included), over a small
// key pool so that documents and patches touch the same fields.

const keys = fc.constantFrom("a", "b", "c", "name", "spec", "__proto__", "constructor", "x/y", "m~n", "0", "-", "");
const scalar = fc.oneof(fc.constant(null), fc.boolean(), fc.integer({ min: -3, max: 3 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom("", "a", "b", "$patch"));

function jsonArb(opts: { nulls: boolean; depth: number }): fc.Arbitrary<unknown> {
  const leaf = opts.nulls ? scalar : scalar.filter((v) => v !== null);
  const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
    tree: fc.oneof(
      { depthSize: "small", maxDepth: opts.depth },
      leaf,
      fc.array(tie("tree"), { maxLength: 3 }),
      fc.array(fc.tuple(keys, tie("tree")), { maxLength: 4 }).map((entries) => Object.fromEntries(entries)),
    ),
  }));
  return tree;
}
const json = jsonArb({ nulls: true, depth: 4 });
/** Objects with no null anywhere: what a merge patch can reach as a result. */
const jsonObjectNoNulls = fc.array(fc.tuple(keys, jsonArb({ nulls: false, depth: 3 })), { maxLength: 5 }).map((e) => Object.fromEntries(e) as JsonObject);
const jsonObject = fc.array(fc.tuple(keys, json), { maxLength: 5 }).map((e) => Object.fromEntries(e) as JsonObject);

/** Every JSON pointer into `doc` (RFC 6901 escaped), the root ("") included. */
function pointers(doc: unknown, prefix = ""): string[] {
  const out = [prefix];
  if (Array.isArray(doc)) doc.forEach((v, i) => out.push(...pointers(v, `${prefix}/${i}`)));
  else if (isPlainObject(doc)) for (const k of Object.keys(doc)) out.push(...pointers(doc[k], `${prefix}/${escapePointer(k)}`));
  return out;
}
const escapePointer = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");

function at(doc: unknown, pointer: string): unknown {
  if (pointer === "") return doc;
  let cur = doc;
  for (const t of pointer.slice(1).split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))) {
    cur = Array.isArray(cur) ? cur[Number(t)] : (cur as JsonObject)[t];
  }
  return cur;
}

/** Reference RFC 7386 diff: the merge patch that turns `a` into `b` (b without nulls). */
function mergeDiff(a: unknown, b: unknown): unknown {
  if (!isPlainObject(a) || !isPlainObject(b)) return b;
  const patch: JsonObject = {};
  for (const k of Object.keys(a)) if (!Object.prototype.hasOwnProperty.call(b, k)) Object.defineProperty(patch, k, { value: null, enumerable: true, writable: true, configurable: true });
  for (const k of Object.keys(b)) {
    const has = Object.prototype.hasOwnProperty.call(a, k);
    if (has && deepEqual(a[k], b[k])) continue;
    // A nested object diffs against the old value only if that was an object too; otherwise
    // it is merged into {} by the patch, which gives b[k] itself (b has no nulls).
    const v = has && isPlainObject(a[k]) && isPlainObject(b[k]) ? mergeDiff(a[k], b[k]) : b[k];
    Object.defineProperty(patch, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  return patch;
}

const frozenCopy = <T>(v: T): { value: T; check(): void } => {
  const before = JSON.stringify(v);
  return { value: v, check: () => expect(JSON.stringify(v)).toBe(before) };
};

// ---------------------------------------------------------------------------------------------

describe("JSON merge patch (properties)", () => {
  it("never throws and never mutates its inputs", () => {
    fc.assert(
      fc.property(json, json, (target, patch) => {
        const t = frozenCopy(target);
        const p = frozenCopy(patch);
        applyMergePatch(target, patch);
        t.check();
        p.check();
      }),
      runs(2000),
    );
  });

  it("applying diff(a, b) to a gives b (RFC 7386)", () => {
    fc.assert(
      fc.property(jsonObject, jsonObjectNoNulls, (a, b) => {
        expect(applyMergePatch(a, mergeDiff(a, b))).toEqual(b);
        // The result is built from own properties: "__proto__" stays a key, never a prototype.
        expect(Object.getPrototypeOf(applyMergePatch(a, mergeDiff(a, b)))).toBe(Object.prototype);
      }),
      runs(1000),
    );
  });

  it("a null deletes the key, a non-object patch replaces the target, and applying twice is applying once", () => {
    fc.assert(
      fc.property(jsonObject, keys, json, (a, k, patch) => {
        const del = applyMergePatch(a, Object.fromEntries([[k, null]])) as JsonObject;
        expect(Object.prototype.hasOwnProperty.call(del, k)).toBe(false);
        const rest = deepClone(a);
        delete rest[k];
        expect(del).toEqual(rest);
        if (!isPlainObject(patch)) expect(applyMergePatch(a, patch)).toEqual(patch);
        const once = applyMergePatch(a, patch);
        expect(applyMergePatch(once, patch)).toEqual(once);
      }),
      runs(1000),
    );
  });

  it("a result holds no null in any object (nulls only survive inside arrays)", () => {
    fc.assert(
      fc.property(jsonObjectNoNulls, jsonObject, (a, patch) => {
        const r = applyMergePatch(a, patch);
        // Arrays are copied verbatim, so only objects outside arrays are promised null-free.
        const topLevelNull = (v: unknown): boolean => isPlainObject(v) && Object.values(v).some((x) => x === null || topLevelNull(x));
        expect(topLevelNull(r)).toBe(false);
      }),
      runs(1000),
    );
  });
});

describe("JSON patch (properties)", () => {
  /** A patch op over pointers that exist in `doc` or are one step off, with arbitrary values. */
  const opFor = (doc: unknown) => {
    const ptrs = pointers(doc);
    const existing = fc.constantFrom(...ptrs);
    const near = fc.oneof(existing, fc.tuple(existing, fc.oneof(keys, fc.constantFrom("-", "0", "1", "9", "01", "~", "~2", "a~1b"))).map(([p, k]) => `${p}/${k}`), fc.string({ maxLength: 6 }));
    return fc.oneof(
      fc.record({ op: fc.constant("add"), path: near, value: json }),
      fc.record({ op: fc.constant("remove"), path: near }),
      fc.record({ op: fc.constant("replace"), path: near, value: json }),
      fc.record({ op: fc.constant("move"), from: near, path: near }),
      fc.record({ op: fc.constant("copy"), from: near, path: near }),
      fc.record({ op: fc.constant("test"), path: near, value: fc.oneof(json, fc.constant(at(doc, ptrs[ptrs.length - 1]))) }),
    );
  };

  it("arbitrary patches (well-formed or not) apply or fail with a PatchError, leaving the inputs as they were", () => {
    const malformed = fc.oneof(
      json,
      fc.array(fc.dictionary(fc.constantFrom("op", "path", "from", "value"), json, { maxKeys: 4 }), { maxLength: 3 }),
      fc.array(fc.record({ op: fc.constantFrom("add", "remove", "replace", "move", "copy", "test", "bogus", ""), path: json, from: json, value: json }, { requiredKeys: ["op"] }), { maxLength: 3 }),
    );
    fc.assert(
      fc.property(
        json.chain((doc) => fc.tuple(fc.constant(doc), fc.oneof(fc.array(opFor(doc), { maxLength: 6 }), malformed))),
        ([doc, ops]) => {
          const d = frozenCopy(doc);
          const o = frozenCopy(ops);
          attempt(() => applyJsonPatch(doc, ops));
          d.check();
          o.check();
        },
      ),
      runs(3000),
    );
  });

  it("copies, moves and adds cannot make a document grow beyond the patch and the copy limit", () => {
    const COPY_LIMIT = 64 * 1024;
    // Copying the whole document into new keys doubles it each time: unbounded, 40 such copies
    // would need 2^40 times the memory. The engine answers 422 once copies add up to the limit.
    // Built so that every operation applies: moves only from keys made before.
    const growth = fc
      .array(fc.tuple(fc.constantFrom("copy", "copy", "copy", "copy", "move", "add"), fc.constantFrom("", "", "", "", "/a"), fc.nat({ max: 50 }), fc.nat({ max: 50 }), json), { minLength: 20, maxLength: 60 })
      .map((steps) => {
        const made: number[] = [];
        return steps.map(([op, from, i, j, value]) => {
          if (op === "move" && made.length > 0) {
            const k = made[i % made.length];
            made.splice(i % made.length, 1, j);
            return { op, from: `/k${k}`, path: `/k${j}` };
          }
          made.push(i);
          return op === "add" ? { op, path: `/k${i}`, value } : { op: "copy", from, path: `/k${i}` };
        });
      });
    fc.assert(
      fc.property(fc.record({ a: fc.string({ maxLength: 500 }), b: json }), growth, (doc, ops) => {
        // A smaller limit than the real one (MAX_JSON_PATCH_COPY_BYTES) keeps each run cheap.
        const r = attempt(() => applyJsonPatch(doc, ops, { maxCopyBytes: COPY_LIMIT }));
        if (r instanceof PatchError) return;
        expect(jsonByteSize(r)).toBeLessThanOrEqual(jsonByteSize(doc) + jsonByteSize(ops) + COPY_LIMIT);
      }),
      runs(200),
    );
  });

  /** A place to add at: a new or existing key of an object, or an index 0..length (or "-") of an array. */
  const addTarget = (doc: unknown) => {
    const containers = pointers(doc).filter((p) => {
      const v = at(doc, p);
      return Array.isArray(v) || isPlainObject(v);
    });
    if (containers.length === 0) return fc.constant(undefined);
    return fc.constantFrom(...containers).chain((p) => {
      const c = at(doc, p);
      if (Array.isArray(c)) return fc.oneof(fc.integer({ min: 0, max: c.length }).map((i) => ({ container: p, token: String(i), index: i })), fc.constant({ container: p, token: "-", index: c.length }));
      return keys.filter((k) => !Object.prototype.hasOwnProperty.call(c, k)).map((k) => ({ container: p, token: escapePointer(k), index: -1 }));
    });
  };

  it("add then remove at the same place gives the document back", () => {
    fc.assert(
      fc.property(
        json.chain((doc) => fc.tuple(fc.constant(doc), addTarget(doc), json)),
        ([doc, target, value]) => {
          if (!target) return;
          const path = `${target.container}/${target.token}`;
          const removePath = target.index >= 0 ? `${target.container}/${target.index}` : path;
          const added = applyJsonPatch(doc, [{ op: "add", path, value }]);
          expect(at(added, removePath)).toEqual(value);
          expect(applyJsonPatch(added, [{ op: "remove", path: removePath }])).toEqual(doc);
          // And in one patch.
          expect(applyJsonPatch(doc, [{ op: "add", path, value }, { op: "remove", path: removePath }])).toEqual(doc);
        },
      ),
      runs(1000),
    );
  });

  it("remove then add the removed value back gives the document back; test and replace-with-itself are no-ops", () => {
    fc.assert(
      fc.property(
        json.chain((doc) => fc.tuple(fc.constant(doc), fc.constantFrom(...pointers(doc)))),
        ([doc, path]) => {
          const value = at(doc, path);
          expect(applyJsonPatch(doc, [{ op: "test", path, value }])).toEqual(doc);
          expect(applyJsonPatch(doc, [{ op: "replace", path, value }])).toEqual(doc);
          if (path === "") return; // the whole document cannot be removed
          expect(applyJsonPatch(doc, [{ op: "remove", path }, { op: "add", path, value }])).toEqual(doc);
        },
      ),
      runs(1000),
    );
  });

  it("a move to a new key and back gives the document back", () => {
    fc.assert(
      fc.property(
        jsonObject.chain((doc) => fc.tuple(fc.constant(doc), fc.constantFrom(...pointers(doc)))),
        ([doc, from]) => {
          if (from === "" || Object.prototype.hasOwnProperty.call(doc, "__moved__")) return;
          const moved = applyJsonPatch(doc, [{ op: "move", from, path: "/__moved__" }]);
          expect((moved as JsonObject).__moved__).toEqual(at(doc, from));
          // Moving a key of the root out and back changes only the key order, which JSON ignores.
          const back = applyJsonPatch(moved, [{ op: "move", from: "/__moved__", path: from }]);
          expect(back).toEqual(doc);
        },
      ),
      runs(1000),
    );
  });
});

describe("strategic merge patch (properties)", () => {
  const podMeta = patchMetaFor("", "Pod")!;
  const deploymentMeta = patchMetaFor("apps", "Deployment")!;

  /** Pod-shaped documents and patches: merge lists keyed by name, directives, nulls and junk. */
  const name = fc.constantFrom("a", "b", "c");
  const container = fc.record(
    {
      name: fc.oneof({ weight: 5, arbitrary: name }, { weight: 1, arbitrary: json }),
      image: fc.oneof(fc.constantFrom("i:1", "i:2"), fc.constant(null)),
      env: fc.array(fc.record({ name, value: fc.constantFrom("1", "2") }, { requiredKeys: [] }), { maxLength: 3 }),
      ports: fc.array(fc.record({ containerPort: fc.constantFrom(80, 443) }), { maxLength: 2 }),
      $patch: fc.constantFrom("delete", "replace", "merge", "bogus"),
    },
    { requiredKeys: [] },
  );
  const directiveKeys = fc.constantFrom("$setElementOrder/containers", "$setElementOrder/env", "$deleteFromPrimitiveList/finalizers", "$retainKeys", "$patch", "$bogus", "$setElementOrder");
  const podish = fc.record(
    {
      metadata: fc.record({ name: fc.constant("p"), labels: fc.dictionary(keys, fc.oneof(fc.constantFrom("x", "y"), fc.constant(null)), { maxKeys: 2 }), finalizers: fc.array(fc.constantFrom("f1", "f2"), { maxLength: 2 }) }, { requiredKeys: [] }),
      spec: fc.record(
        {
          containers: fc.oneof({ weight: 5, arbitrary: fc.array(container, { maxLength: 3 }) }, { weight: 1, arbitrary: json }),
          initContainers: fc.array(container, { maxLength: 2 }),
          tolerations: fc.array(json, { maxLength: 2 }),
          junk: json,
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: [] },
  );
  const withDirectives = fc
    .tuple(podish, fc.array(fc.tuple(fc.constantFrom("", "spec", "metadata"), directiveKeys, json), { maxLength: 3 }))
    .map(([doc, extra]) => {
      const out = deepClone(doc) as JsonObject;
      for (const [where, k, v] of extra) {
        const target = where === "" ? out : isPlainObject(out[where]) ? (out[where] as JsonObject) : out;
        Object.defineProperty(target, k, { value: v, enumerable: true, writable: true, configurable: true });
      }
      return out;
    });

  it("arbitrary documents and patches apply or fail with a PatchError, leaving the inputs as they were", () => {
    fc.assert(
      fc.property(fc.oneof(podish, json), fc.oneof(withDirectives, json), fc.constantFrom(podMeta, deploymentMeta, noPatchMeta), (doc, patch, meta) => {
        const d = frozenCopy(doc);
        const p = frozenCopy(patch);
        attempt(() => applyStrategicMergePatch(doc, patch, meta));
        d.check();
        p.check();
      }),
      runs(3000),
    );
  });

  it("without directives or patch metadata it is a JSON merge patch", () => {
    const noDollar = (v: unknown): boolean =>
      Array.isArray(v) ? v.every(noDollar) : isPlainObject(v) ? Object.entries(v).every(([k, x]) => !k.startsWith("$") && noDollar(x)) : true;
    fc.assert(
      fc.property(jsonObject, jsonObject.filter(noDollar), (doc, patch) => {
        expect(applyStrategicMergePatch(doc, patch, noPatchMeta)).toEqual(applyMergePatch(doc, patch));
      }),
      runs(1000),
    );
  });

  it("a successful patch leaves no directive key and no null in the objects it merged", () => {
    // The engine promises stored JSON free of `$…` keys and nulls where it merged (upstream gets
    // that by decoding into Go structs); lists without a merge strategy are taken verbatim.
    const bad = (v: unknown): boolean => isPlainObject(v) && Object.entries(v).some(([k, x]) => k.startsWith("$") || x === null || bad(x) || (k === "containers" && Array.isArray(x) && x.some(bad)));
    fc.assert(
      fc.property(podish.map((d) => JSON.parse(JSON.stringify(d, (_k, v) => (v === null ? undefined : v)))), withDirectives, (doc, patch) => {
        if (bad(doc)) return;
        const r = attempt(() => applyStrategicMergePatch(doc, patch, podMeta));
        if (r instanceof PatchError) return;
        expect(bad(r), JSON.stringify(r)).toBe(false);
      }),
      runs(2000),
    );
  });

  it("merging a container list by name keeps one entry per name and every name of either side", () => {
    const named = fc.uniqueArray(fc.record({ name, image: fc.constantFrom("i:1", "i:2") }), { selector: (c) => c.name, maxLength: 3 });
    fc.assert(
      fc.property(named, named, (orig, patch) => {
        const r = applyStrategicMergePatch({ spec: { containers: orig } }, { spec: { containers: patch } }, podMeta) as { spec: { containers: { name: string; image: string }[] } };
        const names = r.spec.containers.map((c) => c.name);
        expect(new Set(names).size).toBe(names.length);
        expect(new Set(names)).toEqual(new Set([...orig, ...patch].map((c) => c.name)));
        for (const c of r.spec.containers) {
          const fromPatch = patch.find((p) => p.name === c.name);
          expect(c.image).toBe((fromPatch ?? orig.find((o) => o.name === c.name))!.image);
        }
      }),
      runs(1000),
    );
  });
});

describe("applyPatch (properties)", () => {
  it("any content type, kind, document and patch: a result or a PatchError", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, `${MERGE_PATCH}; charset=utf-8`, "application/json", ""), fc.string({ maxLength: 10 })),
        fc.constantFrom({ group: "", kind: "Pod" }, { group: "apps", kind: "Deployment" }, { group: "", kind: "ConfigMap" }, { group: "example.com", kind: "Widget" }),
        json,
        json,
        (type, target, doc, patch) => {
          attempt(() => applyPatch(type, doc, patch, target));
        },
      ),
      runs(2000),
    );
  });
});
