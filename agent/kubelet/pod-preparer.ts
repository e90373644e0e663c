// What a pod needs before its containers start, for runtimes that run real processes: its
// volumes (emptyDir, hostPath, configMap, secret, downwardAPI, projected with the service
// account token; refreshed on every sync) and, per container, the environment, the mounts and
// the command with $(VAR) expanded. The simulated runtime gets literal env values only.
import { randomBytes } from "node:crypto";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { Pod } from "../../src/apis/core/v1/pod.js";
import type { ApiClient } from "../client/api-client.js";
import type { Logger } from "../log.js";
import type { Mount } from "../runtimes/runtime.js";
import { resolveContainerEnv, expandCommand } from "./env/container-env.js";
import { podResolvConf } from "../dns/resolv-conf.js";
import type { Service } from "../../src/apis/core/v1/service.js";
import type { EventRecorder } from "./events.js";
import { apiObjectSource, type ObjectSource } from "./volumes/object-source.js";
import { VolumeManager } from "./volumes/volume-manager.js";

type Container = NonNullable<Pod["spec"]["containers"]>[number];

export interface ContainerPreparation {
  env: Array<{ name: string; value: string }>;
  mounts: Mount[];
  command?: string[];
  args?: string[];
}

export interface PodPreparer {
  /** Volumes and anything pod-wide, before containers start; idempotent; called on every sync. */
  setUpPod(pod: Pod, podIP: string | undefined): Promise<void>;
  /** Env, mounts and expanded command/args of one container. */
  containerConfig(pod: Pod, container: Container, podIP: string | undefined): Promise<ContainerPreparation>;
  tearDownPod(podUid: string): Promise<void>;
  /** Pod uids that still have files here (for the clean-up after an agent restart). */
  podUids(): Promise<string[]>;
}

/** Literal `value` env only, no volumes: the simulated runtime runs nothing that could read them. */
export const literalPreparer: PodPreparer = {
  async setUpPod() {},
  async containerConfig(_pod, c) {
    return { env: (c.env ?? []).filter((e) => e.value !== undefined).map((e) => ({ name: e.name, value: e.value as string })), mounts: [], command: c.command, args: c.args };
  },
  async tearDownPod() {},
  async podUids() {
    return [];
  },
};

/** upstream's managedHostsFileContent: localhost lines, the pod's own name, then its hostAliases. */
export function managedHosts(pod: Pod, podIP: string, clusterDomain = "cluster.local"): string {
  const hostname = pod.spec.hostname || pod.metadata.name || "";
  const lines = [
    "# Kubernetes-managed hosts file.",
    "127.0.0.1\tlocalhost",
    "::1\tlocalhost ip6-localhost ip6-loopback",
    "fe00::0\tip6-localnet",
    "fe00::0\tip6-mcastprefix",
    "fe00::1\tip6-allnodes",
    "fe00::2\tip6-allrouters",
    pod.spec.subdomain ? `${podIP}\t${hostname}.${pod.spec.subdomain}.${pod.metadata.namespace}.svc.${clusterDomain}\t${hostname}` : `${podIP}\t${hostname}`,
  ];
  const aliases = (pod.spec.hostAliases ?? []).map((a) => `${a.ip}\t${((a.hostnames ?? []) as unknown[]).map(String).join("\t")}`);
  if (aliases.length) lines.push("", "# Entries added by HostAliases.", ...aliases);
  return `${lines.join("\n")}\n`;
}

export interface VolumePreparerOptions {
  rootDir: string;
  client: ApiClient;
  nodeName: string;
  hostIP: () => string;
  /** The control plane as in-cluster clients reach it (KUBERNETES_SERVICE_HOST/PORT). */
  apiServer?: { host: string; port: number };
  nodeAllocatable?: () => Record<string, string>;
  events: EventRecorder;
  log: Logger;
  /** Mount host files at each container's terminationMessagePath and /etc/hosts (runtimes with their own filesystem; not host processes). */
  terminationLogs?: boolean;
  /** For tests: what ConfigMaps, Secrets and tokens are read from (default: the API). */
  source?: ObjectSource;
  /** A namespace's Services (their env vars), when the agent watches Services. */
  services?: (namespace: string) => Service[];
  /** Pods' /etc/resolv.conf (runtimes with their own filesystem): the cluster DNS and domain, the node's resolv.conf. */
  dns?: { clusterDNS(): string[]; clusterDomain: string; hostResolvConf: string };
}

export class VolumePreparer implements PodPreparer {
  private readonly volumes: VolumeManager;
  private readonly source: ObjectSource;

  constructor(private readonly o: VolumePreparerOptions) {
    this.source = o.source ?? apiObjectSource(o.client);
    this.volumes = new VolumeManager({ rootDir: o.rootDir, source: this.source, nodeName: o.nodeName, hostIP: o.hostIP, log: o.log, nodeAllocatable: o.nodeAllocatable });
  }

  setUpPod(pod: Pod, podIP: string | undefined): Promise<void> {
    return this.volumes.setUpPod(pod, podIP);
  }

  async containerConfig(pod: Pod, container: Container, podIP: string | undefined): Promise<ContainerPreparation> {
    const { env, warnings } = await resolveContainerEnv(pod, container, {
      nodeName: this.o.nodeName,
      hostIP: this.o.hostIP(),
      podIP: podIP ?? "",
      source: this.source,
      apiServer: this.o.apiServer,
      services: this.o.services,
      nodeAllocatable: this.o.nodeAllocatable?.(),
    });
    const { namespace = "", name = "", uid = "" } = pod.metadata;
    for (const w of warnings) this.o.events.event({ namespace, name, uid }, "Warning", w.reason, w.message);
    const mounts = this.volumes.mountsFor(pod, container, env);
    const messagePath = container.terminationMessagePath ?? "/dev/termination-log";
    if (this.o.terminationLogs && !mounts.some((m) => m.containerPath === messagePath)) mounts.push(await this.terminationLog(uid, container.name, messagePath));
    // The kubelet manages /etc/hosts (the pod's address and hostAliases), unless the pod uses the host's network or mounts its own.
    if (this.o.terminationLogs && !pod.spec.hostNetwork && podIP && !mounts.some((m) => m.containerPath === "/etc/hosts")) mounts.push(await this.hostsFile(pod, podIP));
    // And /etc/resolv.conf, from the pod's dnsPolicy and dnsConfig (the cluster DNS for ClusterFirst).
    if (this.o.terminationLogs && this.o.dns && !mounts.some((m) => m.containerPath === "/etc/resolv.conf")) mounts.push(await this.resolvConf(pod, this.o.dns));
    return { env, mounts, ...expandCommand(container, env) };
  }

  private async resolvConf(pod: Pod, dns: NonNullable<VolumePreparerOptions["dns"]>): Promise<Mount> {
    const { text, warnings } = podResolvConf(pod, { clusterDNS: dns.clusterDNS(), clusterDomain: dns.clusterDomain, hostResolvConf: dns.hostResolvConf });
    const { namespace = "", name = "", uid = "" } = pod.metadata;
    for (const w of warnings) this.o.events.event({ namespace, name, uid }, "Warning", w.reason, w.message);
    const hostPath = join(this.volumes.podDir(uid), "resolv.conf");
    await mkdir(dirname(hostPath), { recursive: true });
    await writeFile(hostPath, text);
    return { hostPath, containerPath: "/etc/resolv.conf", readOnly: false };
  }

  private async hostsFile(pod: Pod, podIP: string): Promise<Mount> {
    const hostPath = join(this.volumes.podDir(pod.metadata.uid ?? ""), "etc-hosts");
    await mkdir(dirname(hostPath), { recursive: true });
    await writeFile(hostPath, managedHosts(pod, podIP, this.o.dns?.clusterDomain));
    return { hostPath, containerPath: "/etc/hosts", readOnly: false };
  }

  /** A fresh host file for this container instance, mounted at terminationMessagePath (as upstream's kubelet does), so its message is read on the host after it exits. */
  private async terminationLog(podUid: string, container: string, containerPath: string): Promise<Mount> {
    const dir = join(this.volumes.podDir(podUid), "containers", container);
    await mkdir(dir, { recursive: true });
    const hostPath = join(dir, randomBytes(4).toString("hex"));
    await writeFile(hostPath, "", { mode: 0o666 });
    await chmod(hostPath, 0o666); // whatever the umask: a container running as another user writes it too
    return { hostPath, containerPath, readOnly: false };
  }

  tearDownPod(podUid: string): Promise<void> {
    return this.volumes.tearDownPod(podUid);
  }

  podUids(): Promise<string[]> {
    return this.volumes.podUids();
  }
}
