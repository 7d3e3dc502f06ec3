// Turns OpenAI chat messages into the conversation vLLM hands to the chat template: text content
// parts joined or wrapped per the template's content format, tool-call arguments parsed to objects.
// Mirrors vLLM's `_parse_chat_message_content` and `_postprocess_messages` (vllm/entrypoints/chat_utils.py, main).
import { TokenizeError } from "./errors.ts";
import type { ChatMessage } from "./types.ts";

/** "string": content is one string; "openai": content is a list of {type: "text", text} parts. */
export type ContentFormat = "string" | "openai";

/** A message as the template sees it: a plain object (Jinja reads fields by name). */
export type ConversationMessage = Record<string, unknown>;

type TextPart = string | { readonly type: string; readonly [key: string]: unknown };

// Part types whose payload vLLM reads as text, and the field it reads.
const TEXT_PART_FIELDS: Readonly<Record<string, string>> = {
  text: "text",
  input_text: "text",
  output_text: "text",
  refusal: "refusal",
  thinking: "thinking",
};

/** Converts request messages; throws TokenizeError for non-text parts (llmux renders text-only prompts). */
export function toConversation(
  messages: readonly ChatMessage[],
  format: ContentFormat,
): ConversationMessage[] {
  return messages.map(function convertMessage(message, index) {
    const parts = parseParts(message.content, format, `messages[${index}].content`);
    const converted: ConversationMessage = {
      role: message.role,
      content: format === "openai" ? parts : parts.map(partText).join("\n"),
    };
    copyRoleFields(message, converted);
    return converted;
  });
}

function parseParts(content: unknown, format: ContentFormat, where: string): TextPart[] {
  if (content === null || content === undefined) return [];
  if (typeof content === "string") return [wrapText(content, format)];
  if (!Array.isArray(content)) {
    throw new TokenizeError("kvcache_chat_content_unsupported", where, "content must be a string or a list");
  }
  const parts: TextPart[] = [];
  for (const [index, part] of content.entries()) {
    const parsed = parseContentPart(part, format, `${where}[${index}]`);
    if (parsed !== null) parts.push(parsed);
  }
  return parts;
}

function parseContentPart(part: unknown, format: ContentFormat, where: string): TextPart | null {
  if (typeof part === "string") return wrapText(part, format);
  if (typeof part !== "object" || part === null) {
    throw new TokenizeError("kvcache_chat_content_unsupported", where, "a content part must be an object");
  }
  const record = part as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== "string") {
    throw new TokenizeError("kvcache_chat_content_unsupported", where, "missing 'type' field");
  }
  const field = TEXT_PART_FIELDS[type];
  if (field !== undefined) {
    const text = record[field];
    // vLLM skips text parts whose payload is missing rather than failing the request.
    return typeof text === "string" ? wrapText(text, format) : null;
  }
  if (type === "tool_reference" && typeof record.name === "string") {
    return format === "openai" ? { type: "tool_reference", name: record.name } : record.name;
  }
  throw new TokenizeError("kvcache_chat_content_unsupported", where, `part type '${type}' is not text`);
}

function wrapText(text: string, format: ContentFormat): TextPart {
  return format === "openai" ? { type: "text", text } : text;
}

function partText(part: TextPart): string {
  return typeof part === "string" ? part : String(part.text ?? part.name ?? "");
}

function copyRoleFields(message: ChatMessage, converted: ConversationMessage): void {
  if (message.role === "assistant") {
    const toolCalls = toTemplateToolCalls(message.tool_calls);
    if (toolCalls !== null) converted.tool_calls = toolCalls;
    if (message.reasoning !== null && message.reasoning !== undefined) {
      converted.reasoning = message.reasoning;
      converted.reasoning_content = message.reasoning;
    }
  } else if (message.role === "tool") {
    if ("tool_call_id" in message) converted.tool_call_id = message.tool_call_id;
    converted.content = flattenToolContent(converted.content);
  }
  if (typeof message.name === "string") converted.name = message.name;
  if (typeof message.task === "string") converted.task = message.task;
  if (message.role === "developer") converted.tools = message.tools ?? null;
}

// Tool results arrive as text-part lists from many clients; most templates expect a string.
function flattenToolContent(content: unknown): unknown {
  if (!Array.isArray(content)) return content;
  const parts = content as TextPart[];
  if (parts.some((part) => typeof part !== "string" && part.type !== "text")) return content;
  return parts.map(partText).join("\n");
}

// Templates expect arguments as objects (transformers' convention), so JSON strings are parsed;
// unparsable or absent arguments become {} and an empty list is dropped, as vLLM does.
function toTemplateToolCalls(toolCalls: unknown): unknown[] | null {
  if (toolCalls === null || toolCalls === undefined) return null;
  if (!Array.isArray(toolCalls)) return null;
  if (toolCalls.length === 0) return null;
  return toolCalls.map(function toTemplateToolCall(call: unknown) {
    if (typeof call !== "object" || call === null) return call;
    const record = call as Record<string, unknown>;
    const fn = record.function;
    if (typeof fn !== "object" || fn === null) return { ...record };
    const fnRecord = fn as Record<string, unknown>;
    return { ...record, function: { ...fnRecord, arguments: parseArguments(fnRecord.arguments) } };
  });
}

function parseArguments(value: unknown): unknown {
  if (typeof value === "string") {
    try {
      return JSON.parse(value);
    } catch {
      // vLLM renders malformed argument strings as {} instead of rejecting the request.
      return {};
    }
  }
  return typeof value === "object" && value !== null ? value : {};
}
