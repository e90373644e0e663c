// One scheduling cycle for one pod, as upstream's schedulePod: PreFilter, then Filter over the
// nodes starting where the previous cycle stopped and stopping once enough feasible nodes are found
// (numFeasibleNodesToFind), then Score the feasible ones and pick the highest total, ties broken
// at random. Pure: the caller assumes the result into the cache and binds.
import type { PodFacts } from "./facts.js";
import { NO_NODES_AVAILABLE, fitErrorMessage } from "./fit-error.js";
import type { FilterResult } from "./framework.js";
import type { NodeInfo } from "./node-info.js";
import { type Profile, defaultProfile } from "./profile.js";
import type { SchedulerCache } from "./cache.js";

export type ScheduleResult =
  | { ok: true; nodeName: string; feasibleNodes: number; evaluatedNodes: number }
  | { ok: false; message: string; reasons: Record<string, number> };

export interface ScheduleOptions {
  /** Uniform in [0, 1); breaks ties between equally scored nodes. Defaults to Math.random. */
  random?: () => number;
  profile?: Profile;
}

const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/** numFeasibleNodesToFind with the adaptive percentage (percentageOfNodesToScore unset). */
export function numFeasibleNodesToFind(numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  const percentage = Math.max(50 - Math.trunc(numAllNodes / 125), MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND);
  const n = Math.trunc((numAllNodes * percentage) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

function fail(numAllNodes: number, reasons: Record<string, number>, preFilterMsg?: string): ScheduleResult {
  return { ok: false, message: fitErrorMessage(numAllNodes, reasons, preFilterMsg), reasons };
}

export function schedulePod(pod: PodFacts, cache: SchedulerCache, opts: ScheduleOptions = {}): ScheduleResult {
  const { filters, scores } = opts.profile ?? defaultProfile;
  const random = opts.random ?? Math.random;
  const all = cache.nodeInfos();
  if (all.length === 0) return { ok: false, message: NO_NODES_AVAILABLE, reasons: {} };

  // PreFilter.
  const active: number[] = [];
  const states: unknown[] = new Array(filters.length);
  let pinned: Set<string> | undefined;
  const narrowedBy: string[] = [];
  for (let i = 0; i < filters.length; i++) {
    const f = filters[i];
    if (!f.preFilter) {
      active.push(i);
      continue;
    }
    const r = f.preFilter(pod, all);
    if ("skip" in r) continue;
    if ("rejected" in r) return fail(all.length, { [r.rejected]: all.length }, r.rejected);
    states[i] = r.state;
    active.push(i);
    if (r.nodeNames) {
      const names = r.nodeNames;
      pinned = pinned ? new Set([...pinned].filter((n) => names.has(n))) : new Set(names);
      narrowedBy.push(f.name);
    }
  }
  const nodes = pinned ? all.filter((ni) => pinned!.has(ni.name)) : all;

  // Filter, from where the last cycle stopped, until enough nodes fit.
  const reasons: Record<string, number> = {};
  const feasible: NodeInfo[] = [];
  let failed = 0;
  const toFind = numFeasibleNodesToFind(nodes.length);
  const start = cache.nextStartNodeIndex;
  for (let i = 0; i < nodes.length && feasible.length < toFind; i++) {
    const ni = nodes[(start + i) % nodes.length];
    let result: FilterResult;
    for (const j of active) {
      result = filters[j].filter(pod, ni, states[j]);
      if (result) break;
    }
    if (!result) feasible.push(ni);
    else {
      failed++;
      for (const reason of result) reasons[reason] = (reasons[reason] ?? 0) + 1;
    }
  }
  cache.nextStartNodeIndex = (start + feasible.length + failed) % all.length;

  if (feasible.length === 0) {
    // Nodes a PreFilter left out count once each under one shared reason.
    const absent = all.length - failed;
    if (pinned && absent > 0) {
      const reason = `node(s) didn't satisfy plugin(s) [${narrowedBy.sort().join(" ")}]`;
      reasons[reason] = (reasons[reason] ?? 0) + absent;
    }
    return fail(all.length, reasons);
  }
  if (feasible.length === 1) return { ok: true, nodeName: feasible[0].name, feasibleNodes: 1, evaluatedNodes: 1 + failed };

  const totals = prioritizeNodes(pod, feasible, all, opts.profile ?? defaultProfile);
  return { ok: true, nodeName: selectHost(feasible, totals, random), feasibleNodes: feasible.length, evaluatedNodes: feasible.length + failed };
}

/** Runs every score plugin over the feasible nodes and sums the normalised, weighted scores. */
export function prioritizeNodes(pod: PodFacts, feasible: readonly NodeInfo[], all: readonly NodeInfo[], profile: Profile = defaultProfile): number[] {
  const totals = new Array<number>(feasible.length).fill(0);
  for (const plugin of profile.scores) {
    let state: unknown;
    if (plugin.preScore) {
      const r = plugin.preScore(pod, feasible, all);
      if ("skip" in r) continue;
      state = r.state;
    }
    const scores = feasible.map((ni) => plugin.score(pod, ni, state));
    plugin.normalize?.(scores, feasible, state);
    for (let i = 0; i < scores.length; i++) totals[i] += scores[i] * plugin.weight;
  }
  return totals;
}

/** selectHost: the highest total; among equal totals each is equally likely (reservoir sampling). */
export function selectHost(nodes: readonly NodeInfo[], totals: readonly number[], random: () => number): string {
  let best = 0;
  let ties = 1;
  for (let i = 1; i < nodes.length; i++) {
    if (totals[i] > totals[best]) {
      best = i;
      ties = 1;
    } else if (totals[i] === totals[best]) {
      ties++;
      if (Math.floor(random() * ties) === 0) best = i;
    }
  }
  return nodes[best].name;
}
