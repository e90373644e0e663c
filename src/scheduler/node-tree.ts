// The order in which the scheduler walks nodes, as upstream's nodeTree: nodes grouped by zone
// (region + zone labels) and interleaved one zone at a time, so that stopping after the first
// feasible nodes (numFeasibleNodesToFind) still samples every zone. Zones and the nodes within
// a zone are sorted by name, which makes the order independent of the order of events.
import type { NodeFacts } from "./facts.js";
import { LABEL_TOPOLOGY_REGION, LABEL_TOPOLOGY_ZONE } from "./topology-spread.js";

const LEGACY_ZONE = "failure-domain.beta.kubernetes.io/zone";
const LEGACY_REGION = "failure-domain.beta.kubernetes.io/region";

/** utilnode.GetZoneKey: "" for a node with neither region nor zone. */
export function zoneKey(node: NodeFacts): string {
  const zone = node.labels[LABEL_TOPOLOGY_ZONE] ?? node.labels[LEGACY_ZONE] ?? "";
  const region = node.labels[LABEL_TOPOLOGY_REGION] ?? node.labels[LEGACY_REGION] ?? "";
  return region === "" && zone === "" ? "" : `${region}:\x00:${zone}`;
}

/** The zone-interleaved order of `items` (anything with node facts). */
export function zoneInterleaved<T extends { node: NodeFacts | undefined }>(items: Iterable<T>): T[] {
  const zones = new Map<string, T[]>();
  for (const it of items) {
    if (!it.node) continue;
    const z = zoneKey(it.node);
    let list = zones.get(z);
    if (!list) zones.set(z, (list = []));
    list.push(it);
  }
  const byName = (a: T, b: T) => (a.node!.name < b.node!.name ? -1 : a.node!.name > b.node!.name ? 1 : 0);
  const lists = [...zones.keys()].sort().map((z) => zones.get(z)!.sort(byName));
  const out: T[] = [];
  for (let i = 0, left = lists.length; left > 0; i++) {
    left = 0;
    for (const l of lists) {
      if (i < l.length) {
        out.push(l[i]);
        if (i + 1 < l.length) left++;
      }
    }
  }
  return out;
}
