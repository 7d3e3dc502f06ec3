// Estimates each endpoint's cached prefix of the request from the gateway's own routing history: chained
// block keys over the prompt text, matched against a per-endpoint LRU; reads descriptor and cache config.
import { z } from "zod";
import type { EndpointSnapshot } from "../../pool/index.ts";
import { DESCRIPTOR_KEY, METRICS_KEY, PREFIX_MATCH_KEY, type PrefixMatchInfo } from "../data-keys.ts";
import { ApproxPrefixIndex } from "../prefix/approx-prefix-index.ts";
import { BlockKeyChain, CHARS_PER_TOKEN, chainSeedOf } from "../prefix/block-keys.ts";
import { toPromptText } from "../prefix/prompt-text.ts";
import type { CycleState, PluginDeps, Producer, SchedulingRequest } from "../types.ts";

export const TYPE = "approx-prefix-cache-producer";

export const Params = z.strictObject({
  blockSizeTokens: z
    .number()
    .int()
    .min(1)
    .max(4096)
    .default(16)
    .describe("tokens per block; hashed as blockSizeTokens × 4 characters of prompt text"),
  maxPrefixTokensToMatch: z
    .number()
    .int()
    .min(0)
    .default(131072)
    .describe("longest prefix hashed, in tokens; takes precedence over maxPrefixBlocksToMatch; 0 = unset"),
  maxPrefixBlocksToMatch: z
    .number()
    .int()
    .min(0)
    .default(2048)
    .describe("longest prefix hashed, in blocks, when maxPrefixTokensToMatch is 0; 0 and 0 = whole prompt"),
  lruCapacityPerServer: z
    .number()
    .int()
    .min(1)
    .default(31250)
    .describe("blocks remembered per endpoint when its engine's cache size is unknown"),
  autoTune: z
    .boolean()
    .default(true)
    .describe("size each endpoint's LRU from the engine's num_gpu_blocks × block_size"),
  maxTotalBlocks: z
    .number()
    .int()
    .min(1)
    .default(1_048_576)
    .describe("blocks remembered across all endpoints (memory bound)"),
});
export type Params = z.infer<typeof Params>;

export function create(name: string, params: Params, _deps: PluginDeps) {
  const index = new ApproxPrefixIndex({
    defaultCapacityBlocks: params.lruCapacityPerServer,
    maxTotalBlocks: params.maxTotalBlocks,
  });
  const blockChars = params.blockSizeTokens * CHARS_PER_TOKEN;
  const maxBlocks =
    params.maxPrefixTokensToMatch > 0
      ? Math.ceil(params.maxPrefixTokensToMatch / params.blockSizeTokens)
      : params.maxPrefixBlocksToMatch;
  // Keyed by the request object: retries of one request and its onPicked reuse the hashing.
  const keysByRequest = new WeakMap<SchedulingRequest, BlockKeyChain>();

  function keysFor(request: SchedulingRequest): BlockKeyChain {
    let chain = keysByRequest.get(request);
    if (chain === undefined) {
      const seed = chainSeedOf(request.model, request.loraName, request.body.cache_salt);
      chain = new BlockKeyChain(toPromptText(request.body), seed, blockChars, maxBlocks);
      keysByRequest.set(request, chain);
    }
    return chain;
  }

  return {
    typedName: { type: TYPE, name },
    consumes: [DESCRIPTOR_KEY, METRICS_KEY],
    produces: [PREFIX_MATCH_KEY],
    produce: function produceApproxPrefixMatch(
      request: SchedulingRequest,
      endpoints: readonly EndpointSnapshot[],
      cycle: CycleState,
    ) {
      const keys = keysFor(request);
      const matched = new Map<string, number>();
      for (const endpoint of endpoints) {
        const id = endpoint.descriptor.id;
        if (params.autoTune) tuneCapacity(index, endpoint, params.blockSizeTokens);
        const length = index.matchLength(id, keys);
        if (length > 0) matched.set(id, length);
      }
      const info: PrefixMatchInfo = {
        totalBlocks: keys.length,
        blockSizeTokens: params.blockSizeTokens,
        matchedBlocks: (endpointId) => matched.get(endpointId) ?? 0,
      };
      cycle.set(PREFIX_MATCH_KEY, info);
    },
    preRequest: function insertPickedPrefix(request: SchedulingRequest, endpointId: string) {
      index.insert(endpointId, keysFor(request).all());
    },
    retainEndpoints: function forgetGoneEndpoints(liveIds: ReadonlySet<string>) {
      index.retain(liveIds);
    },
  } satisfies Producer;
}

/** Engine capacity in index blocks: vLLM's blocks × its block size, re-cut into our block size. */
function tuneCapacity(index: ApproxPrefixIndex, endpoint: EndpointSnapshot, blockSizeTokens: number): void {
  const metrics = endpoint.metrics;
  if (metrics === null || metrics.numGpuBlocks === null || metrics.blockSize === null) return;
  const capacity = Math.ceil((metrics.numGpuBlocks * metrics.blockSize) / blockSizeTokens);
  if (capacity > 0) index.setEngineCapacity(endpoint.descriptor.id, capacity);
}
