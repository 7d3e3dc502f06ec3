// Runs the one configured profile and makes its result primary (llm-d §2.6; auto-added when a config
// has a single profile and no handler). Reads nothing.
import { z } from "zod";
import type { PluginDeps, ProfileHandler } from "../types.ts";

export const TYPE = "single-profile-handler";

export const Params = z.strictObject({});
export type Params = z.infer<typeof Params>;

export function create(name: string, _params: Params, _deps: PluginDeps) {
  return {
    typedName: { type: TYPE, name },
    consumes: [],
    maxProfiles: 1,
    pick: function pickSingleProfile(_request, profiles, results) {
      return results.size === 0 ? profiles.slice(0, 1) : [];
    },
    processResults: function primaryOfSingle(_request, results) {
      for (const [profile, endpoint] of results) if (endpoint !== null) return profile;
      return null;
    },
  } satisfies ProfileHandler;
}
