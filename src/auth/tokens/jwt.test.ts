import { describe, expect, it } from "vitest";
import { generateSigningJwk, importSigningJwk } from "./keys.js";
import { audiencesOf, parseJwt, signJwt, timeValidity, verifySignature } from "./jwt.js";

describe("JWT", async () => {
  const key = await importSigningJwk(await generateSigningJwk());
  const other = await importSigningJwk(await generateSigningJwk());

  it("signs with claims in go-jose's order and verifies with the same key only", async () => {
    const token = await signJwt({ sub: "s", iss: "i", aud: ["a"], exp: 10, skip: undefined }, key);
    const jwt = parseJwt(token)!;
    expect(jwt.header).toEqual({ alg: "RS256", kid: key.kid });
    expect(Object.keys(jwt.claims)).toEqual(["aud", "exp", "iss", "sub"]);
    expect(await verifySignature(jwt, key)).toBe(true);
    expect(await verifySignature(jwt, { ...other, kid: key.kid })).toBe(false);
    expect(await verifySignature({ ...jwt, header: { ...jwt.header, alg: "none" } }, key)).toBe(false);
    expect(await verifySignature({ ...jwt, header: { ...jwt.header, kid: "x" } }, key)).toBe(false);
  });

  it("parses only JWT-shaped input", () => {
    for (const t of ["", "a.b", "a.b.c.d", "!!.e30.e30", "e30.e30.%%", "W10.e30.e30", "e30.bm90IGpzb24.e30"]) expect(parseJwt(t), t).toBeUndefined();
    expect(parseJwt("e30.e30.e30")).toBeDefined();
  });

  it("checks exp, nbf and iat with go-jose's one-minute leeway; exp is required", () => {
    const now = 1_000_000_000_000;
    const s = now / 1000;
    expect(timeValidity({ exp: s + 10, nbf: s, iat: s }, now)).toBe("valid");
    expect(timeValidity({ exp: s - 59 }, now)).toBe("valid");
    expect(timeValidity({ exp: s - 61 }, now)).toBe("expired");
    expect(timeValidity({ exp: s + 600, nbf: s + 61 }, now)).toBe("notYetValid");
    expect(timeValidity({ exp: s + 600, iat: s + 61 }, now)).toBe("issuedInFuture");
    expect(timeValidity({}, now)).toBe("malformed");
    expect(timeValidity({ exp: "soon" }, now)).toBe("malformed");
  });

  it("reads aud as a string or a list", () => {
    expect(audiencesOf({ aud: "x" })).toEqual(["x"]);
    expect(audiencesOf({ aud: ["x", 1, "y"] })).toEqual(["x", "y"]);
    expect(audiencesOf({})).toEqual([]);
  });
});
