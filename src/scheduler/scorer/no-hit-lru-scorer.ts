// Spreads cold requests (no prefix hit on any candidate) so new prefixes seed different engines: endpoints
// never used for a cold request first, then least recently used; score 1 − rank/(N−1); warm requests
// score 0.5 everywhere (llm-d §2.1). Reads the prefix match; learns from picks of cold requests.
import { z } from "zod";
import type { EndpointSnapshot } from "../../pool/index.ts";
import { PREFIX_MATCH_KEY } from "../data-keys.ts";
import type { DataKey, PluginDeps, Scorer } from "../types.ts";

export const TYPE = "no-hit-lru-scorer";

export const Params = z.strictObject({
  lruSize: z.number().int().min(1).default(1024).describe("endpoints remembered in the cold-request LRU"),
});
export type Params = z.infer<typeof Params>;

export function create(name: string, params: Params, _deps: PluginDeps) {
  // Whether this decision's request was cold, for preRequest; private to this instance.
  const coldKey: DataKey<boolean> = { name: `${name}/cold`, fromSnapshot: false, defaultProducer: null };
  // endpoint id → sequence number of its last cold pick (Map order is LRU order too).
  const lastColdPick = new Map<string, number>();
  let sequence = 0;
  const usedIndices: number[] = [];
  let sorting: readonly EndpointSnapshot[] = [];

  function byLastColdPick(a: number, b: number): number {
    return sequenceOf(lastColdPick, sorting[a]) - sequenceOf(lastColdPick, sorting[b]);
  }

  return {
    typedName: { type: TYPE, name },
    category: "distribution",
    consumes: [PREFIX_MATCH_KEY],
    score: function scoreNoHitLru(_request, endpoints, cycle, out) {
      const info = cycle.get(PREFIX_MATCH_KEY);
      let isCold = true;
      if (info !== undefined) {
        for (const endpoint of endpoints) if (info.matchedBlocks(endpoint.descriptor.id) > 0) isCold = false;
      }
      cycle.set(coldKey, isCold);
      const count = endpoints.length;
      if (!isCold || count === 1) {
        out.fill(isCold ? 1 : 0.5, 0, count);
        return;
      }
      let rank = 0;
      usedIndices.length = 0;
      for (let i = 0; i < count; i++) {
        const id = (endpoints[i] as EndpointSnapshot).descriptor.id;
        if (lastColdPick.has(id)) usedIndices.push(i);
        else out[i] = 1 - rank++ / (count - 1);
      }
      sorting = endpoints;
      usedIndices.sort(byLastColdPick);
      for (const i of usedIndices) out[i] = 1 - rank++ / (count - 1);
    },
    preRequest: function rememberColdPick(_request, endpointId, cycle) {
      if (cycle?.get(coldKey) !== true) return;
      lastColdPick.delete(endpointId);
      lastColdPick.set(endpointId, ++sequence);
      for (const id of lastColdPick.keys()) {
        if (lastColdPick.size <= params.lruSize) break;
        lastColdPick.delete(id);
      }
    },
    retainEndpoints: function forgetGoneEndpoints(liveIds) {
      for (const id of lastColdPick.keys()) if (!liveIds.has(id)) lastColdPick.delete(id);
    },
  } satisfies Scorer;
}

function sequenceOf(
  lastColdPick: ReadonlyMap<string, number>,
  endpoint: EndpointSnapshot | undefined,
): number {
  return endpoint === undefined ? 0 : (lastColdPick.get(endpoint.descriptor.id) ?? 0);
}
