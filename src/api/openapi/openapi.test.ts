// Why this exists: structural checks of the generated OpenAPI documents — upstream's names,
// GVK and patch extensions, descriptions/defaults/required from the zod schemas, operations with
// the parameters kubectl looks for, and every $ref resolving inside its own document.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { kinds } from "../../apis/index.js";
import { type Json, openapiV2, openapiV2Protobuf, openapiV3Doc, openapiV3Hash, openapiV3Index } from "./index.js";
import { sha256Hex } from "./sha256.js";

const v3 = (gv: string) => openapiV3Doc(gv) as { paths: Record<string, Json>; components: { schemas: Record<string, any> } };
const core = () => v3("api/v1").components.schemas;
const apps = () => v3("apis/apps/v1").components.schemas;
const v2defs = () => (openapiV2() as { definitions: Record<string, any> }).definitions;

function refs(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => refs(x, out));
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) k === "$ref" ? out.push(String(x)) : refs(x, out);
  return out;
}

describe("definitions", () => {
  it("top-level kinds carry x-kubernetes-group-version-kind, in v2 and v3", () => {
    expect(core()["io.k8s.api.core.v1.Pod"]["x-kubernetes-group-version-kind"]).toEqual([{ group: "", kind: "Pod", version: "v1" }]);
    expect(apps()["io.k8s.api.apps.v1.Deployment"]["x-kubernetes-group-version-kind"]).toEqual([{ group: "apps", kind: "Deployment", version: "v1" }]);
    expect(v2defs()["io.k8s.api.events.v1.Event"]["x-kubernetes-group-version-kind"]).toEqual([{ group: "events.k8s.io", kind: "Event", version: "v1" }]);
    expect(v2defs()["io.k8s.api.core.v1.PodList"]["x-kubernetes-group-version-kind"]).toEqual([{ group: "", kind: "PodList", version: "v1" }]);
    for (const k of kinds) {
      const pkg = `io.k8s.api.${k.group === "" ? "core" : k.group.split(".")[0]}.${k.version}`;
      expect(v2defs()[`${pkg}.${k.kind}`], k.kind).toBeDefined();
    }
  });

  it("list fields carry patch strategy and merge key from patch-meta.ts", () => {
    const containers = core()["io.k8s.api.core.v1.PodSpec"].properties.containers;
    expect(containers).toMatchObject({
      type: "array",
      items: { $ref: "#/components/schemas/io.k8s.api.core.v1.Container" },
      "x-kubernetes-patch-merge-key": "name",
      "x-kubernetes-patch-strategy": "merge",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["name"],
    });
    expect(v2defs()["io.k8s.api.core.v1.PodSpec"].properties.containers).toMatchObject({ items: { $ref: "#/definitions/io.k8s.api.core.v1.Container" }, "x-kubernetes-patch-merge-key": "name" });
    expect(core()["io.k8s.api.core.v1.PodSpec"].properties.volumes["x-kubernetes-patch-strategy"]).toBe("merge,retainKeys");
    expect(core()["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"].properties.ownerReferences["x-kubernetes-patch-merge-key"]).toBe("uid");
    expect(core()["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"].properties.finalizers).toMatchObject({ "x-kubernetes-patch-strategy": "merge", "x-kubernetes-list-type": "set" });
    expect(apps()["io.k8s.api.apps.v1.DeploymentSpec"].properties.strategy["x-kubernetes-patch-strategy"]).toBe("retainKeys");
    expect(apps()["io.k8s.api.apps.v1.DeploymentStatus"].properties.conditions["x-kubernetes-patch-merge-key"]).toBe("type");
    expect(core()["io.k8s.api.core.v1.Container"].properties.ports["x-kubernetes-list-map-keys"]).toEqual(["containerPort", "protocol"]);
  });

  it("Deployment spec.replicas is an int32 with its description; defaults and required come from zod", () => {
    expect(apps()["io.k8s.api.apps.v1.DeploymentSpec"].properties.replicas).toEqual({ type: "integer", format: "int32", description: "Number of desired pods. Defaults to 1." });
    expect(apps()["io.k8s.api.apps.v1.DeploymentSpec"].required).toEqual(["selector", "template"]);
    expect(core()["io.k8s.api.core.v1.Container"].required).toEqual(["name"]);
    expect(core()["io.k8s.api.core.v1.PodSpec"].required).toEqual(["containers"]);
    expect(core()["io.k8s.api.core.v1.PodSpec"].properties.restartPolicy.default).toBe("Always");
    expect(core()["io.k8s.api.core.v1.Probe"].properties.periodSeconds).toMatchObject({ default: 10, format: "int32" });
    expect(core()["io.k8s.api.core.v1.HostPathVolumeSource"].required).toEqual(["path"]);
    expect(core()["io.k8s.api.core.v1.Pod"].properties.metadata).toEqual({
      allOf: [{ $ref: "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" }],
      default: {},
      description: "Standard object metadata.",
    });
    expect(v2defs()["io.k8s.api.core.v1.Pod"].properties.metadata).toEqual({ $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", description: "Standard object metadata." });
    expect(core()["io.k8s.api.core.v1.ObjectFieldSelector"].properties.apiVersion.default).toBe("v1");
    expect(core()["io.k8s.api.core.v1.Secret"].properties.data.additionalProperties).toEqual({ type: "string", format: "byte" });
  });

  it("uses upstream's names for shared and scalar types", () => {
    const d = v2defs();
    expect(d["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]).toMatchObject({ type: "string", format: "int-or-string" });
    expect(d["io.k8s.apimachinery.pkg.api.resource.Quantity"]).toMatchObject({ type: "string" });
    expect(core()["io.k8s.apimachinery.pkg.api.resource.Quantity"].oneOf).toEqual([{ type: "string" }, { type: "number" }]);
    expect(d["io.k8s.apimachinery.pkg.apis.meta.v1.Time"]).toMatchObject({ type: "string", format: "date-time" });
    for (const n of [
      "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
      "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
      "io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference",
      "io.k8s.api.core.v1.PodTemplateSpec",
      "io.k8s.api.core.v1.ObjectReference",
      "io.k8s.api.core.v1.PodCondition",
      "io.k8s.api.apps.v1.DeploymentCondition",
      "io.k8s.api.apps.v1.RollingUpdateDeployment",
      "io.k8s.api.batch.v1.JobTemplateSpec",
      "io.k8s.api.batch.v1.JobSpec",
      "io.k8s.api.events.v1.EventSeries",
      "io.k8s.api.core.v1.EventSeries",
    ]) expect(d[n], n).toBeDefined();
    expect(Object.keys(d).filter((n) => !/^io\.k8s\.(api\.[a-z]+\.v1|apimachinery\.pkg\.(apis\.meta\.v1|api\.resource|util\.intstr))\.[A-Z][A-Za-z0-9]*$/.test(n))).toEqual([]);
    expect(apps()["io.k8s.api.apps.v1.DeploymentSpec"].properties.selector.allOf[0].$ref).toBe("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector");
    expect(core()["io.k8s.api.core.v1.ServiceStatus"].properties.conditions.items.$ref).toBe("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Condition");
  });
});

describe("documents", () => {
  it("every $ref resolves inside its own document", () => {
    const v2 = openapiV2() as Json;
    for (const r of refs(v2)) expect(r.startsWith("#/definitions/") && r.slice(14) in (v2.definitions as Json), r).toBe(true);
    for (const gv of Object.keys((openapiV3Index() as { paths: Json }).paths)) {
      const d = v3(gv);
      for (const r of refs(d)) expect(r.startsWith("#/components/schemas/") && r.slice(21) in d.components.schemas, `${gv}: ${r}`).toBe(true);
    }
  });

  it("v3 documents hold only what their group-version references", () => {
    expect(Object.keys(apps()).some((n) => n.startsWith("io.k8s.api.batch."))).toBe(false);
    expect(apps()["io.k8s.api.autoscaling.v1.Scale"]).toBeDefined();
    expect(apps()["io.k8s.api.core.v1.PodSpec"]).toBeDefined();
    expect(core()["io.k8s.api.apps.v1.Deployment"]).toBeUndefined();
    expect(openapiV3Doc("apis/nope/v1")).toBeUndefined();
    expect(openapiV3Doc("/apis/apps/v1")).toBe(openapiV3Doc("apis/apps/v1"));
  });

  it("the index lists every group-version with the hash of its document", () => {
    const idx = openapiV3Index() as { paths: Record<string, { serverRelativeURL: string }> };
    expect(Object.keys(idx.paths).sort()).toEqual(["api/v1", "apis/apps/v1", "apis/batch/v1", "apis/coordination.k8s.io/v1", "apis/discovery.k8s.io/v1", "apis/events.k8s.io/v1", "apis/rbac.authorization.k8s.io/v1"]);
    const hash = createHash("sha256").update(JSON.stringify(openapiV3Doc("apis/apps/v1"))).digest("hex").toUpperCase();
    expect(idx.paths["apis/apps/v1"].serverRelativeURL).toBe(`/openapi/v3/apis/apps/v1?hash=${hash}`);
    expect(openapiV3Hash("apis/apps/v1")).toBe(hash);
  });

  it("sha256Hex matches node:crypto", () => {
    for (const s of ["", "abc", "x".repeat(55), "x".repeat(56), "x".repeat(64), "é✓".repeat(100)]) {
      expect(sha256Hex(s)).toBe(createHash("sha256").update(s).digest("hex").toUpperCase());
    }
  });

  it("operations: upstream's operationIds, actions, GVK and the fieldValidation parameter on writes", () => {
    const paths = v3("apis/apps/v1").paths;
    const item = paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"] as Record<string, any>;
    expect(item.patch.operationId).toBe("patchAppsV1NamespacedDeployment");
    expect(item.patch["x-kubernetes-action"]).toBe("patch");
    expect(item.patch["x-kubernetes-group-version-kind"]).toEqual({ group: "apps", kind: "Deployment", version: "v1" });
    expect(item.patch.parameters.map((p: Json) => p.name)).toEqual(["dryRun", "fieldManager", "fieldValidation", "force"]);
    expect(Object.keys(item.patch.requestBody.content)).toContain("application/strategic-merge-patch+json");
    expect(item.put.requestBody.content["*/*"].schema.$ref).toBe("#/components/schemas/io.k8s.api.apps.v1.Deployment");
    expect(item.get.responses["200"].content["application/json"].schema.$ref).toBe("#/components/schemas/io.k8s.api.apps.v1.Deployment");
    expect(item.parameters.map((p: Json) => p.name)).toEqual(["name", "namespace", "pretty"]);
    const coll = paths["/apis/apps/v1/namespaces/{namespace}/deployments"] as Record<string, any>;
    expect(coll.get.operationId).toBe("listAppsV1NamespacedDeployment");
    expect(coll.get.responses["200"].content["application/json"].schema.$ref).toBe("#/components/schemas/io.k8s.api.apps.v1.DeploymentList");
    expect(coll.get.parameters.map((p: Json) => p.name)).toContain("labelSelector");
    expect(coll.post.responses["201"]).toBeDefined();
    expect(coll.delete["x-kubernetes-action"]).toBe("deletecollection");
    const scale = paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"] as Record<string, any>;
    expect(scale.get.operationId).toBe("readAppsV1NamespacedDeploymentScale");
    expect(scale.put["x-kubernetes-group-version-kind"]).toEqual({ group: "autoscaling", kind: "Scale", version: "v1" });
    expect(paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status"]).toBeDefined();
    expect((paths["/apis/apps/v1/deployments"] as any).get.operationId).toBe("listAppsV1DeploymentForAllNamespaces");
    const nodes = v3("api/v1").paths["/api/v1/nodes/{name}"] as Record<string, any>;
    expect(nodes.get.operationId).toBe("readCoreV1Node");
    expect(nodes.parameters.map((p: Json) => p.name)).toEqual(["name", "pretty"]);

    // Every kind's PATCH in the v2 document names the kind and takes fieldValidation (kubectl's QueryParamVerifier).
    const v2paths = (openapiV2() as { paths: Record<string, any> }).paths;
    for (const k of kinds) {
      const patch = Object.values(v2paths).find((p) => p.patch && p.patch["x-kubernetes-group-version-kind"].kind === k.kind && p.patch["x-kubernetes-group-version-kind"].group === k.group)?.patch;
      expect(patch, k.kind).toBeDefined();
      expect(patch.parameters.map((p: Json) => p.name)).toContain("fieldValidation");
      expect(patch.parameters[0]).toMatchObject({ name: "body", in: "body", required: true, schema: { $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch" } });
    }
  });

  it("documents are cached and the protobuf form is non-empty", () => {
    expect(openapiV2()).toBe(openapiV2());
    expect(openapiV3Doc("api/v1")).toBe(openapiV3Doc("api/v1"));
    const pb = openapiV2Protobuf();
    expect(pb).toBe(openapiV2Protobuf());
    expect(pb[0]).toBe(0x0a); // field 1 (swagger), length-delimited
    expect(new TextDecoder().decode(pb.subarray(2, 5))).toBe("2.0");
  });
});
