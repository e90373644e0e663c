// Static pods without a control plane: the transport points at a port nobody listens on, and
// the static pods are still there to run, appear and go with their files, while the mirror
// pods wait quietly (the end-to-end test covers them against a real control plane).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ApiClient } from "../../client/api-client.js";
import { Transport } from "../../client/transport.js";
import { StaticPods } from "./static-pods.js";

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** A port that refuses connections: bound a moment ago, then closed. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

const pod = (name: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n  - name: c\n    image: busybox:1.36\n`;

describe("StaticPods while the control plane is unreachable", () => {
  it("knows its static pods, follows their files, and keeps quiet about the mirrors it cannot make", async () => {
    const dir = mkdtempSync(join(tmpdir(), "edgeplane-static-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, "web.yaml"), pod("web"));
    const lines: string[] = [];
    const log = { info: (l: string) => lines.push(l), error: (l: string) => lines.push(l) };
    const transport = new Transport({ server: `http://127.0.0.1:${await closedPort()}`, log: { info: () => {}, error: () => {} } });
    cleanup.push(() => transport.close());
    const client = new ApiClient(transport, { token: () => "t", unauthorized: () => {} });
    const changed: string[] = [];
    const sp = new StaticPods({ dir, nodeName: "n1", client, log, nodeUid: () => "node-uid", onChange: (k) => changed.push(k), rescanMs: 50 });
    cleanup.push(() => sp.stop());

    const started = Date.now();
    await sp.start();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(sp.keys()).toEqual(["default/web-n1"]);
    expect(changed).toEqual(["default/web-n1"]);
    const web = sp.get("default/web-n1")!;
    expect(web.metadata.annotations?.["kubernetes.io/config.hash"]).toBe(web.metadata.uid);
    expect(sp.get("default/other-n1")).toBeUndefined();

    // The kubelet's status is kept on the static pod it hands out, even with no mirror pod to write it to.
    await sp.reportStatus("default/web-n1", { phase: "Running", podIP: "10.0.0.5" });
    expect(sp.get("default/web-n1")?.status).toEqual({ phase: "Running", podIP: "10.0.0.5" });

    writeFileSync(join(dir, "db.yaml"), pod("db"));
    rmSync(join(dir, "web.yaml"));
    const deadline = Date.now() + 5000;
    while (sp.keys().join() !== "default/db-n1" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(sp.keys()).toEqual(["default/db-n1"]);
    expect(changed).toEqual(["default/web-n1", "default/db-n1", "default/web-n1"]);
    expect(sp.get("default/web-n1")).toBeUndefined();

    // The mirror pods keep being retried (connection refused) without a word: Connectivity reports the outage once.
    await new Promise((r) => setTimeout(r, 300));
    expect(lines).toEqual([]);
    const stopping = Date.now();
    await sp.stop();
    expect(Date.now() - stopping).toBeLessThan(2000);
  });

  it("retries a failing mirror pod with backoff, not on every rescan", async () => {
    const dir = mkdtempSync(join(tmpdir(), "edgeplane-static-"));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, "web.yaml"), pod("web"));
    // A control plane that cannot answer (503) every request.
    const requests: string[] = [];
    const srv = createHttpServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(503, { "content-type": "application/json" }).end(JSON.stringify({ kind: "Status", status: "Failure", reason: "ServiceUnavailable", code: 503, message: "busy" }));
    });
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    cleanup.push(() => new Promise<void>((r) => srv.close(() => r())));
    const transport = new Transport({ server: `http://127.0.0.1:${(srv.address() as { port: number }).port}`, log: { info: () => {}, error: () => {} } });
    cleanup.push(() => transport.close());
    const client = new ApiClient(transport, { token: () => "t", unauthorized: () => {} });
    const sp = new StaticPods({ dir, nodeName: "n1", client, log: { info: () => {}, error: () => {} }, nodeUid: () => "node-uid", onChange: () => {}, rescanMs: 50 });
    cleanup.push(() => sp.stop());
    await sp.start();
    await new Promise((r) => setTimeout(r, 1200));
    // The first attempt at start, one retry after about a second: not one per 50 ms rescan.
    expect(requests.length).toBeGreaterThanOrEqual(1);
    expect(requests.length).toBeLessThanOrEqual(3);
    expect(requests[0]).toBe("GET /api/v1/namespaces/default/pods/web-n1");
  });

  it("tells mirror pods from other pods by their annotation", () => {
    const sp = new StaticPods({ dir: "/nonexistent", nodeName: "n1", client: {} as ApiClient, log: { info: () => {}, error: () => {} }, nodeUid: () => "", onChange: () => {} });
    expect(sp.isMirror({ metadata: { name: "a", annotations: { "kubernetes.io/config.mirror": "h" } } } as never)).toBe(true);
    expect(sp.isMirror({ metadata: { name: "a", annotations: { "kubernetes.io/config.hash": "h" } } } as never)).toBe(false);
    expect(sp.isMirror({ metadata: { name: "a" } } as never)).toBe(false);
  });
});
