// Adds a prefill leg when the chosen decode endpoint would have to compute many prompt tokens itself
// (llm-d's prefix-based-pd-decider, §3.1), and skips it when that endpoint already holds most of the
// prompt. Reads the prefix match and the request's prompt token estimate.
import { z } from "zod";
import { PREFIX_MATCH_KEY } from "../data-keys.ts";
import type { PdDecider, PluginDeps } from "../types.ts";

export const TYPE = "prefix-based-pd-decider";

export const Params = z.strictObject({
  nonCachedTokens: z
    .number()
    .int()
    .min(0)
    .default(2048)
    .describe(
      "prompt tokens the decode endpoint lacks at or above which the request is disaggregated; 0 = never",
    ),
  maxDecodeCachedFraction: z
    .number()
    .min(0)
    .max(1)
    .default(0.8)
    .describe("skip the prefill leg when the decode endpoint holds at least this fraction of the prompt"),
});
export type Params = z.infer<typeof Params>;

export function create(name: string, params: Params, _deps: PluginDeps) {
  return {
    typedName: { type: TYPE, name },
    consumes: [PREFIX_MATCH_KEY],
    disaggregate: function disaggregateUncachedPrompt(request, decodeEndpoint, cycle) {
      const threshold = params.nonCachedTokens;
      const inputTokens = request.promptTokenEstimate;
      // llm-d: 0 disables the decider; a prompt shorter than the threshold cannot have enough uncached.
      if (threshold === 0 || inputTokens < threshold) return false;
      const match = cycle.get(PREFIX_MATCH_KEY);
      // llm-d: without prefix information the decider says no (decode-only is always servable).
      if (match === undefined) return false;
      const hitTokens = Math.min(
        inputTokens,
        match.matchedBlocks(decodeEndpoint.descriptor.id) * match.blockSizeTokens,
      );
      // The prefill engine recomputes what it lacks, up to the whole prompt; when the decode endpoint
      // already holds this much, that costs more than the decode endpoint computing the rest itself.
      if (hitTokens > 0 && hitTokens >= params.maxDecodeCachedFraction * inputTokens) return false;
      return inputTokens - hitTokens >= threshold;
    },
  } satisfies PdDecider;
}
