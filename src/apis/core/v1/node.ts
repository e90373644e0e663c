// core/v1 Node: cluster-scoped; spec is mostly the scheduler's input (taints, unschedulable),
// status is written by the node agent.
import { z } from "zod";
import { type FieldError, invalid, notSupported, required } from "../../../lib/field-errors.js";
import { ConditionSchema, QuantitySchema, TimeSchema, goType, int32, typeMeta } from "../../meta.js";
import type { KindDef } from "../../types.js";
import { validateLabelName } from "../../validation.js";

const ResourceList = () => goType(z.record(z.string(), QuantitySchema), "v1.ResourceList");

export const TaintSchema = goType(
  z.object({
    key: z.string().default(""),
    value: z.string().optional(),
    effect: z.string().default("").describe("NoSchedule, PreferNoSchedule or NoExecute."),
    timeAdded: TimeSchema.optional(),
  }),
  "Taint",
);

export const NodeSchema = goType(
  z.object({
    ...typeMeta,
    spec: goType(
      z.object({
        podCIDR: z.string().optional(),
        podCIDRs: z.array(z.string()).optional(),
        providerID: z.string().optional(),
        unschedulable: z.boolean().optional().describe("Controls node schedulability of new pods."),
        taints: z.array(TaintSchema).optional().describe("The node's taints."),
        configSource: z.looseObject({}).optional(),
        externalID: z.string().optional(),
      }),
      "NodeSpec",
    ).prefault({}),
    status: goType(
      z.object({
        capacity: ResourceList().optional().describe("Total resources of the node."),
        allocatable: ResourceList().optional().describe("Resources available for scheduling."),
        phase: z.string().optional(),
        conditions: z.array(ConditionSchema).optional().describe("Current observed node conditions (Ready, MemoryPressure…)."),
        addresses: z.array(goType(z.object({ type: z.string().default(""), address: z.string().default("") }), "NodeAddress")).optional(),
        daemonEndpoints: goType(z.object({ kubeletEndpoint: goType(z.object({ Port: int32().default(0) }), "DaemonEndpoint").optional() }), "NodeDaemonEndpoints").optional(),
        nodeInfo: z.looseObject({}).optional(),
        images: z.array(z.looseObject({})).optional(),
        volumesInUse: z.array(z.string()).optional(),
        volumesAttached: z.array(z.looseObject({})).optional(),
        config: z.looseObject({}).optional(),
        runtimeHandlers: z.array(z.looseObject({})).optional(),
        features: z.looseObject({}).optional(),
      }),
      "NodeStatus",
    ).optional(),
  }).describe("Node is a worker node in Kubernetes. Each node will have a unique identifier in the cache (i.e. in etcd)."),
  "Node",
);
export type Node = z.infer<typeof NodeSchema>;

const taintEffects = ["NoExecute", "NoSchedule", "PreferNoSchedule"];

export const nodeDef: KindDef<Node> = {
  group: "",
  version: "v1",
  kind: "Node",
  listKind: "NodeList",
  plural: "nodes",
  singular: "node",
  namespaced: false,
  shortNames: ["no"],
  categories: [],
  nameRule: "dns1123Subdomain",
  schema: NodeSchema,
  validate(node) {
    const errs: FieldError[] = [];
    (node.spec.taints ?? []).forEach((t, i) => {
      const p = `spec.taints[${i}]`;
      errs.push(...validateLabelName(t.key, `${p}.key`));
      if (!t.effect) errs.push(required(`${p}.effect`, ""));
      else if (!taintEffects.includes(t.effect)) errs.push(notSupported(`${p}.effect`, t.effect, taintEffects));
    });
    const seen = new Set<string>();
    (node.spec.taints ?? []).forEach((t) => {
      const k = `${t.key}:${t.effect}`;
      if (seen.has(k)) errs.push(invalid("spec.taints", t, "taints must be unique by key and effect pair"));
      seen.add(k);
    });
    return errs;
  },
  hasStatus: true,
  // Upstream nodeStrategy: AllowCreateOnUpdate false, AllowUnconditionalUpdate true.
  allowUnconditionalUpdate: true,
  allowCreateOnUpdate: false,
  selectableFields: { "spec.unschedulable": (n) => String(n.spec.unschedulable ?? false) },
  extraSubresources: ["proxy"],
  specKeys: ["spec"],
};
