// Prefers endpoints with less prefill work queued: tokens = in-flight uncached prompt tokens + this
// request's uncached tokens there; score 1 − min(1, tokens/queueThresholdTokens) (llm-d §2.2).
// Reads inFlight.prefillTokens and the prefix match.
import { z } from "zod";
import type { EndpointSnapshot } from "../../pool/index.ts";
import { IN_FLIGHT_KEY, PREFIX_MATCH_KEY } from "../data-keys.ts";
import { cachedTokensOf } from "../prefix/cached-tokens.ts";
import type { PluginDeps, Scorer } from "../types.ts";

export const TYPE = "token-load-scorer";

export const Params = z.strictObject({
  queueThresholdTokens: z
    .number()
    .int()
    .min(1)
    .default(4_194_304)
    .describe("queued tokens at which an endpoint scores 0"),
});
export type Params = z.infer<typeof Params>;

export function create(name: string, params: Params, _deps: PluginDeps) {
  return {
    typedName: { type: TYPE, name },
    category: "balance",
    consumes: [IN_FLIGHT_KEY, PREFIX_MATCH_KEY],
    score: function scoreTokenLoad(request, endpoints, cycle, out) {
      const info = cycle.get(PREFIX_MATCH_KEY);
      const prompt = request.promptTokenEstimate;
      for (let i = 0; i < endpoints.length; i++) {
        const endpoint = endpoints[i] as EndpointSnapshot;
        const uncached = prompt - cachedTokensOf(info, endpoint.descriptor.id, prompt);
        const tokens = endpoint.inFlight.prefillTokens + uncached;
        out[i] = 1 - Math.min(1, tokens / params.queueThresholdTokens);
      }
    },
  } satisfies Scorer;
}
