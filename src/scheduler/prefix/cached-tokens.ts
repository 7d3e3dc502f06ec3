// Converts a prefix match in blocks into prompt tokens, for load estimates that count only the
// tokens an engine still has to prefill (llm-d's inflight-load-producer discounting, §2.2).
import type { PrefixMatchInfo } from "../data-keys.ts";

/** Prompt tokens `endpointId` is estimated to hold, never more than the prompt. */
export function cachedTokensOf(
  info: PrefixMatchInfo | undefined,
  endpointId: string,
  promptTokens: number,
): number {
  if (info === undefined) return 0;
  return Math.min(promptTokens, info.matchedBlocks(endpointId) * info.blockSizeTokens);
}
