// Property-based tests of the labelSelector parser: any string either parses or fails with the
// 400 SelectorParseError (nothing else, no hang), and selectors built from a model parse to that
// model, print back to themselves and select what a reference matcher written here selects.
// Runs are seeded (FC_SEED overrides) so a failure reproduces; fast-check prints seed and path.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SelectorParseError, labelSelectorFromObject, parseLabelSelector, type LabelSelectorObject, type LabelOperator, type LabelRequirement, type LabelSelector } from "./index.js";

const seed = Number(process.env.FC_SEED ?? 0x5e1ec7);
/** FC_RUNS_SCALE multiplies the run counts for a longer fuzzing session. */
const runs = (numRuns: number) => ({ seed, numRuns: Math.ceil(numRuns * Number(process.env.FC_RUNS_SCALE ?? 1)) });

/** Parses, or returns the error; anything but a SelectorParseError fails the property. */
function tryParse(s: string): LabelSelector | SelectorParseError {
  try {
    return parseLabelSelector(s);
  } catch (e) {
    if (e instanceof SelectorParseError) return e;
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// Generators

const alnum = fc.constantFrom(..."abcxyzAZ019");
const inner = fc.constantFrom(..."abz09-_.");
/** `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`, short, so that generated keys and values collide. */
const nameToken = (maxInner: number) =>
  fc
    .tuple(alnum, fc.array(inner, { maxLength: maxInner }), alnum, fc.boolean())
    .map(([a, mid, z, single]) => (single ? a : a + mid.join("") + z));
const dnsLabel = fc.tuple(fc.constantFrom(..."abz09"), fc.array(fc.constantFrom(..."az0-"), { maxLength: 3 }), fc.constantFrom(..."az9")).map(([a, m, z]) => a + m.join("") + z);
const labelKey = fc.oneof(
  { weight: 4, arbitrary: nameToken(3) },
  { weight: 1, arbitrary: fc.tuple(fc.array(dnsLabel, { minLength: 1, maxLength: 3 }), nameToken(3)).map(([p, n]) => `${p.join(".")}/${n}`) },
  // Keywords and operators' spellings are legal keys and values.
  { weight: 1, arbitrary: fc.constantFrom("in", "notin", "a", "b") },
);
const labelValue = fc.oneof({ weight: 4, arbitrary: nameToken(3) }, { weight: 1, arbitrary: fc.constantFrom("", "in", "notin", "a") });
const intValue = fc.oneof(fc.nat({ max: 20 }).map(String), fc.constantFrom("9223372036854775807", "007", "0"));

/** A requirement of the model: the operator as written and the values as a set would hold them. */
interface ModelReq {
  key: string;
  op: LabelOperator;
  values: string[];
}

const modelReq: fc.Arbitrary<ModelReq> = fc.oneof(
  fc.record({ key: labelKey, op: fc.constantFrom<LabelOperator>("=", "==", "!="), values: labelValue.map((v) => [v]) }),
  fc.record({ key: labelKey, op: fc.constantFrom<LabelOperator>("in", "notin"), values: fc.array(labelValue, { minLength: 1, maxLength: 4 }) }),
  fc.record({ key: labelKey, op: fc.constantFrom<LabelOperator>("exists", "!"), values: fc.constant<string[]>([]) }),
  fc.record({ key: labelKey, op: fc.constantFrom<LabelOperator>("gt", "lt"), values: intValue.map((v) => [v]) }),
);

const ws = fc.constantFrom("", "", " ", "  ", "\t", "\n");
const ws1 = fc.constantFrom(" ", "  ", "\t", " \r\n ");

/** Renders one requirement with arbitrary (legal) whitespace around its tokens. */
const rendered = (r: ModelReq): fc.Arbitrary<string> => {
  switch (r.op) {
    case "exists":
      return fc.tuple(ws, ws).map(([a, b]) => `${a}${r.key}${b}`);
    case "!":
      return fc.tuple(ws, ws, ws).map(([a, b, c]) => `${a}!${b}${r.key}${c}`);
    case "in":
    case "notin":
      // A value list may repeat values and leave empty items (`(a,,b)` holds "", a and b). At
      // most one empty item is written: upstream's grammar refuses `(,,)` and `(a,,)`.
      return fc
        .tuple(ws, ws1, ws, ws, fc.shuffledSubarray([...new Set(r.values)], { minLength: new Set(r.values).size }), fc.boolean())
        .map(([a, b, c, d, vals, dup]) => `${a}${r.key}${b}${r.op}${c}(${d}${(dup ? [...vals, vals[0]] : vals).join(" , ")})`);
    default: {
      const op = { "=": "=", "==": "==", "!=": "!=", gt: ">", lt: "<" }[r.op as string]!;
      return fc.tuple(ws, ws, ws).map(([a, b, c]) => `${a}${r.key}${b}${op}${c}${r.values[0]}`);
    }
  }
};

const modelAndText = fc
  .array(modelReq, { maxLength: 5 })
  .chain((model) => fc.tuple(fc.constant(model), model.length ? fc.tuple(...model.map(rendered)) : fc.constant([] as string[])))
  .map(([model, parts]) => ({ model, text: parts.join(",") }));

// ---------------------------------------------------------------------------------------------
// Reference semantics, written from the Kubernetes documentation, not from the parser.

const INT64_MAX = 2n ** 63n - 1n;
const toInt = (s: string): bigint | undefined => (/^[0-9]+$/.test(s) && BigInt(s) <= INT64_MAX ? BigInt(s) : /^-[0-9]+$/.test(s) && BigInt(s) >= -(2n ** 63n) ? BigInt(s) : undefined);

function refMatches(model: ModelReq[], labels: Record<string, string>): boolean {
  return model.every(({ key, op, values }) => {
    const present = Object.prototype.hasOwnProperty.call(labels, key);
    const v = labels[key];
    switch (op) {
      case "=":
      case "==":
      case "in":
        return present && values.includes(v);
      case "!=":
      case "notin":
        return !present || !values.includes(v);
      case "exists":
        return present;
      case "!":
        return !present;
      case "gt":
      case "lt": {
        const a = present ? toInt(v) : undefined;
        const b = toInt(values[0]);
        if (a === undefined || b === undefined) return false;
        return op === "gt" ? a > b : a < b;
      }
    }
  });
}

/** The model as the parser reports it: sorted by key (stably), values deduplicated and sorted. */
function expectedRequirements(model: ModelReq[]): LabelRequirement[] {
  const sortStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return model
    .map((r) => ({ key: r.key, operator: r.op, values: [...new Set(r.values)].sort(sortStr) }))
    .sort((a, b) => sortStr(a.key, b.key));
}

const plain = (reqs: readonly LabelRequirement[]) => reqs.map((r) => ({ key: r.key, operator: r.operator, values: [...r.values] }));

const labelsFor = (model: ModelReq[]) =>
  fc.dictionary(
    fc.oneof(labelKey, ...(model.length ? [fc.constantFrom(...model.map((r) => r.key))] : [])),
    fc.oneof(labelValue, intValue, ...(model.some((r) => r.values.length) ? [fc.constantFrom(...model.flatMap((r) => r.values))] : [])),
    { maxKeys: 6 },
  );

// ---------------------------------------------------------------------------------------------

/** Characters the grammar gives meaning to, so random strings reach deep into the parser. */
const selectorChars = fc.constantFrom(..."ab01.-_/", "in", "notin", " ", "\t", "\0", "=", "!", "(", ")", ",", "<", ">", "==", "!=", "\\", "é", "\u{1F600}", "\ud800");

describe("parseLabelSelector (properties)", () => {
  it("any string parses or fails with a SelectorParseError", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 60 }), fc.string({ unit: selectorChars, maxLength: 40 })), (s) => {
        const r = tryParse(s);
        if (r instanceof SelectorParseError) {
          expect(r.code).toBe(400);
          expect(r.toStatusError().status).toMatchObject({ code: 400, reason: "BadRequest" });
        }
      }),
      runs(3000),
    );
  });

  it("whatever parses, prints to a selector that parses to the same requirements (a fixed point)", () => {
    fc.assert(
      fc.property(fc.string({ unit: selectorChars, maxLength: 40 }), (s) => {
        const first = tryParse(s);
        if (first instanceof SelectorParseError) return;
        const printed = first.toString();
        const again = parseLabelSelector(printed);
        expect(plain(again.requirements)).toEqual(plain(first.requirements));
        expect(again.toString()).toBe(printed);
      }),
      runs(3000),
    );
  });

  it("a generated selector parses to its model, round-trips and matches as the reference does", () => {
    fc.assert(
      fc.property(
        modelAndText.chain(({ model, text }) => fc.record({ model: fc.constant(model), text: fc.constant(text), labels: fc.array(labelsFor(model), { minLength: 1, maxLength: 4 }) })),
        ({ model, text, labels }) => {
          const sel = parseLabelSelector(text);
          expect(plain(sel.requirements)).toEqual(expectedRequirements(model));
          expect(sel.empty).toBe(model.length === 0);
          const again = parseLabelSelector(sel.toString());
          expect(plain(again.requirements)).toEqual(plain(sel.requirements));
          expect(again.toString()).toBe(sel.toString());
          for (const l of labels) {
            expect(sel.matches(l), `${text} on ${JSON.stringify(l)}`).toBe(refMatches(model, l));
            expect(again.matches(l)).toBe(sel.matches(l));
          }
          // No labels at all reads as an empty set.
          expect(sel.matches(undefined)).toBe(refMatches(model, {}));
        },
      ),
      runs(1000),
    );
  });

  it("requiresExactMatch names the value a lone =, == or one-value in demands", () => {
    fc.assert(
      fc.property(modelAndText, ({ model, text }) => {
        const sel = parseLabelSelector(text);
        for (const r of model) {
          const first = expectedRequirements(model).find((x) => x.key === r.key)!;
          const exact = (first.operator === "=" || first.operator === "==" || first.operator === "in") && first.values.length === 1 ? first.values[0] : undefined;
          expect(sel.requiresExactMatch(r.key)).toBe(exact);
        }
      }),
      runs(500),
    );
  });

  it("long inputs parse in linear time (no quadratic blow-up that would hang a request)", () => {
    // Not a timing assertion: a quadratic parser would take minutes here and hit the test timeout.
    const n = 20_000;
    expect(parseLabelSelector(Array.from({ length: n }, (_, i) => `k${i}=v${i}`).join(",")).requirements).toHaveLength(n);
    expect(tryParse("a in (" + "x,".repeat(100_000) + ")")).not.toBeInstanceOf(SelectorParseError);
    expect(tryParse("(".repeat(100_000))).toBeInstanceOf(SelectorParseError);
    expect(tryParse("a".repeat(200_000))).toBeInstanceOf(SelectorParseError);
    expect(tryParse("!".repeat(200_000))).toBeInstanceOf(SelectorParseError);
  });
});

const objectOps: Record<string, LabelOperator> = { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" };

describe("labelSelectorFromObject (properties)", () => {
  it("any well-typed metav1.LabelSelector builds a selector or fails with a SelectorParseError", () => {
    const str = fc.oneof(fc.string({ maxLength: 12 }), labelKey, fc.constantFrom("In", "NotIn", "Exists", "DoesNotExist", "Gt", "__proto__", "constructor"));
    fc.assert(
      fc.property(
        fc.record(
          {
            matchLabels: fc.option(fc.dictionary(str, str, { maxKeys: 3 })),
            matchExpressions: fc.option(fc.array(fc.record({ key: str, operator: str, values: fc.option(fc.array(str, { maxLength: 3 })) }, { requiredKeys: ["key", "operator"] }), { maxLength: 3 })),
          },
          { requiredKeys: [] },
        ),
        (obj) => {
          try {
            labelSelectorFromObject(obj as LabelSelectorObject).matches({ a: "b" });
          } catch (e) {
            if (!(e instanceof SelectorParseError)) throw e;
          }
        },
      ),
      runs(2000),
    );
  });

  it("a valid object selects as the reference does, and its printed form parses to the same selection", () => {
    const expr = fc.oneof(
      fc.record({ key: labelKey, operator: fc.constantFrom("In", "NotIn"), values: fc.uniqueArray(labelValue, { minLength: 1, maxLength: 3 }) }),
      fc.record({ key: labelKey, operator: fc.constantFrom("Exists", "DoesNotExist") }),
    );
    fc.assert(
      fc.property(
        fc.record({ matchLabels: fc.dictionary(labelKey, labelValue, { maxKeys: 3 }), matchExpressions: fc.array(expr, { maxLength: 3 }) }),
        fc.array(fc.dictionary(labelKey, labelValue, { maxKeys: 5 }), { minLength: 1, maxLength: 4 }),
        (obj, labelSets) => {
          const model: ModelReq[] = [
            ...Object.entries(obj.matchLabels).map(([key, v]) => ({ key, op: "=" as const, values: [v] })),
            ...obj.matchExpressions.map((e) => ({ key: e.key, op: objectOps[e.operator], values: "values" in e ? e.values : [] })),
          ];
          const sel = labelSelectorFromObject(obj);
          const printed = parseLabelSelector(sel.toString());
          for (const l of [...labelSets, ...labelSets.map((l) => ({ ...l, ...obj.matchLabels }))]) {
            expect(sel.matches(l)).toBe(refMatches(model, l));
            expect(printed.matches(l)).toBe(sel.matches(l));
          }
        },
      ),
      runs(1000),
    );
  });
});
