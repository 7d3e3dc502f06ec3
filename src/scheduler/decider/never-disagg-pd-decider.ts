// Never adds a prefill leg: the disagg handler then behaves as the decode profile alone, which keeps a
// P/D config in place while disaggregation is switched off. Reads nothing.
import { z } from "zod";
import type { PdDecider, PluginDeps } from "../types.ts";

export const TYPE = "never-disagg-pd-decider";

export const Params = z.strictObject({});
export type Params = z.infer<typeof Params>;

export function create(name: string, _params: Params, _deps: PluginDeps) {
  return {
    typedName: { type: TYPE, name },
    consumes: [],
    disaggregate: function neverDisaggregate() {
      return false;
    },
  } satisfies PdDecider;
}
