// Multi-turn chat: `sessions` conversations advance one turn each in rotation; turn t's prompt is
// the session's system prompt, every earlier user message and reply, then the new user message, so
// history grows per turn. Replies in the history are the workload's own tokens (an open-loop client
// cannot know the engine's), so a turn re-uses the cache of the earlier prompts, not of the replies.
import { z } from "zod";
import type { Workload } from "../types.ts";
import { type AssembleInput, assembleWorkload } from "./assemble.ts";
import type { StageSpec } from "./stages.ts";
import { appendTokens } from "./token-ids.ts";

export const NAME = "multi-turn-chat";
export const DESCRIPTION = "conversations whose history grows every turn";
export const DEFAULT_STAGES: readonly StageSpec[] = [2, 4, 8].map((qps) => ({ qps, durationS: 60 }));

export const Params = z.strictObject({
  sessions: z.coerce.number().int().min(1).default(32).describe("conversations in flight at once"),
  turns: z.coerce.number().int().min(1).default(8).describe("turns per conversation"),
  systemPromptTokens: z.coerce.number().int().min(0).default(1000).describe("system prompt, shared by all"),
  userTokens: z.coerce.number().int().min(1).default(200).describe("tokens of each user message"),
  outputTokens: z.coerce.number().int().min(1).default(200).describe("tokens of each reply (max_tokens)"),
});
export type Params = z.infer<typeof Params>;

export function build(params: Params, input: AssembleInput): Workload {
  const { seed } = input;
  const perCycle = params.sessions * params.turns;
  return assembleWorkload(input, (k) => {
    const cycle = Math.floor(k / perCycle);
    const within = k % perCycle;
    const turn = Math.floor(within / params.sessions);
    const session = cycle * params.sessions + (within % params.sessions);
    const promptTokens =
      params.systemPromptTokens + turn * (params.userTokens + params.outputTokens) + params.userTokens;
    return {
      promptTokens,
      maxTokens: params.outputTokens,
      tags: { session: `s${session}`, group: `turn${turn}` },
      promptTokenIds: () => {
        const tokens: number[] = [];
        appendTokens(tokens, seed, "chat:system", params.systemPromptTokens);
        for (let t = 0; t < turn; t++) {
          appendTokens(tokens, seed, `chat:user:${session}:${t}`, params.userTokens);
          appendTokens(tokens, seed, `chat:reply:${session}:${t}`, params.outputTokens);
        }
        appendTokens(tokens, seed, `chat:user:${session}:${turn}`, params.userTokens);
        return tokens;
      },
    };
  });
}
