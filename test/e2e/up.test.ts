// `edgeplane up` end to end: the real CLI, wrangler dev and workerd.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { api, freePort, kubeClient, portInUse, repoRoot, runEdgeplane, startEdgeplane, type Edgeplane } from "./harness.js";

/** Command lines of workerd processes serving 127.0.0.1:port. */
function workerdOn(port: number): string[] {
  const ps = execFileSync("ps", ["-eo", "stat=,args="], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  return ps
    .split("\n")
    .filter((l) => !l.trim().startsWith("Z")) // zombies wait for init to reap them; they hold nothing
    .filter((l) => l.includes("workerd") && l.includes(`127.0.0.1:${port}`));
}

describe("edgeplane up", () => {
  let h: Edgeplane;

  beforeAll(async () => {
    h = await startEdgeplane();
  });
  afterAll(async () => {
    await h?.stop();
  });

  it("reports its steps and how to use the kubeconfig", () => {
    const out = h.output();
    expect(out).toContain(`✓ state in ${h.stateDir}`);
    expect(out).toContain("✓ admin token created");
    expect(out).toMatch(new RegExp(`✓ control plane ready at ${h.url} \\(\\d+\\.\\ds\\)`));
    expect(out).toContain(`export KUBECONFIG=${h.kubeconfigPath}`);
    expect(out).toContain("kubectl get namespaces");
    expect(out).toContain("Press Ctrl-C to stop");
  });

  it("answers /readyz with the admin token", async () => {
    const res = await api(h, "GET", "/readyz");
    expect(res.status).toBe(200);
  });

  it("refuses requests without the admin token or with a wrong one", async () => {
    expect((await api(h, "GET", "/readyz", undefined, { authorization: "" })).status).toBe(401);
    expect((await api(h, "GET", "/readyz", undefined, { authorization: "Bearer wrong" })).status).toBe(401);
  });

  it("keeps the admin token in the state folder, mode 0600", () => {
    const path = join(h.stateDir, "admin-token");
    expect(readFileSync(path, "utf8").trim()).toBe(h.token);
    expect(h.token).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes, base64url
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("writes a kubeconfig with the server and the token, mode 0600", () => {
    expect(statSync(h.kubeconfigPath).mode & 0o777).toBe(0o600);
    const doc = parse(readFileSync(h.kubeconfigPath, "utf8"));
    expect(doc["current-context"]).toBe("edgeplane");
    expect(doc.clusters).toEqual([
      { name: "edgeplane", cluster: { server: h.url, "certificate-authority-data": Buffer.from(h.ca).toString("base64") } },
    ]);
    expect(h.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(h.ca).toContain("BEGIN CERTIFICATE");
    expect(doc.users).toEqual([{ name: "edgeplane-admin", user: { token: h.token } }]);
    expect(doc.contexts).toEqual([{ name: "edgeplane", context: { cluster: "edgeplane", user: "edgeplane-admin" } }]);

    const kc = kubeClient(h);
    expect(kc.getCurrentCluster()?.server).toBe(h.url);
    expect(kc.getCurrentUser()?.token).toBe(h.token);
  });

  it("writes a kubeconfig that a stock kubectl uses as it is (TLS with the local CA, bearer token)", () => {
    // kubectl sends bearer tokens only over HTTPS; this is what the local CA is for.
    const out = execFileSync("kubectl", ["get", "namespaces", "-o", "name"], { env: { ...process.env, KUBECONFIG: h.kubeconfigPath }, encoding: "utf8" });
    expect(out.trim().split("\n").sort()).toEqual(["namespace/default", "namespace/kube-node-lease", "namespace/kube-public", "namespace/kube-system"]);
  });

  it("serves the scheduled handler that it ticks every minute", async () => {
    const res = await api(h, "GET", "/cdn-cgi/handler/scheduled");
    expect(res.status).toBe(200);
  });

  it("declares the same minute Cron Trigger for wrangler deploy", () => {
    const toml = readFileSync(join(repoRoot, "wrangler.toml"), "utf8");
    const triggers = /^\[triggers\]\n(?:#.*\n)*crons = \[(.*)\]$/m.exec(toml);
    expect(triggers?.[1]).toBe('"* * * * *"');
  });

  it("fails clearly when the port is in use", async () => {
    const state = mkdtempSync(join(tmpdir(), "edgeplane-e2e-busy-"));
    try {
      const res = await runEdgeplane(["up", "--port", String(h.port), "--state", state, "--kubeconfig", join(state, "kc")]);
      expect(res.code).toBe(1);
      expect(res.stderr).toContain(`port ${h.port} is in use`);
      expect(res.stderr).toContain("--port");
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
    // The running control plane is untouched.
    expect((await api(h, "GET", "/readyz")).status).toBe(200);
  });

  it("refuses a second control plane on the same state folder", async () => {
    const res = await runEdgeplane(["up", "--port", String(await freePort()), "--state", h.stateDir, "--kubeconfig", join(h.stateDir, "kc2")]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`the state folder ${h.stateDir} is in use by another edgeplane up`);
    expect((await api(h, "GET", "/readyz")).status).toBe(200);
  });

  it("reuses the admin token when restarted on the same state folder", async () => {
    const before = h.token;
    await h.restart();
    expect(h.lastExit).toEqual({ code: 0, signal: null });
    expect(h.token).toBe(before);
    expect(h.output()).toContain("✓ admin token reused");
    expect((await api(h, "GET", "/readyz")).status).toBe(200);
    expect(parse(readFileSync(h.kubeconfigPath, "utf8")).users[0].user.token).toBe(before);
  });
});

describe("edgeplane up, stopping", () => {
  it("exits 0 on SIGTERM, frees the port and leaves no workerd behind", async () => {
    const h = await startEdgeplane();
    try {
      expect(await portInUse(h.port)).toBe(true);
      expect(workerdOn(h.port).length).toBeGreaterThan(0);
    } finally {
      await h.stop();
    }
    expect(h.lastExit).toEqual({ code: 0, signal: null });
    expect(h.output()).toContain("✓ stopped");
    expect(await portInUse(h.port)).toBe(false);
    expect(workerdOn(h.port)).toEqual([]);
  });

  it("restarts on a state folder given by the caller, with the same token", async () => {
    const state = mkdtempSync(join(tmpdir(), "edgeplane-e2e-state-"));
    try {
      const a = await startEdgeplane({ stateDir: state, vars: { WATCH_LOG_MIN_AGE_SECONDS: "0" } });
      const token = a.token;
      await a.stop();
      const b = await startEdgeplane({ stateDir: state });
      try {
        expect(b.token).toBe(token);
        expect((await api(b, "GET", "/readyz")).status).toBe(200);
      } finally {
        await b.stop();
      }
      expect(readFileSync(join(state, "admin-token"), "utf8").trim()).toBe(token); // stop() keeps a given state folder
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });
});

describe("edgeplane CLI", () => {
  it("lists the flags of up in --help", async () => {
    const res = await runEdgeplane(["up", "--help"]);
    expect(res.code).toBe(0);
    for (const flag of ["--port", "--state", "--kubeconfig", "--var", "--quiet", "--help"]) {
      expect(res.stdout).toContain(flag);
    }
    expect(res.stdout).toContain("8787");
  });

  it("lists the commands in help and prints the version", async () => {
    const help = await runEdgeplane(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^\s+up\s/m);
    expect(help.stdout).toMatch(/^\s+help\s/m);
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    const version = await runEdgeplane(["--version"]);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(`edgeplane ${pkg.version}`);
  });

  it("rejects unknown commands and flags with exit code 2 and a hint", async () => {
    const cmd = await runEdgeplane(["upp"]);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toContain("unknown command 'upp'");
    expect(cmd.stderr).toContain("did you mean 'up'");

    const flag = await runEdgeplane(["up", "--prot", "9000"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown flag --prot");
    expect(flag.stderr).toContain("--port");

    const port = await runEdgeplane(["up", "--port", "http"]);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain("--port needs a number");

    const v = await runEdgeplane(["up", "--var", "NOEQUALS"]);
    expect(v.code).toBe(2);
    expect(v.stderr).toContain("KEY=VALUE");
  });

  it("works from any working directory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "edgeplane-e2e-cwd-"));
    try {
      const res = await runEdgeplane(["help", "up"], { cwd: dir });
      expect(res.code).toBe(0);
      expect(res.stdout).toContain("Usage: edgeplane up");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// A port held by another program: edgeplane up must refuse it before starting wrangler.
describe("edgeplane up on a port held by another program", () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    port = await freePort();
    server = createServer();
    await new Promise<void>((r) => server.listen(port, "127.0.0.1", () => r()));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("exits non-zero with an error that names the port and the flag", async () => {
    const state = mkdtempSync(join(tmpdir(), "edgeplane-e2e-busy-"));
    try {
      const res = await runEdgeplane(["up", "--port", String(port), "--state", state, "--kubeconfig", join(state, "kc")]);
      expect(res.code).not.toBe(0);
      expect(res.stderr).toMatch(new RegExp(`port ${port} is in use.*\\n.*--port`));
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  });
});
