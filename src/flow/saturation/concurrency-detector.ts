// llm-d's concurrency-detector (§4): in-flight work over capacity, in requests or tokens (prompt plus
// expected output). In flight = the larger of the endpoints' gateway-local load and what admission has
// let through, so requests admitted but not yet routed count too. Reads in-flight load and health.
import { z } from "zod";
import type { EndpointSnapshot } from "../../pool/index.ts";
import type { DispatchLedgerView, FlowPolicyDeps, SaturationDetector } from "../types.ts";

export const TYPE = "concurrency-detector";

export const Params = z.strictObject({
  concurrencyMode: z.enum(["requests", "tokens"]).default("tokens").describe("what is counted"),
  maxConcurrency: z.number().int().min(1).default(100).describe("requests per endpoint (requests mode)"),
  maxTokenConcurrency: z
    .number()
    .int()
    .min(1)
    .default(1_000_000)
    .describe("in-flight tokens per endpoint (tokens mode)"),
  headroom: z.number().min(0).default(0).describe("fraction above capacity still dispatched"),
});
export type Params = z.infer<typeof Params>;

export function create(name: string, params: Params, _deps: FlowPolicyDeps) {
  const perEndpoint =
    params.concurrencyMode === "requests" ? params.maxConcurrency : params.maxTokenConcurrency;
  return {
    typedName: { type: TYPE, name },
    saturation: function poolConcurrency(
      endpoints: readonly EndpointSnapshot[],
      ledger: DispatchLedgerView,
      _nowMs: number,
    ) {
      let usable = 0;
      let load = 0;
      for (const endpoint of endpoints) {
        const inFlight = endpoint.inFlight;
        load +=
          params.concurrencyMode === "requests"
            ? inFlight.requests
            : inFlight.prefillTokens + inFlight.decodeTokens;
        if (endpoint.isHealthy && endpoint.circuit !== "open") usable++;
      }
      if (usable === 0) return 1;
      const admitted = params.concurrencyMode === "requests" ? ledger.requests : ledger.tokens;
      return Math.max(load, admitted) / (usable * perEndpoint * (1 + params.headroom));
    },
  } satisfies SaturationDetector;
}
