// How a kind is named in messages and documents: `deployments.apps` in errors, `apps/v1` as apiVersion.
import type { KindDef } from "../apis/types.js";
import type { GroupResource } from "../lib/status.js";

export const groupResource = (def: KindDef): GroupResource => ({ group: def.group, resource: def.plural });
export const apiVersionOf = (def: KindDef): string => (def.group ? `${def.group}/${def.version}` : def.version);
