// Which objects a list or watch returns: label and field selectors, with the fields each kind
// supports (upstream's SelectionPredicate and GetAttrs).
import type { KindDef, KubeObject } from "../apis/types.js";
import { checkSupportedFields, parseFieldSelector, parseLabelSelector, SelectorParseError } from "./selectors/index.js";

export type Predicate = ((obj: KubeObject) => boolean) & { everything: boolean };

export function fieldGetter(def: KindDef, obj: KubeObject): (field: string) => string | undefined {
  return (field) => {
    if (field === "metadata.name") return obj.metadata.name;
    if (field === "metadata.namespace") return def.namespaced ? obj.metadata.namespace : "";
    const get = def.selectableFields?.[field];
    return get ? get(obj) : undefined;
  };
}

export function supportedFields(def: KindDef): string[] {
  return ["metadata.name", "metadata.namespace", ...Object.keys(def.selectableFields ?? {})];
}

/** Builds the predicate; throws a 400 Status for selectors that do not parse. */
export function buildPredicate(def: KindDef, labelSelector?: string, fieldSelector?: string): Predicate {
  try {
    const labels = parseLabelSelector(labelSelector ?? "");
    const fields = parseFieldSelector(fieldSelector ?? "");
    checkSupportedFields(fields, supportedFields(def));
    const p = ((obj: KubeObject) => labels.matches(obj.metadata.labels) && fields.matches(fieldGetter(def, obj))) as Predicate;
    p.everything = labels.empty && fields.empty;
    return p;
  } catch (e) {
    if (e instanceof SelectorParseError) throw e.toStatusError();
    throw e;
  }
}
