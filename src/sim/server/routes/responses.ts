// POST /v1/responses, basic: text input (string or message items, plus instructions) through the chat
// template; a `response` object, or vLLM's named response.* events when streaming; kv_transfer_params
// as on the other generation routes.
import type { Context, Hono } from "hono";
import type { ChatMessage } from "../../../kvcache/index.ts";
import type { SimServerContext } from "../context.ts";
import type { GenerationResult, GenerationSpec } from "../generation-types.ts";
import {
  admitOrFail,
  baseRequestId,
  checkCommonFields,
  kvTransferIntent,
  readBody,
  resolveMaxTokens,
  samplingSpec,
  tokenizeOrFail,
} from "../request-common.ts";
import { generateOnce, respondStreaming } from "../respond.ts";
import { type ResponsesRequest, ResponsesRequestSchema } from "../schemas.ts";
import { type ResponseObjectArgs, responseObject, streamResponseEvents } from "./responses-format.ts";

export function registerResponsesRoutes(app: Hono, ctx: SimServerContext): void {
  app.post("/v1/responses", (c) => responses(ctx, c));
}

/** Input items become chat messages; content parts contribute their text. */
function toMessages(body: ResponsesRequest): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (body.instructions != null) messages.push({ role: "system", content: body.instructions });
  if (typeof body.input === "string") {
    messages.push({ role: "user", content: body.input });
    return messages;
  }
  for (const item of body.input) {
    const content = item.content ?? "";
    const text = typeof content === "string" ? content : content.map((part) => part.text ?? "").join("");
    messages.push({ role: item.role ?? "user", content: text });
  }
  return messages;
}

async function responses(ctx: SimServerContext, c: Context): Promise<Response> {
  const body = await readBody(c, ResponsesRequestSchema);
  const stream = checkCommonFields(ctx, body);
  const model = ctx.models.resolve(body.model);
  const kvTransfer = kvTransferIntent(ctx, body.kv_transfer_params);
  const promptTokenIds = tokenizeOrFail(() =>
    ctx.tokenizer.encodeChat(toMessages(body), { addGenerationPrompt: true }),
  );
  const maxTokens = resolveMaxTokens(ctx, promptTokenIds.length, body.max_output_tokens ?? null);
  admitOrFail(ctx);
  const handle = ctx.pool.pick(c.req.header("x-data-parallel-rank"));
  const spec: GenerationSpec = {
    requestId: `resp_${baseRequestId(ctx, c, body)}`,
    n: 1,
    sampling: samplingSpec(body, model.loraName, kvTransfer, null),
    sequences: [{ index: 0, choice: 0, promptIndex: 0, promptTokenIds, maxTokens }],
  };
  const args: ResponseObjectArgs = {
    id: spec.requestId,
    messageId: `msg_${ctx.newId()}`,
    createdAt: Math.floor(ctx.nowSeconds()),
    model: model.responseName,
    body,
  };
  if (!stream.isStream) {
    const result: GenerationResult = await generateOnce(ctx, c, handle, spec);
    return c.json(responseObject(args, result));
  }
  const events = streamResponseEvents(args);
  return respondStreaming(ctx, c, handle, spec, {
    onDeltas(writer, deltas) {
      for (const [name, json] of events.deltas(deltas)) writer.sendEvent(name, json);
    },
    onDone(writer, result) {
      for (const [name, json] of events.done(result)) writer.sendEvent(name, json);
      writer.end();
    },
  });
}
