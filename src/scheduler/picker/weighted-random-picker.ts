// Picks at random with probability proportional to the weighted score, by A-Res reservoir sampling
// (key = U^(1/score), largest key wins); when no score is positive, uniformly (llm-d §2.5). Reads scores.
import { z } from "zod";
import type { Picker, PluginDeps } from "../types.ts";

export const TYPE = "weighted-random-picker";

export const Params = z.strictObject({});
export type Params = z.infer<typeof Params>;

export function create(name: string, _params: Params, deps: PluginDeps) {
  return {
    typedName: { type: TYPE, name },
    consumes: [],
    pick: function pickWeightedRandom(endpoints, totals) {
      let chosen = -1;
      let bestKey = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < endpoints.length; i++) {
        const weight = totals[i] as number;
        if (!(weight > 0)) continue;
        const key = deps.rng() ** (1 / weight);
        if (key > bestKey) {
          bestKey = key;
          chosen = i;
        }
      }
      if (chosen >= 0) return chosen;
      return Math.min(endpoints.length - 1, Math.floor(deps.rng() * endpoints.length));
    },
  } satisfies Picker;
}
