// Serialises a request body into the text the approximate prefix index hashes, in the spirit of
// llm-d's estimate backend (llm-d-reference §2.1): tools first, then role + text per message.
// Fields that come first in the engine's rendered prompt come first here, so shared prefixes match.

/** The prompt-bearing text of an OpenAI/Anthropic request body, in prompt order. */
export function toPromptText(body: Readonly<Record<string, unknown>>): string {
  let text = "";
  if (body.tools !== undefined) text += `tools:${JSON.stringify(body.tools)}\n`;
  if (body.system !== undefined) text += `system:${contentText(body.system)}\n`;
  if (body.instructions !== undefined) text += `instructions:${contentText(body.instructions)}\n`;
  if (Array.isArray(body.messages)) {
    for (const message of body.messages) text += messageText(message);
    return text;
  }
  const source = body.prompt ?? body.input;
  if (Array.isArray(source)) {
    // Multi-prompt completions and responses input items: one chain over all of them, in order.
    for (const item of source)
      text += typeof item === "object" && item !== null ? messageText(item) : `${String(item)}\n`;
    return text;
  }
  return source === undefined ? text : text + contentText(source);
}

function messageText(message: unknown): string {
  if (typeof message !== "object" || message === null) return `${String(message)}\n`;
  const record = message as Record<string, unknown>;
  let text = `${typeof record.role === "string" ? record.role : ""}:${contentText(record.content)}`;
  if (record.tool_calls !== undefined) text += JSON.stringify(record.tool_calls);
  return `${text}\n`;
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (content === undefined || content === null) return "";
  if (!Array.isArray(content)) return JSON.stringify(content);
  let text = "";
  for (const part of content) text += partText(part);
  return text;
}

function partText(part: unknown): string {
  if (typeof part === "string") return part;
  if (typeof part !== "object" || part === null) return String(part);
  const record = part as Record<string, unknown>;
  if (typeof record.text === "string") return record.text;
  // Images and other media: a placeholder carrying the source, so different images do not match.
  return `<${typeof record.type === "string" ? record.type : "part"}:${JSON.stringify(record)}>`;
}
