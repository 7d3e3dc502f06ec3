// Renders chat messages through a Jinja chat template the way vLLM does via transformers'
// `apply_chat_template`: template choice, variables, content format and continue_final_message.
import { type Environment, Template } from "@huggingface/jinja";
import { type ContentFormat, type ConversationMessage, toConversation } from "./chat-messages.ts";
import { detectContentFormat } from "./content-format.ts";
import { TokenizeError } from "./errors.ts";
import { createTemplateGlobals, runTemplate } from "./template-environment.ts";
import type { ChatMessage, ChatRenderOptions } from "./types.ts";

/** Template variables transformers takes from the tokenizer (`special_tokens_map`). */
export type SpecialTokenVariables = Readonly<Record<string, string | readonly string[]>>;

export interface ChatRendererDeps {
  /** Named templates of the model; "default" is used unless tools select "tool_use". */
  readonly templates: ReadonlyMap<string, string>;
  /** Names the templates' origin (file and field) in error messages. */
  readonly templateSource: string;
  readonly specialTokens: SpecialTokenVariables;
  /** Clock for `strftime_now`; injected so simulated runs render reproducibly. */
  readonly now: () => Date;
}

interface CompiledTemplate {
  readonly template: Template;
  readonly contentFormat: ContentFormat;
}

// Bounded like vLLM's lru_cache(maxsize=32) on content-format detection: request-supplied
// templates must not grow memory without limit.
const MAX_CACHED_TEMPLATES = 32;

// vLLM rejects these in chat_template_kwargs (`resolve_chat_template_kwargs`).
const REJECTED_KWARGS = ["chat_template", "tokenize"];

/** Renders conversations for one model; templates are parsed once and cached. */
export class ChatRenderer {
  readonly #deps: ChatRendererDeps;
  readonly #compiled = new Map<string, CompiledTemplate | TokenizeError>();
  readonly #globals: Environment;

  constructor(deps: ChatRendererDeps) {
    this.#deps = deps;
    this.#globals = createTemplateGlobals(deps.now);
    // Parse the model's own templates up front so the cost is paid at load, not per request.
    for (const [name, text] of deps.templates) this.#compile(text, `${deps.templateSource} (${name})`);
  }

  /** The prompt text; throws TokenizeError on a missing or failing template or conflicting options. */
  render(messages: readonly ChatMessage[], options: ChatRenderOptions = {}): string {
    checkOptions(options);
    const continueFinal = options.continueFinalMessage === true;
    const { text, source } = this.#resolveTemplate(options);
    const compiled = this.#compile(text, source);
    if (compiled instanceof TokenizeError) throw compiled;
    const conversation = toConversation(messages, compiled.contentFormat);
    const variables = {
      ...this.#deps.specialTokens,
      documents: null,
      ...options.chatTemplateKwargs,
      messages: conversation,
      tools: options.tools ?? null,
      add_generation_prompt: options.addGenerationPrompt ?? !continueFinal,
    };
    const rendered = renderTemplate(compiled.template, this.#globals, variables, source);
    return continueFinal ? cutAfterFinalMessage(rendered, conversation) : rendered;
  }

  // transformers' get_chat_template: a request template given by name or as text, else
  // "tool_use" when tools are present and the model has one, else "default".
  #resolveTemplate(options: ChatRenderOptions): { text: string; source: string } {
    const { templates, templateSource } = this.#deps;
    const requested = options.chatTemplate;
    if (requested !== null && requested !== undefined) {
      const named = templates.get(requested);
      return named === undefined
        ? { text: requested, source: "request chat_template" }
        : { text: named, source: `${templateSource} (${requested})` };
    }
    const name =
      options.tools !== null && options.tools !== undefined && templates.has("tool_use")
        ? "tool_use"
        : "default";
    const text = templates.get(name);
    if (text === undefined) {
      const detail =
        templates.size === 0
          ? "no chat_template in tokenizer_config.json and no chat_template.jinja; pass chat_template"
          : `no template named "default" among ${[...templates.keys()].join(", ")}`;
      throw new TokenizeError("kvcache_chat_template_missing", templateSource, detail);
    }
    return { text, source: `${templateSource} (${name})` };
  }

  #compile(text: string, source: string): CompiledTemplate | TokenizeError {
    const cached = this.#compiled.get(text);
    if (cached !== undefined) return cached;
    const compiled = compileTemplate(text, source);
    if (this.#compiled.size >= MAX_CACHED_TEMPLATES + this.#deps.templates.size) {
      const oldestRequestTemplate = [...this.#compiled.keys()].find((key) => !this.#isModelTemplate(key));
      if (oldestRequestTemplate !== undefined) this.#compiled.delete(oldestRequestTemplate);
    }
    this.#compiled.set(text, compiled);
    return compiled;
  }

  #isModelTemplate(text: string): boolean {
    for (const modelText of this.#deps.templates.values()) if (modelText === text) return true;
    return false;
  }
}

function checkOptions(options: ChatRenderOptions): void {
  if (options.continueFinalMessage === true && options.addGenerationPrompt === true) {
    throw new TokenizeError(
      "kvcache_chat_options_invalid",
      "add_generation_prompt",
      "continue_final_message and add_generation_prompt cannot both be true",
    );
  }
  const kwargs = options.chatTemplateKwargs ?? {};
  const rejected = REJECTED_KWARGS.filter((key) => key in kwargs);
  if (rejected.length > 0) {
    throw new TokenizeError("kvcache_chat_options_invalid", "chat_template_kwargs", `unexpected ${rejected}`);
  }
}

function compileTemplate(text: string, source: string): CompiledTemplate | TokenizeError {
  try {
    const template = new Template(text);
    return { template, contentFormat: detectContentFormat(template.parsed) };
  } catch (cause) {
    return new TokenizeError("kvcache_chat_template_invalid", source, errorMessage(cause), { cause });
  }
}

function renderTemplate(
  template: Template,
  globals: Environment,
  variables: Readonly<Record<string, unknown>>,
  source: string,
): string {
  try {
    return runTemplate(template, globals, variables);
  } catch (cause) {
    throw new TokenizeError("kvcache_chat_template_failed", source, errorMessage(cause), { cause });
  }
}

// transformers' continue_final_message: cut the rendered text right after the last occurrence of
// the final message's content, dropping the end-of-turn tokens the template appended.
function cutAfterFinalMessage(rendered: string, conversation: readonly ConversationMessage[]): string {
  const finalText = finalMessageText(conversation.at(-1)?.content);
  const stripped = finalText.trim();
  const at = rendered.lastIndexOf(stripped);
  if (at < 0) {
    throw new TokenizeError(
      "kvcache_chat_template_failed",
      "continue_final_message",
      "the final message does not appear in the chat after applying the chat template",
    );
  }
  const leftTrimmedLength = finalText.trimStart().length;
  // Keep the message's trailing whitespace when the template preserved it; else end at its last
  // non-space character.
  if (rendered.slice(at, at + leftTrimmedLength) === finalText)
    return rendered.slice(0, at + leftTrimmedLength);
  return rendered.slice(0, at + stripped.length);
}

// The final message's text: its string content, or its last text part in the "openai" format.
function finalMessageText(content: unknown): string {
  if (typeof content === "string") return content;
  const parts: unknown[] = Array.isArray(content) ? [...content].reverse() : [];
  for (const part of parts) {
    if (typeof part === "object" && part !== null && "text" in part && typeof part.text === "string") {
      return part.text;
    }
  }
  throw new TokenizeError(
    "kvcache_chat_options_invalid",
    "continue_final_message",
    "the final message has no text to continue",
  );
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
