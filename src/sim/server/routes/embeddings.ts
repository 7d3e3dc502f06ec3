// POST /v1/embeddings: deterministic unit vectors from the token ids (mean of per-token pseudo-random
// vectors), so equal inputs embed equally and shared tokens pull vectors together. Shaped as vLLM's
// EmbeddingResponse; it does not occupy the engine (pooling has no decode phase).
import type { Context, Hono } from "hono";
import { createRng, mixSeeds } from "../../engine/rng.ts";
import type { SimServerContext } from "../context.ts";
import { promptTooLong } from "../errors.ts";
import { admitOrFail, readBody } from "../request-common.ts";
import { EmbeddingRequestSchema } from "../schemas.ts";
import { completionPrompts } from "./completions.ts";

const DEFAULT_DIMENSIONS = 384;

export function registerEmbeddingRoutes(app: Hono, ctx: SimServerContext): void {
  app.post("/v1/embeddings", (c) => embeddings(ctx, c));
}

/** The embedding of a token sequence: unit length, `dimensions` floats. */
export function embedTokens(tokenIds: readonly number[], dimensions: number): Float32Array {
  const sum = new Float64Array(dimensions);
  for (const id of tokenIds) {
    const random = createRng(mixSeeds(id >>> 0, 0x656d62));
    for (let d = 0; d < dimensions; d++) sum[d] = (sum[d] as number) + random() * 2 - 1;
  }
  let norm = 0;
  for (let d = 0; d < dimensions; d++) norm += (sum[d] as number) ** 2;
  const scale = norm === 0 ? 0 : 1 / Math.sqrt(norm);
  return Float32Array.from(sum, (value) => value * scale);
}

async function embeddings(ctx: SimServerContext, c: Context): Promise<Response> {
  const body = await readBody(c, EmbeddingRequestSchema);
  const model = ctx.models.resolve(body.model);
  const prompts = completionPrompts(ctx, body.input, body.add_special_tokens ?? true);
  for (const prompt of prompts) {
    if (prompt.tokenIds.length > ctx.maxModelLen)
      throw promptTooLong(prompt.tokenIds.length, ctx.maxModelLen);
  }
  admitOrFail(ctx);
  const dimensions = body.dimensions ?? DEFAULT_DIMENSIONS;
  const isBase64 = body.encoding_format === "base64";
  const data = prompts.map((prompt, index) => {
    const vector = embedTokens(prompt.tokenIds, dimensions);
    const embedding = isBase64 ? Buffer.from(vector.buffer).toString("base64") : Array.from(vector);
    return { index, object: "embedding", embedding };
  });
  const promptTokens = prompts.reduce((sum, p) => sum + p.tokenIds.length, 0);
  return c.json({
    id: `embd-${ctx.newId()}`,
    object: "list",
    created: Math.floor(ctx.nowSeconds()),
    model: model.responseName,
    data,
    usage: {
      prompt_tokens: promptTokens,
      total_tokens: promptTokens,
      completion_tokens: 0,
      prompt_tokens_details: null,
    },
  });
}
