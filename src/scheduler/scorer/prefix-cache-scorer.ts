// Prefers endpoints holding more of the request's prompt: w·min(1, matchedTokens/scale)² + (1−w)·matched/total
// (llm-d router §2.1; w = 0 gives the plain ratio). Reads the prefix match; no data or no blocks → 0.
import { z } from "zod";
import type { EndpointSnapshot } from "../../pool/index.ts";
import { PREFIX_MATCH_KEY } from "../data-keys.ts";
import type { PluginDeps, Scorer } from "../types.ts";

export const TYPE = "prefix-cache-scorer";

export const Params = z.strictObject({
  matchLengthWeight: z
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe("weight of the absolute matched length term versus the matched ratio"),
  matchLengthScaleTokens: z
    .number()
    .int()
    .min(1)
    .default(8192)
    .describe("matched tokens at which the length term saturates"),
});
export type Params = z.infer<typeof Params>;

export function create(name: string, params: Params, _deps: PluginDeps) {
  const w = params.matchLengthWeight;
  return {
    typedName: { type: TYPE, name },
    category: "affinity",
    consumes: [PREFIX_MATCH_KEY],
    score: function scorePrefixCache(_request, endpoints, cycle, out) {
      const info = cycle.get(PREFIX_MATCH_KEY);
      for (let i = 0; i < endpoints.length; i++) {
        if (info === undefined || info.totalBlocks === 0) {
          out[i] = 0;
          continue;
        }
        const matched = info.matchedBlocks((endpoints[i] as EndpointSnapshot).descriptor.id);
        const length = Math.min(1, (matched * info.blockSizeTokens) / params.matchLengthScaleTokens);
        out[i] = w * length * length + (1 - w) * (matched / info.totalBlocks);
      }
    },
  } satisfies Scorer;
}
