// Property-based tests of the request body decoders: any bytes under any Content-Type come back
// as a document or as a 400/413/415/422 Status, never as anything that would render a 500; YAML
// with anchors and aliases (billion laughs, cycles) and deeply nested documents are refused or
// parsed into bounded, acyclic JSON. Hangs would show as the test timing out.
// Runs are seeded (FC_SEED overrides) so a failure reproduces; fast-check prints seed and path.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { configMapDef } from "../apis/core/v1/configmap.js";
import { deploymentDef } from "../apis/apps/v1/deployment.js";
import { podDef } from "../apis/core/v1/pod.js";
import type { KindDef } from "../apis/types.js";
import { StatusError } from "../lib/status.js";
import { MAX_BODY_BYTES, parseDocument, readObject, readPatch } from "./body.js";
import { PROTOBUF_CONTENT_TYPE, encodeProtobufObject } from "./protobuf/index.js";

const seed = Number(process.env.FC_SEED ?? 0xb0d1e5);
/** FC_RUNS_SCALE multiplies the run counts for a longer fuzzing session. */
const runs = (numRuns: number) => ({ seed, numRuns: Math.ceil(numRuns * Number(process.env.FC_RUNS_SCALE ?? 1)) });

const CLIENT_ERRORS = [400, 413, 415, 422];

/** The decoder's answer: a value, or a client-error Status; anything else fails the property. */
async function answer<T>(f: () => T | Promise<T>): Promise<T | StatusError> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof StatusError) {
      expect(CLIENT_ERRORS, `${e.code} ${e.message}`).toContain(e.code);
      expect(e.status.kind).toBe("Status");
      return e;
    }
    throw e;
  }
}

/** Deepest nesting of a value, iteratively; Infinity for a cycle. */
function depthOf(v: unknown): number {
  let max = 0;
  const onPath = new Set<unknown>();
  const stack: Array<{ x: unknown; d: number; exit?: true }> = [{ x: v, d: 0 }];
  while (stack.length) {
    const { x, d, exit } = stack.pop()!;
    if (exit) {
      onPath.delete(x);
      continue;
    }
    if (typeof x !== "object" || x === null) continue;
    if (onPath.has(x)) return Infinity;
    onPath.add(x);
    max = Math.max(max, d + 1);
    stack.push({ x, d, exit: true });
    for (const c of Array.isArray(x) ? x : Object.values(x)) stack.push({ x: c, d: d + 1 });
  }
  return max;
}

/** A parsed document must be JSON: finite depth, no cycle, serialisable. */
function expectPlainJson(v: unknown, inputLength: number): void {
  expect(depthOf(v)).toBeLessThanOrEqual(100);
  const text = JSON.stringify(v) ?? "";
  // Aliases may repeat content, but not without bound (billion laughs).
  expect(text.length).toBeLessThanOrEqual(200 * inputLength + 10_000);
}

const MEDIA = ["application/json", "application/yaml", "text/yaml", "application/apply-patch+yaml", "*/*"];
const contentTypes = fc.oneof(
  fc.constantFrom(
    ...MEDIA,
    PROTOBUF_CONTENT_TYPE,
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/json-patch+json",
    "text/plain",
    "",
    ";",
    "application/cbor",
  ),
  fc.string({ maxLength: 12 }),
);

/** Text that looks like JSON or YAML often enough to get past the first character. */
const docChars = fc.constantFrom(..."{}[]:,\"'-&*!|>#?%@`\\ \n\t0aZ", "key: ", "- ", "&a ", "*a", "<<: ", "!!binary ", "!!set ", "---\n", "...\n", "null", "true", "1e999", "\u0000", "\ufeff", "é");
const docText = fc.oneof(fc.string({ unit: docChars, maxLength: 60 }), fc.string({ unit: "binary", maxLength: 40 }), fc.json({ maxDepth: 4 }));

const defs: Record<string, KindDef> = {
  ConfigMap: configMapDef as unknown as KindDef,
  Pod: podDef as unknown as KindDef,
  Deployment: deploymentDef as unknown as KindDef,
};

const request = (body: BodyInit | undefined, contentType: string | undefined, extra: Record<string, string> = {}) =>
  new Request("http://x/api/v1/namespaces/default/configmaps", {
    method: "POST",
    body,
    headers: { ...(contentType === undefined ? {} : { "content-type": contentType }), ...extra },
  });

describe("parseDocument (properties)", () => {
  it("any text, as JSON or YAML, is a JSON document or a 400", async () => {
    await fc.assert(
      fc.asyncProperty(docText, fc.constantFrom(...MEDIA), async (text, type) => {
        const r = await answer(() => parseDocument(text, type));
        if (r instanceof StatusError) expect(r.code).toBe(400);
        else expectPlainJson(r, text.length);
      }),
      runs(3000),
    );
  });

  it("YAML anchors and aliases (nested laughs, self references, merge keys) are refused or stay bounded", async () => {
    // laughs(levels, fan): each level's sequence repeats the previous anchor `fan` times.
    const laughs = (levels: number, fan: number, flow: boolean) => {
      const lines = ["a0: &a0 [\"lol\"]"];
      for (let i = 1; i <= levels; i++) {
        const refs = Array.from({ length: fan }, () => `*a${i - 1}`);
        lines.push(flow ? `a${i}: &a${i} [${refs.join(", ")}]` : `a${i}: &a${i}\n${refs.map((r) => `  - ${r}`).join("\n")}`);
      }
      return lines.join("\n");
    };
    const bomb = fc.oneof(
      fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), fc.boolean()).map(([l, f, flow]) => laughs(l, f, flow)),
      fc.constantFrom(
        "a: &x [*x]",
        "&x {a: *x}",
        "a: &x\n  b: *x",
        "a: &x\n  - *x\n  - *x",
        "base: &b {k: v}\nm:\n  <<: *b\n  <<: *b",
        "a: &x [1]\nb: *x\nc: *x\nd: *y",
        "? &k [a]\n: *k",
        "!!set {a, b}",
        "a: !!binary aGVsbG8=",
        "a: !!timestamp 2001-12-14t21:59:43.10-05:00",
        "a: .nan\nb: -.inf",
      ),
      // Many anchors and aliases in one flat document.
      fc.integer({ min: 1, max: 400 }).map((n) => ["x: &x {a: 1}", ...Array.from({ length: n }, (_, i) => `k${i}: *x`)].join("\n")),
    );
    await fc.assert(
      fc.asyncProperty(bomb, async (text) => {
        const r = await answer(() => parseDocument(text, "application/yaml"));
        if (r instanceof StatusError) expect(r.code).toBe(400);
        else expectPlainJson(r, text.length);
      }),
      runs(300),
    );
  });

  it("deep nesting, in JSON and in YAML, is refused or parsed whole", async () => {
    const deepText = fc.tuple(fc.integer({ min: 1, max: 50_000 }), fc.constantFrom<"array" | "object" | "mixed">("array", "object", "mixed"), fc.constantFrom("json", "yaml-flow", "yaml-block")).map(([d, style, syntax]) => {
      if (syntax === "yaml-block") {
        const n = Math.min(d, 3000); // block YAML grows quadratically with depth (indentation)
        return { text: Array.from({ length: n }, (_, i) => `${" ".repeat(i)}k:`).join("\n") + " 1", type: "application/yaml" };
      }
      // Written out directly: JSON.stringify itself overflows on such values.
      const open = Array.from({ length: d }, (_, i) => (style === "array" || (style === "mixed" && i % 2) ? "[" : '{"a":'));
      const text = open.join("") + "1" + open.reverse().map((o) => (o === "[" ? "]" : "}")).join("");
      return { text, type: syntax === "json" ? "application/json" : "application/yaml" };
    });
    await fc.assert(
      fc.asyncProperty(deepText, async ({ text, type }) => {
        const r = await answer(() => parseDocument(text, type));
        if (r instanceof StatusError) expect(r.code).toBe(400);
        else expectPlainJson(r, text.length);
      }),
      runs(60),
    );
  });
});

describe("readObject and readPatch (properties)", () => {
  it("any bytes under any Content-Type: an object, a patch, or a 400/413/415/422", async () => {
    const bodies = fc.oneof(
      docText.map((t) => new TextEncoder().encode(t)),
      fc.uint8Array({ maxLength: 64 }),
      // The protobuf envelope's magic, then anything.
      fc.uint8Array({ maxLength: 48 }).map((b) => new Uint8Array([0x6b, 0x38, 0x73, 0x00, ...b])),
    );
    await fc.assert(
      fc.asyncProperty(bodies, fc.option(contentTypes, { nil: undefined }), fc.constantFrom("ConfigMap", "Pod", "Deployment"), async (bytes, type, kind) => {
        const obj = await answer(() => readObject(request(bytes, type), defs[kind]));
        if (!(obj instanceof StatusError)) {
          expect(typeof obj.body).toBe("object");
          expectPlainJson(obj.body, bytes.length);
        }
        const p = await answer(() => readPatch(request(bytes, type)));
        if (!(p instanceof StatusError)) expectPlainJson(p.patch, bytes.length);
      }),
      runs(2000),
    );
  });

  it("valid protobuf bodies with bytes flipped, dropped or appended: an object or a 400", async () => {
    const base = [
      encodeProtobufObject({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c", labels: { a: "b" } }, data: { k: "v" } }),
      encodeProtobufObject({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "nginx", ports: [{ containerPort: 80 }] }] } }),
      encodeProtobufObject({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "d" },
        spec: { replicas: 2, selector: { matchLabels: { app: "d" } }, template: { metadata: { labels: { app: "d" } }, spec: { containers: [{ name: "c", image: "nginx" }] } } },
      }),
    ];
    const damaged = fc
      .tuple(fc.nat({ max: base.length - 1 }), fc.array(fc.tuple(fc.constantFrom("flip", "drop", "insert", "truncate"), fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }))
      .map(([i, edits]) => {
        let b = [...base[i]];
        for (const [op, at, byte] of edits) {
          const pos = 4 + (at % Math.max(1, b.length - 4)); // leave the magic alone
          if (op === "flip") b[pos] = byte;
          else if (op === "drop") b.splice(pos, 1);
          else if (op === "insert") b.splice(pos, 0, byte);
          else b = b.slice(0, pos);
        }
        return { kind: ["ConfigMap", "Pod", "Deployment"][i], bytes: new Uint8Array(b) };
      });
    await fc.assert(
      fc.asyncProperty(damaged, async ({ kind, bytes }) => {
        const r = await answer(() => readObject(request(bytes, PROTOBUF_CONTENT_TYPE), defs[kind]));
        if (!(r instanceof StatusError)) expectPlainJson(r.body, bytes.length);
      }),
      runs(2000),
    );
  });

  it("a body over the limit is a 413, declared or not", async () => {
    const big = new Uint8Array(MAX_BODY_BYTES + 1).fill(0x20);
    for (const type of ["application/json", "application/yaml", PROTOBUF_CONTENT_TYPE]) {
      const r = await answer(() => readObject(request(big, type), defs.ConfigMap));
      expect(r).toBeInstanceOf(StatusError);
      expect((r as StatusError).code).toBe(413);
      const declared = await answer(() => readObject(request("{}", type, { "content-length": String(MAX_BODY_BYTES + 1) }), defs.ConfigMap));
      expect((declared as StatusError).code).toBe(413);
    }
  });
});
