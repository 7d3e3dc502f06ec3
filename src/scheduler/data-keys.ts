// The data keys plugins declare in `consumes`/`produces`: snapshot fields (always present) and
// per-decision data written by producers (llm-d's PrefixCacheMatchInfo, §2.1).
import type { DataKey } from "./types.ts";

function snapshotKey(name: string): DataKey<never> {
  return { name, fromSnapshot: true, defaultProducer: null };
}

/** Endpoint descriptor: id, models, LoRA adapters, role, labels. */
export const DESCRIPTOR_KEY = snapshotKey("descriptor");
/** Scraped engine metrics (queue, running, KV usage, LoRA, cache config) and their age. */
export const METRICS_KEY = snapshotKey("metrics");
/** Gateway-local in-flight requests and tokens. */
export const IN_FLIGHT_KEY = snapshotKey("inFlight");
/** Health and circuit state. */
export const HEALTH_KEY = snapshotKey("health");

/** How much of the request's prompt each endpoint is estimated to hold in its prefix cache. */
export interface PrefixMatchInfo {
  /** Blocks the request was split into (after the match cap). */
  readonly totalBlocks: number;
  /** Estimated tokens per block. */
  readonly blockSizeTokens: number;
  /** Leading blocks of the request `endpointId` holds, stopping at its first missing block; 0 if unknown. */
  matchedBlocks(endpointId: string): number;
}

export const PREFIX_MATCH_KEY: DataKey<PrefixMatchInfo> = {
  name: "prefix-match",
  fromSnapshot: false,
  defaultProducer: "approx-prefix-cache-producer",
  // What the engines report holding beats what the gateway remembers sending them.
  defaultProducerWithIndex: "precise-prefix-cache-producer",
};
