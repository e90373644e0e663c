// Pod Security Admission by namespace label: enforce refuses pods with upstream's message, warn
// answers with Warning headers (pods and workload templates), invalid labels are refused, and a
// ReplicaSet's own pod creates are held to the namespace's level.
import { describe, expect, it } from "vitest";
import { del, deployment, eventually, get, newNs, patch, pod, post } from "./helpers.js";

const label = (ns: string, labels: Record<string, string>) => patch(`/api/v1/namespaces/${ns}`, "merge", { metadata: { labels } });
const warnings = (h: Headers) => (h.get("warning") ?? "").split(/,\s*(?=299 )/).filter(Boolean);

const RESTRICTED_C =
  'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), ' +
  'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), ' +
  'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), ' +
  'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';

const restrictedPod = (name: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name },
  spec: {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    containers: [{ name: "c", image: "nginx", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } }],
  },
});

describe("PodSecurity enforce", () => {
  it("refuses a pod that violates the namespace's level, with upstream's message", async () => {
    const ns = await newNs("psa");
    expect((await label(ns, { "pod-security.kubernetes.io/enforce": "restricted" })).status).toBe(200);
    const r = await post(`/api/v1/namespaces/${ns}/pods`, pod("x"));
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ kind: "Status", reason: "Forbidden", code: 403, message: `pods "x" is forbidden: violates PodSecurity "restricted:latest": ${RESTRICTED_C}` });
    expect((await post(`/api/v1/namespaces/${ns}/pods`, restrictedPod("ok"))).status).toBe(201);
  });

  it("holds baseline, by version, and leaves unlabelled namespaces alone", async () => {
    const ns = await newNs("psa");
    await label(ns, { "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/enforce-version": "v1.30" });
    const priv = pod("priv");
    (priv.spec as Record<string, unknown>).hostNetwork = true;
    (priv.spec.containers[0] as Record<string, unknown>).securityContext = { privileged: true };
    const r = await post(`/api/v1/namespaces/${ns}/pods`, priv);
    expect(r.body.message).toBe('pods "priv" is forbidden: violates PodSecurity "baseline:v1.30": host namespaces (hostNetwork=true), privileged (container "c" must not set securityContext.privileged=true)');
    expect((await post(`/api/v1/namespaces/${ns}/pods`, pod("plain"))).status).toBe(201);
    const open = await newNs("psa");
    expect((await post(`/api/v1/namespaces/${open}/pods`, priv)).status).toBe(201);
  });

  it("checks an update that changes an image", async () => {
    const ns = await newNs("psa");
    expect((await post(`/api/v1/namespaces/${ns}/pods`, pod("p"))).status).toBe(201);
    await label(ns, { "pod-security.kubernetes.io/enforce": "restricted" });
    const relabel = await patch(`/api/v1/namespaces/${ns}/pods/p`, "merge", { metadata: { labels: { a: "b" } } });
    expect(relabel.status).toBe(200);
    const image = await patch(`/api/v1/namespaces/${ns}/pods/p`, "strategic", { spec: { containers: [{ name: "c", image: "nginx:1.28" }] } });
    expect(image.status).toBe(403);
    expect(image.body.message).toBe(`pods "p" is forbidden: violates PodSecurity "restricted:latest": ${RESTRICTED_C}`);
  });

  it("holds the pods a ReplicaSet creates to the level (FailedCreate)", async () => {
    const ns = await newNs("psa");
    await label(ns, { "pod-security.kubernetes.io/enforce": "restricted" });
    const d = await post(`/apis/apps/v1/namespaces/${ns}/deployments`, deployment("web", 1));
    expect(d.status).toBe(201);
    expect(warnings(d.headers)).toEqual([]);
    const ev = await eventually(ns, async () => {
      const events = (await get(`/api/v1/namespaces/${ns}/events`)).body.items as Array<{ reason: string; message: string }>;
      return events.find((e) => e.reason === "FailedCreate");
    });
    expect(ev.message).toMatch(/^Error creating: pods "web-[a-z0-9]+-[a-z0-9]{5}" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false/);
    expect((await get(`/api/v1/namespaces/${ns}/pods`)).body.items).toEqual([]);
    await del(`/apis/apps/v1/namespaces/${ns}/deployments/web`, { propagationPolicy: "Foreground" });
  });
});

describe("PodSecurity warn", () => {
  it("answers with a Warning header for pods and workload templates", async () => {
    const ns = await newNs("psa");
    await label(ns, { "pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/audit": "baseline" });
    const r = await post(`/api/v1/namespaces/${ns}/pods`, pod("x"));
    expect(r.status).toBe(201);
    expect(warnings(r.headers)).toEqual([`299 - "would violate PodSecurity \\"restricted:latest\\": ${RESTRICTED_C.replace(/"/g, '\\"')}"`]);
    const d = await post(`/apis/apps/v1/namespaces/${ns}/deployments`, deployment("web", 0));
    expect(d.status).toBe(201);
    expect(warnings(d.headers)).toHaveLength(1);
    expect(warnings(d.headers)[0]).toContain('would violate PodSecurity \\"restricted:latest\\": allowPrivilegeEscalation != false');
    expect(warnings((await post(`/api/v1/namespaces/${ns}/pods`, restrictedPod("ok"))).headers)).toEqual([]);
  });
});

describe("namespace labels", () => {
  it("must be valid levels and versions", async () => {
    const name = `psa-bad-${Date.now().toString(36)}`;
    const r = await post("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { "pod-security.kubernetes.io/enforce": "strict" } } });
    expect(r.status).toBe(422);
    expect(r.body.message).toBe(`Namespace "${name}" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted`);
    const ns = await newNs("psa");
    const v = await label(ns, { "pod-security.kubernetes.io/warn-version": "1.25" });
    expect(v.status).toBe(422);
    expect(v.body.message).toContain('metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: "1.25": must be "latest" or "v1.x"');
  });
});
