// Picks the endpoint with the highest weighted score; ties are broken uniformly at random from the
// injected rng (llm-d shuffles before sorting, §2.5). Reads nothing but the scores.
import { z } from "zod";
import type { Picker, PluginDeps } from "../types.ts";

export const TYPE = "max-score-picker";

export const Params = z.strictObject({});
export type Params = z.infer<typeof Params>;

export function create(name: string, _params: Params, deps: PluginDeps) {
  return {
    typedName: { type: TYPE, name },
    consumes: [],
    pick: function pickMaxScore(endpoints, totals) {
      const count = endpoints.length;
      let best = Number.NEGATIVE_INFINITY;
      let ties = 0;
      for (let i = 0; i < count; i++) {
        const total = totals[i] as number;
        if (total > best) {
          best = total;
          ties = 1;
        } else if (total === best) ties++;
      }
      // Draw only on a tie, so a decisive decision leaves the random sequence untouched.
      let chosenTie = ties > 1 ? Math.min(ties - 1, Math.floor(deps.rng() * ties)) : 0;
      for (let i = 0; i < count; i++) {
        if (totals[i] === best && chosenTie-- === 0) return i;
      }
      return 0;
    },
  } satisfies Picker;
}
