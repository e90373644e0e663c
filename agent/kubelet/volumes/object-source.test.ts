import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../../client/api-client.js";
import { ApiError } from "../../client/errors.js";
import { Transport } from "../../client/transport.js";
import { silentLogger } from "../../log.js";
import { apiObjectSource } from "./object-source.js";

// A stand-in API server on a real socket: it answers as the API does for the requests a node makes.
const seen: Array<{ method: string; url: string; auth?: string; body?: unknown }> = [];
let server: Server;
let client: ApiClient;

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = "";
    req.on("data", (c) => (s += c));
    req.on("end", () => resolve(s));
  });
}

const status = (code: number, reason: string, message: string) => JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", code, reason, message });

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const text = await body(req);
    seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body: text ? JSON.parse(text) : undefined });
    res.setHeader("content-type", "application/json");
    if (req.url === "/api/v1/namespaces/shop/configmaps/app") return res.end(JSON.stringify({ kind: "ConfigMap", data: { color: "blue" }, binaryData: { b: "AQI=" } }));
    if (req.url === "/api/v1/namespaces/shop/secrets/db%2Fx") return res.end(JSON.stringify({ kind: "Secret", data: { password: "czNjcmV0" } }));
    if (req.url === "/api/v1/namespaces/shop/configmaps/forbidden") {
      res.statusCode = 403;
      return res.end(status(403, "Forbidden", `configmaps "forbidden" is forbidden: User "system:node:node-a" cannot get resource "configmaps"`));
    }
    if (req.method === "POST" && req.url === "/api/v1/namespaces/shop/serviceaccounts/builder/token") {
      res.statusCode = 201;
      return res.end(JSON.stringify({ kind: "TokenRequest", status: { token: "jwt", expirationTimestamp: "2026-11-26T08:00:07Z" } }));
    }
    res.statusCode = 404;
    res.end(status(404, "NotFound", "not found"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const transport = new Transport({ server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, log: silentLogger });
  client = new ApiClient(transport, { token: () => "node-token", unauthorized: () => {} });
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("apiObjectSource", () => {
  it("reads ConfigMaps and Secrets with the node's credentials, undefined when not found", async () => {
    const src = apiObjectSource(client);
    expect(await src.configMap("shop", "app")).toMatchObject({ data: { color: "blue" }, binaryData: { b: "AQI=" } });
    expect(await src.secret("shop", "db/x")).toMatchObject({ data: { password: "czNjcmV0" } });
    expect(await src.configMap("shop", "missing")).toBeUndefined();
    expect(await src.secret("shop", "missing")).toBeUndefined();
    expect(seen.at(-1)).toMatchObject({ method: "GET", url: "/api/v1/namespaces/shop/secrets/missing", auth: "Bearer node-token" });
  });

  it("passes on other errors", async () => {
    const err = await apiObjectSource(client)
      .configMap("shop", "forbidden")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(403);
  });

  it("asks for a token bound to the pod", async () => {
    const src = apiObjectSource(client);
    expect(await src.serviceAccountToken("shop", "builder", { expirationSeconds: 3607, podName: "web-1", podUid: "uid-1" })).toEqual({ token: "jwt", expirationTimestamp: "2026-11-26T08:00:07Z" });
    expect(seen.at(-1)).toEqual({
      method: "POST",
      url: "/api/v1/namespaces/shop/serviceaccounts/builder/token",
      auth: "Bearer node-token",
      body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds: 3607, boundObjectRef: { apiVersion: "v1", kind: "Pod", name: "web-1", uid: "uid-1" } } },
    });
    await src.serviceAccountToken("shop", "builder", { audience: "vault", expirationSeconds: 600, podName: "web-1", podUid: "uid-1" });
    expect((seen.at(-1)!.body as { spec: { audiences: string[] } }).spec.audiences).toEqual(["vault"]);
    await expect(src.serviceAccountToken("shop", "nobody", { expirationSeconds: 600, podName: "web-1", podUid: "uid-1" })).rejects.toBeInstanceOf(ApiError);
  });
});
