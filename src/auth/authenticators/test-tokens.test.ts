import { describe, expect, it } from "vitest";
import type { Env } from "../../env.js";
import { parseTestTokens, testTokens } from "./test-tokens.js";

describe("the TEST_TOKENS fake", () => {
  it("reads upstream's token-file lines: token,user,uid,\"group1,group2\"", () => {
    expect(parseTestTokens('# comment\nt1,alice,u1,"a,b"\nt2,bob\n\nbad-line-without-user\n')).toEqual([
      { token: "t1", user: { username: "alice", uid: "u1", groups: ["a", "b"] } },
      { token: "t2", user: { username: "bob", groups: [] } },
    ]);
  });

  it("recognises nobody unless TEST_TOKENS is set", async () => {
    expect(await testTokens("t1", {} as Env)).toBeUndefined();
    expect(await testTokens("t1", { TEST_TOKENS: "t1,alice" } as Env)).toEqual({ username: "alice", groups: [] });
    expect(await testTokens("t2", { TEST_TOKENS: "t1,alice" } as Env)).toBeUndefined();
  });
});
