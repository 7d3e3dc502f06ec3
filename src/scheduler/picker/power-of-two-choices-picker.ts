// Samples two distinct candidates at random and keeps the higher-scored one (the first on a tie):
// near-best load spreading without herding onto a single maximum. Reads scores.
import { z } from "zod";
import type { Picker, PluginDeps } from "../types.ts";

export const TYPE = "power-of-two-choices-picker";

export const Params = z.strictObject({});
export type Params = z.infer<typeof Params>;

export function create(name: string, _params: Params, deps: PluginDeps) {
  return {
    typedName: { type: TYPE, name },
    consumes: [],
    pick: function pickPowerOfTwo(endpoints, totals) {
      const count = endpoints.length;
      if (count <= 1) return 0;
      const first = Math.min(count - 1, Math.floor(deps.rng() * count));
      let second = Math.min(count - 2, Math.floor(deps.rng() * (count - 1)));
      if (second >= first) second++;
      return (totals[second] as number) > (totals[first] as number) ? second : first;
    },
  } satisfies Picker;
}
