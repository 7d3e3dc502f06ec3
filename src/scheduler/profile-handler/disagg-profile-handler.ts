// P/D disaggregation (llm-d-reference §3.1): the decode profile picks first; then the prefill decider,
// shown the chosen decode endpoint, says whether the prefill profile runs too. Reads nothing itself.
import { z } from "zod";
import type { PluginDeps, PluginReference, ProfileHandler } from "../types.ts";

export const TYPE = "disagg-profile-handler";

export const Params = z.strictObject({
  profiles: z
    .strictObject({
      decode: z
        .string()
        .min(1)
        .default("decode")
        .describe("profile that picks the decode endpoint (primary)"),
      prefill: z.string().min(1).default("prefill").describe("profile that picks the prefill endpoint"),
    })
    .prefault({})
    .describe("names of the schedulingProfiles for each stage"),
  deciders: z
    .strictObject({
      prefill: z
        .string()
        .min(1)
        .optional()
        .describe("name of the decider plugin for the prefill stage; unset disables the stage"),
    })
    .prefault({})
    .describe("decider plugin names per stage"),
});
export type Params = z.infer<typeof Params>;

export function create(name: string, params: Params, _deps: PluginDeps) {
  const decode = params.profiles.decode;
  const prefill = params.profiles.prefill;
  const decider = params.deciders.prefill ?? null;
  const references: PluginReference[] = [
    { param: "profiles.decode", name: decode, kind: "profile" },
    ...(decider === null
      ? []
      : [
          { param: "profiles.prefill", name: prefill, kind: "profile" } as const,
          { param: "deciders.prefill", name: decider, kind: "decider" } as const,
        ]),
  ];
  return {
    typedName: { type: TYPE, name },
    consumes: [],
    maxProfiles: 2,
    references,
    pick: function pickDisaggProfiles(request, profiles, results, context) {
      if (!results.has(decode)) return profiles.includes(decode) ? [decode] : [];
      const decodeEndpoint = results.get(decode) ?? null;
      // llm-d: no decode endpoint fails the request; a second stage has nothing to serve.
      if (decodeEndpoint === null || decider === null || results.has(prefill)) return [];
      if (!profiles.includes(prefill)) return [];
      return context.decide(decider, request, decodeEndpoint) ? [prefill] : [];
    },
    processResults: function primaryIsDecode(_request, results) {
      return (results.get(decode) ?? null) === null ? null : decode;
    },
    prefillProfile: function prefillWhenPicked(_request, results) {
      return (results.get(prefill) ?? null) === null ? null : prefill;
    },
  } satisfies ProfileHandler;
}
