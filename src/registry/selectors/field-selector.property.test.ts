// Property-based tests of the fieldSelector parser: any string parses or fails with the 400
// SelectorParseError; selectors built from a model (any value, escaped) parse to that model,
// round-trip through toString and select what a reference matcher written here selects.
// Runs are seeded (FC_SEED overrides) so a failure reproduces; fast-check prints seed and path.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SelectorParseError, escapeFieldValue, parseFieldSelector, unescapeFieldValue, type FieldRequirement, type FieldSelector } from "./index.js";

const seed = Number(process.env.FC_SEED ?? 0xf1e1d);
/** FC_RUNS_SCALE multiplies the run counts for a longer fuzzing session. */
const runs = (numRuns: number) => ({ seed, numRuns: Math.ceil(numRuns * Number(process.env.FC_RUNS_SCALE ?? 1)) });

function tryParse(s: string): FieldSelector | SelectorParseError {
  try {
    return parseFieldSelector(s);
  } catch (e) {
    if (e instanceof SelectorParseError) return e;
    throw e;
  }
}

const selectorChars = fc.constantFrom(..."ab.", "=", "==", "!=", "!", ",", "\\", "\\,", "\\=", "\\\\", " ", "é", "\u{1F600}", "\udc00");

/**
 * A field label as the parser can carry it: no `,` or `=` (the left side has no escapes), no `!`
 * right before the operator. Real ones are paths like `metadata.name` or `spec.nodeName`.
 */
const field = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("metadata.name", "metadata.namespace", "status.phase", "spec.nodeName") },
  {
    weight: 2,
    arbitrary: fc
      .string({ unit: fc.constantFrom(..."abz.-_/ !\\é"), minLength: 1, maxLength: 8 })
      .filter((f) => !f.endsWith("!")),
  },
);
const value = fc.oneof(fc.constantFrom("", "web-1", "Running", "default"), fc.string({ unit: fc.constantFrom(..."ab,=\\! é"), maxLength: 6 }), fc.string({ maxLength: 6 }));

interface ModelReq {
  field: string;
  op: "=" | "!=";
  value: string;
}
const modelReq: fc.Arbitrary<ModelReq> = fc
  .record({ field, op: fc.constantFrom<"=" | "!=">("=", "!="), value })
  // A term with neither field nor value is dropped by the parser (upstream's `=`).
  .filter((r) => r.field !== "" || r.value !== "");

/** Renders a term; `=` may be spelled `==`. */
const rendered = (r: ModelReq) => fc.boolean().map((dbl) => `${r.field}${r.op === "=" && dbl ? "==" : r.op}${escapeFieldValue(r.value)}`);

const modelAndText = fc
  .array(modelReq, { maxLength: 5 })
  .chain((model) => fc.tuple(fc.constant(model), model.length ? fc.tuple(...model.map(rendered)) : fc.constant([] as string[])))
  .map(([model, parts]) => ({ model, text: parts.join(",") }));

/** Reference semantics: a missing field reads as "". */
const refMatches = (model: ModelReq[], fields: Record<string, string>) =>
  model.every((r) => ((Object.prototype.hasOwnProperty.call(fields, r.field) ? fields[r.field] : "") === r.value) === (r.op === "="));

/** Requirements compared as a multiset: their order follows the sorted raw terms, which `==` vs `=` can change. */
const canon = (reqs: readonly FieldRequirement[]) =>
  reqs.map((r) => JSON.stringify([r.field, r.op, r.value])).sort();

describe("parseFieldSelector (properties)", () => {
  it("any string parses or fails with a SelectorParseError", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 60 }), fc.string({ unit: selectorChars, maxLength: 40 })), (s) => {
        const r = tryParse(s);
        if (r instanceof SelectorParseError) expect(r.toStatusError().status).toMatchObject({ code: 400, reason: "BadRequest" });
      }),
      runs(3000),
    );
  });

  it("whatever parses, prints to a selector that parses to the same requirements", () => {
    fc.assert(
      fc.property(fc.string({ unit: selectorChars, maxLength: 40 }), (s) => {
        const first = tryParse(s);
        if (first instanceof SelectorParseError) return;
        const again = parseFieldSelector(first.toString());
        expect(canon(again.requirements)).toEqual(canon(first.requirements));
      }),
      runs(3000),
    );
  });

  it("a generated selector parses to its model, round-trips and matches as the reference does", () => {
    fc.assert(
      fc.property(
        modelAndText,
        fc.array(fc.dictionary(fc.oneof(field, fc.constantFrom("metadata.name", "status.phase")), value, { maxKeys: 4 }), { minLength: 1, maxLength: 4 }),
        ({ model, text }, fieldSets) => {
          const sel = parseFieldSelector(text);
          expect(canon(sel.requirements)).toEqual(canon(model));
          expect(sel.empty).toBe(model.length === 0);
          const again = parseFieldSelector(sel.toString());
          expect(canon(again.requirements)).toEqual(canon(model));
          // Objects built to satisfy the model's = terms, and arbitrary ones.
          const satisfying = Object.fromEntries(model.filter((r) => r.op === "=").map((r) => [r.field, r.value]));
          for (const f of [...fieldSets, satisfying]) {
            const get = (k: string) => (Object.prototype.hasOwnProperty.call(f, k) ? f[k] : undefined);
            expect(sel.matches(get), `${text} on ${JSON.stringify(f)}`).toBe(refMatches(model, f));
            expect(again.matches(get)).toBe(sel.matches(get));
          }
        },
      ),
      runs(1000),
    );
  });

  it("escapeFieldValue and unescapeFieldValue are inverse on any string; unescape fails only with a SelectorParseError", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 30 }), (v) => {
        expect(unescapeFieldValue(escapeFieldValue(v))).toBe(v);
      }),
      runs(2000),
    );
    fc.assert(
      fc.property(fc.string({ unit: selectorChars, maxLength: 30 }), (v) => {
        try {
          expect(escapeFieldValue(unescapeFieldValue(v))).toBe(v);
        } catch (e) {
          if (!(e instanceof SelectorParseError)) throw e;
        }
      }),
      runs(2000),
    );
  });

  it("long inputs parse in linear time", () => {
    // Not a timing assertion: a quadratic parser would take minutes here and hit the test timeout.
    const n = 20_000;
    expect(parseFieldSelector(Array.from({ length: n }, (_, i) => `f${i}=v${i}`).join(",")).requirements).toHaveLength(n);
    expect(parseFieldSelector("a=" + "\\,".repeat(100_000)).requirements[0].value).toBe(",".repeat(100_000));
    expect(tryParse("a".repeat(200_000))).toBeInstanceOf(SelectorParseError);
    expect(tryParse("!".repeat(200_000))).toBeInstanceOf(SelectorParseError);
  });
});
