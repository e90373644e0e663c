// The /etc/hosts the kubelet writes for a pod (upstream's managedHostsFileContent).
import { describe, expect, it } from "vitest";
import type { Pod } from "../../src/apis/core/v1/pod.js";
import { managedHosts } from "./pod-preparer.js";

const pod = (spec: Record<string, unknown>): Pod => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "web-0", namespace: "shop" }, spec: { containers: [], ...spec } }) as unknown as Pod;

describe("managedHosts", () => {
  it("names the pod at its address after the localhost lines", () => {
    expect(managedHosts(pod({}), "10.244.1.7")).toBe(
      "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n10.244.1.7\tweb-0\n",
    );
  });

  it("uses hostname and subdomain as a fully qualified name, and appends hostAliases one line per IP", () => {
    const text = managedHosts(pod({ hostname: "db", subdomain: "backend", hostAliases: [{ ip: "123.45.67.89", hostnames: ["foo", "bar"] }, { ip: "10.1.2.3", hostnames: ["baz"] }] }), "10.244.1.8");
    expect(text).toContain("10.244.1.8\tdb.backend.shop.svc.cluster.local\tdb\n");
    expect(text.endsWith("\n# Entries added by HostAliases.\n123.45.67.89\tfoo\tbar\n10.1.2.3\tbaz\n")).toBe(true);
  });
});
