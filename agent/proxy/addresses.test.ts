// ClusterIPs on lo with the real `ip` command when running as root (as these machines run tests),
// with 10.254.77.0/24 test addresses added and removed again.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { HostAddresses, hostIPv4Addresses, runIpBatch } from "./addresses.js";
import { collectingLogger } from "./test-servers.js";

const TEST_IPS = ["10.254.77.1", "10.254.77.2", "10.254.77.3"];

function ipWorks(): string | undefined {
  if (process.getuid?.() !== 0) return "not running as root";
  try {
    execFileSync("ip", ["-o", "-4", "addr", "show", "dev", "lo"], { stdio: "ignore" });
  } catch (err) {
    return `ip does not run: ${(err as Error).message}`;
  }
  return undefined;
}
const skipReason = ipWorks();
if (skipReason) console.log(`addresses.test: the ip tests are skipped: ${skipReason}`);

const removeTestIPs = () => runIpBatch("ip", TEST_IPS.map((ip) => `addr del ${ip}/32 dev lo`));

describe("HostAddresses without root", () => {
  it("says once that ClusterIPs are unavailable, and reports loopback and existing addresses as local", async () => {
    const { log, error } = collectingLogger();
    let spawned = false;
    const addrs = new HostAddresses({ log, isRoot: () => false, ipCommand: "/nonexistent/ip", localAddresses: () => ((spawned = true), new Set(["192.168.9.9"])) });
    expect(await addrs.sync(["10.96.0.1", "127.0.0.9", "192.168.9.9"])).toEqual(new Set(["127.0.0.9", "192.168.9.9"]));
    expect(await addrs.sync(["10.96.0.1", "10.96.0.2"])).toEqual(new Set());
    expect(spawned).toBe(true);
    expect(error).toEqual([expect.stringContaining("not running as root")]);
    await addrs.stop();
  });

  it("gives up with one line when ip fails for every address", async () => {
    const { log, error } = collectingLogger();
    const addrs = new HostAddresses({ log, isRoot: () => true, ipCommand: "/nonexistent/ip", localAddresses: () => new Set() });
    expect(await addrs.sync(["10.96.0.1", "10.96.0.2"])).toEqual(new Set());
    expect(await addrs.sync(["10.96.0.3"])).toEqual(new Set());
    expect(error).toEqual([expect.stringMatching(/cannot add ClusterIPs to lo \(.*ENOENT.*\): ClusterIPs are unreachable on this node, NodePorts still work/)]);
    expect(addrs.owned).toEqual([]);
  });
});

describe.skipIf(skipReason !== undefined)("HostAddresses with ip, as root", () => {
  afterAll(async () => {
    await removeTestIPs();
  });

  it("adds ClusterIPs to lo, where a listener binds them, and removes what it added", async () => {
    await removeTestIPs();
    const { log, error } = collectingLogger();
    const addrs = new HostAddresses({ log });
    expect(await addrs.sync([TEST_IPS[0], TEST_IPS[1]])).toEqual(new Set([TEST_IPS[0], TEST_IPS[1]]));
    expect(addrs.owned.sort()).toEqual([TEST_IPS[0], TEST_IPS[1]]);
    expect(hostIPv4Addresses().has(TEST_IPS[0])).toBe(true);

    const server = createServer((s) => s.end("hi"));
    await new Promise<void>((resolve) => server.listen(0, TEST_IPS[0], resolve));
    await new Promise((resolve) => server.close(resolve));

    // One no longer wanted is removed; the rest stay.
    expect(await addrs.sync([TEST_IPS[1]])).toEqual(new Set([TEST_IPS[1]]));
    expect(hostIPv4Addresses().has(TEST_IPS[0])).toBe(false);
    await addrs.stop();
    expect(hostIPv4Addresses().has(TEST_IPS[1])).toBe(false);
    expect(error).toEqual([]);
  });

  it("leaves an address that was there before (File exists: another agent's) on stop", async () => {
    await removeTestIPs();
    execFileSync("ip", ["addr", "add", `${TEST_IPS[2]}/32`, "dev", "lo"]);
    const { log, error } = collectingLogger();
    // The first look does not see it, as when another agent adds it between the look and the add.
    let first = true;
    const localAddresses = () => (first ? ((first = false), new Set<string>()) : hostIPv4Addresses());
    const addrs = new HostAddresses({ log, localAddresses });
    expect(await addrs.sync([TEST_IPS[2], TEST_IPS[0]])).toEqual(new Set([TEST_IPS[2], TEST_IPS[0]]));
    expect(addrs.owned).toEqual([TEST_IPS[0]]);
    await addrs.stop();
    expect(hostIPv4Addresses().has(TEST_IPS[2])).toBe(true);
    expect(hostIPv4Addresses().has(TEST_IPS[0])).toBe(false);
    expect(error).toEqual([]);
  });
});

describe.skipIf(skipReason !== undefined)("HostAddresses after a crash, as root", () => {
  afterAll(async () => {
    await removeTestIPs();
  });

  it("takes back the addresses a crashed predecessor added (from its state file) and removes them", async () => {
    await removeTestIPs();
    const stateFile = join(mkdtempSync(join(tmpdir(), "edgeplane-addresses-")), "proxy", "addresses.json");
    const { log } = collectingLogger();
    const first = new HostAddresses({ log, stateFile });
    await first.sync([TEST_IPS[0], TEST_IPS[1]]);
    expect(JSON.parse(readFileSync(stateFile, "utf8"))).toEqual([TEST_IPS[0], TEST_IPS[1]]);
    // `first` "crashes": no stop(). Its successor owns both and drops the one no longer wanted.
    const next = new HostAddresses({ log, stateFile });
    expect(next.owned.sort()).toEqual([TEST_IPS[0], TEST_IPS[1]]);
    await next.sync([TEST_IPS[1]]);
    expect(hostIPv4Addresses().has(TEST_IPS[0])).toBe(false);
    await next.stop();
    expect(hostIPv4Addresses().has(TEST_IPS[1])).toBe(false);
    expect(JSON.parse(readFileSync(stateFile, "utf8"))).toEqual([]);
    // Without the state file an address already there is someone else's and stays.
    await runIpBatch("ip", [`addr add ${TEST_IPS[2]}/32 dev lo`]);
    const stranger = new HostAddresses({ log });
    expect(stranger.owned).toEqual([]);
    await stranger.stop();
    expect(hostIPv4Addresses().has(TEST_IPS[2])).toBe(true);
  });
});
