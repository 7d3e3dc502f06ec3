// Adds a prefill leg to every request (llm-d's always-disagg-pd-decider, §3.1). Reads nothing.
import { z } from "zod";
import type { PdDecider, PluginDeps } from "../types.ts";

export const TYPE = "always-disagg-pd-decider";

export const Params = z.strictObject({});
export type Params = z.infer<typeof Params>;

export function create(name: string, _params: Params, _deps: PluginDeps) {
  return {
    typedName: { type: TYPE, name },
    consumes: [],
    disaggregate: function alwaysDisaggregate() {
      return true;
    },
  } satisfies PdDecider;
}
