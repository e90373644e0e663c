// When credentials are renewed, and what a person reads when joining fails.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { ApiError, ConnectionError, TlsError } from "../client/errors.js";
import { Transport } from "../client/transport.js";
import { silentLogger } from "../log.js";
import { JoinError, NODE_CREDENTIALS_PATH, NodeCredentials, joinError, rotationDelayMs } from "./node-credentials.js";

describe("rotationDelayMs", () => {
  it("renews at 75–85% of the lifetime, around 80%", () => {
    const day = 24 * 3600 * 1000;
    expect(rotationDelayMs(0, day, () => 0)).toBe(0.75 * day);
    expect(rotationDelayMs(0, day, () => 0.5)).toBe(0.8 * day);
    expect(rotationDelayMs(1000, 1000 + day, () => 1)).toBe(Math.round(0.85 * day));
    expect(rotationDelayMs(5000, 1000)).toBe(0);
  });
});

describe("joinError", () => {
  const server = "https://127.0.0.1:8787";

  it("tells how to get a token when the bootstrap token is refused", () => {
    const e = joinError(new ApiError(401, "Unauthorized", "Unauthorized"), server, "n1");
    expect(e.message).toBe("the bootstrap token was refused (401): create one with `edgeplane token create`");
    expect(e.hint).toMatch(/edgeplane token list/);
  });

  it("says what to check when the server cannot be reached or its certificate is not trusted", () => {
    const down = joinError(new ConnectionError(server, "ECONNREFUSED", `cannot reach the control plane at ${server} (connect ECONNREFUSED)`), server, "n1");
    expect(down.message).toBe(`cannot reach the control plane at ${server} (connect ECONNREFUSED)`);
    expect(down.hint).toMatch(/check --server/);
    const tls = joinError(new TlsError(server, "SELF_SIGNED_CERT_IN_CHAIN", `cannot verify the TLS certificate of ${server} (self-signed certificate in certificate chain)`), server, "n1");
    expect(tls.hint).toMatch(/--certificate-authority .*--insecure-skip-tls-verify/);
  });

  it("explains a forbidden token, a server that is not edgeplane, and a refused name", () => {
    expect(joinError(new ApiError(403, "Forbidden", "no"), server, "n1").message).toBe("the bootstrap token may not request node credentials (403): no");
    expect(joinError(new ApiError(404, "NotFound", "x"), server, "n1").message).toBe(`${server} does not serve node credentials (404)`);
    expect(joinError(new ApiError(422, "Invalid", "bad name"), server, "N1").message).toBe('the control plane refused node name "N1": bad name');
    expect(joinError(new ApiError(500, "InternalError", "oops"), server, "n1").message).toBe(`cannot get node credentials from ${server}: 500 InternalError: oops`);
  });
});

describe("NodeCredentials over HTTP", () => {
  // A stand-in for the one endpoint: the real control plane never issues credentials shorter than
  // ten minutes, too long to watch a rotation in a test.
  async function issuer(lifetimeMs: number, refuse: (auth: string) => boolean = () => false) {
    const seen: Array<{ auth: string; body: any; at: number }> = [];
    let n = 0;
    const server = createServer((req, res) => {
      let text = "";
      req.on("data", (c) => (text += c));
      req.on("end", () => {
        const auth = String(req.headers.authorization ?? "");
        seen.push({ auth, body: JSON.parse(text), at: Date.now() });
        if (req.url !== NODE_CREDENTIALS_PATH || req.method !== "POST" || refuse(auth)) {
          res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ kind: "Status", code: 401, reason: "Unauthorized", message: "Unauthorized" }));
          return;
        }
        const status = { token: `node-token-${++n}`, expirationTimestamp: new Date(Date.now() + lifetimeMs).toISOString() };
        res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify({ kind: "NodeCredentialRequest", status }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    const transport = new Transport({ server: `http://127.0.0.1:${port}`, log: silentLogger });
    return { seen, transport, close: () => new Promise<void>((r) => server.close(() => r())) };
  }

  it("joins with the bootstrap token, then renews with its own credentials at about 80% of their life", async () => {
    const s = await issuer(4000);
    const creds = new NodeCredentials(s.transport, "n1", "abcdef.0123456789abcdef", silentLogger, 600);
    try {
      await creds.join();
      expect(creds.token()).toBe("node-token-1");
      expect(s.seen[0]).toMatchObject({ auth: "Bearer abcdef.0123456789abcdef", body: { apiVersion: "authentication.edgeplane.dev/v1", kind: "NodeCredentialRequest", spec: { nodeName: "n1", expirationSeconds: 600 } } });
      await until(() => creds.token() === "node-token-2", 5000);
      expect(s.seen[1].auth).toBe("Bearer node-token-1");
      const after = s.seen[1].at - s.seen[0].at;
      expect(after).toBeGreaterThanOrEqual(2900); // 75–85% of 4 s, before they expire
      expect(after).toBeLessThan(3900);
    } finally {
      creds.stop();
      s.transport.close();
      await s.close();
    }
  });

  it("falls back to the bootstrap token when its credentials are refused", async () => {
    const s = await issuer(60_000, (auth) => auth === "Bearer node-token-1");
    const creds = new NodeCredentials(s.transport, "n1", "abcdef.0123456789abcdef", silentLogger);
    try {
      await creds.join();
      creds.unauthorized();
      await until(() => creds.token() === "node-token-2", 3000);
      expect(s.seen.map((x) => x.auth)).toEqual(["Bearer abcdef.0123456789abcdef", "Bearer node-token-1", "Bearer abcdef.0123456789abcdef"]);
    } finally {
      creds.stop();
      s.transport.close();
      await s.close();
    }
  });

  it("fails to join with a JoinError a person can act on", async () => {
    const s = await issuer(60_000, () => true);
    const creds = new NodeCredentials(s.transport, "n1", "abcdef.0123456789abcdef", silentLogger);
    try {
      const err = await creds.join().catch((e) => e);
      expect(err).toBeInstanceOf(JoinError);
      expect(err.message).toBe("the bootstrap token was refused (401): create one with `edgeplane token create`");
      expect(() => creds.token()).toThrow(/has not joined yet/);
    } finally {
      s.transport.close();
      await s.close();
    }
  });
});

async function until(check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
