// Bodies of the Responses API as vLLM returns them: the `response` object and the streamed
// response.* events (created, in_progress, output item and content part, text deltas, completed).
import type { ChoiceDelta, GenerationResult } from "../generation-types.ts";
import type { ResponsesRequest } from "../schemas.ts";

export interface ResponseObjectArgs {
  readonly id: string;
  readonly messageId: string;
  readonly createdAt: number;
  readonly model: string;
  readonly body: ResponsesRequest;
}

type Status = "in_progress" | "completed" | "incomplete";

function message(args: ResponseObjectArgs, text: string, status: Status): Record<string, unknown> {
  return {
    id: args.messageId,
    content: status === "in_progress" ? [] : [outputText(text)],
    role: "assistant",
    status,
    type: "message",
  };
}

function outputText(text: string): Record<string, unknown> {
  return { annotations: [], text, type: "output_text", logprobs: null };
}

/** The `response` object; `result` null while in progress. */
export function responseObject(
  args: ResponseObjectArgs,
  result: GenerationResult | null,
): Record<string, unknown> {
  const choice = result?.choices[0];
  const isIncomplete = choice?.finishReason === "length";
  const status: Status = result === null ? "in_progress" : isIncomplete ? "incomplete" : "completed";
  const body = args.body;
  return {
    id: args.id,
    created_at: args.createdAt,
    incomplete_details: isIncomplete ? { reason: "max_output_tokens" } : null,
    instructions: body.instructions ?? null,
    metadata: null,
    model: args.model,
    object: "response",
    output: choice === undefined ? [] : [message(args, choice.text, status)],
    parallel_tool_calls: true,
    temperature: body.temperature ?? 1.0,
    tool_choice: "auto",
    tools: [],
    top_p: body.top_p ?? 1.0,
    background: false,
    max_output_tokens: body.max_output_tokens ?? null,
    max_tool_calls: null,
    previous_response_id: null,
    prompt: null,
    reasoning: null,
    service_tier: "auto",
    status,
    text: null,
    top_logprobs: null,
    truncation: "disabled",
    usage: result === null ? null : responseUsage(result),
    user: null,
    kv_transfer_params: result?.kvTransferParams ?? null,
  };
}

function responseUsage(result: GenerationResult): Record<string, unknown> {
  return {
    input_tokens: result.promptTokens,
    input_tokens_details: { cached_tokens: result.cachedTokens },
    output_tokens: result.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: result.promptTokens + result.completionTokens,
  };
}

export interface ResponseEventStream {
  deltas(deltas: readonly ChoiceDelta[]): [string, string][];
  done(result: GenerationResult): [string, string][];
}

/** Builds the event sequence; every event carries an increasing sequence_number. */
export function streamResponseEvents(args: ResponseObjectArgs): ResponseEventStream {
  let sequence = 0;
  let isStarted = false;
  let text = "";
  const event = (type: string, fields: Record<string, unknown>): [string, string] => [
    type,
    JSON.stringify({ ...fields, sequence_number: sequence++, type }),
  ];
  const item = { item_id: args.messageId, output_index: 0 };
  const part = { ...item, content_index: 0 };
  const start = (): [string, string][] => {
    isStarted = true;
    return [
      event("response.created", { response: responseObject(args, null) }),
      event("response.in_progress", { response: responseObject(args, null) }),
      event("response.output_item.added", { item: message(args, "", "in_progress"), output_index: 0 }),
      event("response.content_part.added", { ...part, part: outputText("") }),
    ];
  };
  return {
    deltas(deltas) {
      const out = isStarted ? [] : start();
      for (const delta of deltas) {
        if (delta.text === "") continue;
        text += delta.text;
        out.push(event("response.output_text.delta", { ...part, delta: delta.text, logprobs: [] }));
      }
      return out;
    },
    done(result) {
      const out = isStarted ? [] : start();
      const final = responseObject(args, result);
      const status = final.status as Status;
      out.push(event("response.output_text.done", { ...part, text, logprobs: [] }));
      out.push(event("response.content_part.done", { ...part, part: outputText(text) }));
      out.push(event("response.output_item.done", { item: message(args, text, status), output_index: 0 }));
      out.push(
        event(status === "incomplete" ? "response.incomplete" : "response.completed", { response: final }),
      );
      return out;
    },
  };
}
