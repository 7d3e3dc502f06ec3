// Picks a candidate uniformly at random, ignoring scores (llm-d §2.5). Reads nothing.
import { z } from "zod";
import type { Picker, PluginDeps } from "../types.ts";

export const TYPE = "random-picker";

export const Params = z.strictObject({});
export type Params = z.infer<typeof Params>;

export function create(name: string, _params: Params, deps: PluginDeps) {
  return {
    typedName: { type: TYPE, name },
    consumes: [],
    pick: function pickRandom(endpoints) {
      return Math.min(endpoints.length - 1, Math.floor(deps.rng() * endpoints.length));
    },
  } satisfies Picker;
}
