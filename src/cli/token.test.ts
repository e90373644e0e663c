import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { UsageError } from "./args.js";
import { parseDuration, runToken } from "./token.js";
import { kubeconfigPath, loadKubeconfig, CommandError } from "./api-client.js";

const dir = mkdtempSync(join(tmpdir(), "edgeplane-token-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(): { stream: PassThrough; text(): string } {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
}

describe("edgeplane token", () => {
  it("reads --ttl as a Go duration", () => {
    expect(parseDuration("24h")).toBe(86_400_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("1.5h")).toBe(5_400_000);
    expect(parseDuration("0")).toBe(0);
    for (const bad of ["", "24", "1d", "h", "-1h", "1h 30m"]) expect(parseDuration(bad), bad).toBeUndefined();
  });

  it("usage errors name the problem", async () => {
    const run = (positionals: string[], flags: Record<string, string> = {}) => runToken({ positionals, flags }, capture().stream, capture().stream);
    await expect(run([])).rejects.toThrow(UsageError);
    await expect(run(["mint"])).rejects.toThrow(/unknown subcommand 'token mint'/);
    await expect(run(["create"], { ttl: "1 day" })).rejects.toThrow(/--ttl needs a duration/);
    await expect(run(["create"], { groups: "system:masters" })).rejects.toThrow(/bootstrap group "system:masters" is invalid/);
    await expect(run(["list"], { ttl: "1h" })).rejects.toThrow(/--ttl is a flag of 'edgeplane token create'/);
    await expect(run(["delete"])).rejects.toThrow(/needs a token id/);
    await expect(run(["delete", "ABC"])).rejects.toThrow(/neither a token id/);
  });

  it("a missing kubeconfig is an error with a hint, exit code 1", async () => {
    const err = capture();
    const code = await runToken({ positionals: ["list"], flags: { kubeconfig: join(dir, "nope") } }, capture().stream, err.stream);
    expect(code).toBe(1);
    expect(err.text()).toMatch(/^edgeplane: no kubeconfig at .*nope\nhint: start the control plane with 'edgeplane up'/);
  });

  it("takes server, CA and token from the kubeconfig's current or named context", () => {
    const path = join(dir, "kubeconfig");
    writeFileSync(join(dir, "token"), "from-file\n");
    writeFileSync(
      path,
      [
        "apiVersion: v1",
        "kind: Config",
        "current-context: a",
        "clusters:",
        `- name: c1\n  cluster:\n    server: https://127.0.0.1:9/\n    certificate-authority-data: ${Buffer.from("PEM").toString("base64")}`,
        "- name: c2\n  cluster:\n    server: https://example.com\n    insecure-skip-tls-verify: true",
        "users:",
        "- name: u1\n  user:\n    token: tok",
        "- name: u2\n  user:\n    tokenFile: token",
        "- name: u3\n  user:\n    client-certificate-data: eA==",
        "contexts:",
        "- name: a\n  context: {cluster: c1, user: u1}",
        "- name: b\n  context: {cluster: c2, user: u2}",
        "- name: c\n  context: {cluster: c2, user: u3}",
      ].join("\n"),
    );
    expect(loadKubeconfig(path)).toMatchObject({ server: "https://127.0.0.1:9", token: "tok", ca: "PEM", insecure: false, context: "a" });
    expect(loadKubeconfig(path, "b")).toMatchObject({ server: "https://example.com", token: "from-file", ca: undefined, insecure: true });
    expect(() => loadKubeconfig(path, "c")).toThrow(CommandError);
    expect(() => loadKubeconfig(path, "zz")).toThrow(/context 'zz' is not in/);
    expect(kubeconfigPath(undefined, { KUBECONFIG: `${join(dir, "missing")}:${path}` }, dir)).toBe(path);
    expect(kubeconfigPath("k", {}, dir)).toBe(join(dir, "k"));
  });
});
