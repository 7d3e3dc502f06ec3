// Chat rendering: hand-written expectations for the fixture models, and byte equality with Python Jinja2
// run as transformers runs it (test/fixtures/models/render-chat.py, needs python3-jinja2).
import { afterAll, describe, expect, test } from "bun:test";
import { join, resolve } from "node:path";
import {
  type ChatMessage,
  loadTokenizer,
  type PromptTokenizer,
  TokenizeError,
} from "../../../src/kvcache/tokenize/index.ts";
import { findPython, runPython } from "../../fixtures/hash/python.ts";
import { CHAT_CASES, type ChatCase, FIXED_NOW, WEATHER_TOOL } from "../../fixtures/models/chat-cases.ts";
import {
  type FixtureModel,
  fixtureModelDir,
  loadFixtureTokenizer,
  readFixtureJson,
  type TempModelDir,
  tempModelDir,
} from "../../fixtures/models/index.ts";

/** One case's output from render-chat.py. */
type PythonResult = { text: string } | { error: string };

const RENDER_SCRIPT = resolve(import.meta.dir, "../../fixtures/models/render-chat.py");

const SYSTEM_AND_USER = [
  { role: "system", content: "You are a helpful assistant." },
  { role: "user", content: "What is the capital of France?" },
];

const QWEN3_SYSTEM_AND_USER =
  "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n" +
  "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n";

const LLAMA3_SYSTEM_AND_USER =
  "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant.<|eot_id|>" +
  "<|start_header_id|>user<|end_header_id|>\n\nWhat is the capital of France?<|eot_id|>";

describe("Qwen3 chat template", () => {
  test("renders system and user with the generation prompt by default", async () => {
    const qwen3 = await loadFixtureTokenizer("qwen3");
    expect(qwen3.renderChat(SYSTEM_AND_USER)).toBe(`${QWEN3_SYSTEM_AND_USER}<|im_start|>assistant\n`);
  });

  test("omits the generation prompt when add_generation_prompt is false", async () => {
    const qwen3 = await loadFixtureTokenizer("qwen3");
    expect(qwen3.renderChat(SYSTEM_AND_USER, { addGenerationPrompt: false })).toBe(QWEN3_SYSTEM_AND_USER);
  });

  test("adds an empty think block when chat_template_kwargs disable thinking", async () => {
    const qwen3 = await loadFixtureTokenizer("qwen3");
    const text = qwen3.renderChat(SYSTEM_AND_USER, { chatTemplateKwargs: { enable_thinking: false } });
    expect(text).toBe(`${QWEN3_SYSTEM_AND_USER}<|im_start|>assistant\n<think>\n\n</think>\n\n`);
  });

  test("renders text content parts like the same text as a string", async () => {
    const qwen3 = await loadFixtureTokenizer("qwen3");
    const parts = [{ role: "user", content: [{ type: "text", text: "What is the capital of France?" }] }];
    const plain = [{ role: "user", content: "What is the capital of France?" }];
    expect(qwen3.renderChat(parts)).toBe(qwen3.renderChat(plain));
    expect(qwen3.encodeChat(parts)).toEqual(qwen3.encodeChat(plain));
  });

  test("passes tools to the template, with tool-call arguments as JSON objects", async () => {
    const qwen3 = await loadFixtureTokenizer("qwen3");
    const text = qwen3.renderChat(
      [
        { role: "user", content: "Weather in Paris?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "c1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
          ],
        },
        { role: "tool", tool_call_id: "c1", content: "18°C" },
      ],
      { tools: [WEATHER_TOOL] },
    );
    expect(text).toContain(
      '<tools>\n{"type": "function", "function": {"name": "get_weather", "description": "Get the weather", ' +
        '"parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}\n</tools>',
    );
    expect(text).toContain(
      '<|im_start|>assistant\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call><|im_end|>\n',
    );
    expect(text).toContain("<|im_start|>user\n<tool_response>\n18°C\n</tool_response><|im_end|>\n");
  });

  test("continue_final_message ends the prompt inside the last assistant turn", async () => {
    const qwen3 = await loadFixtureTokenizer("qwen3");
    const text = qwen3.renderChat(
      [
        { role: "user", content: "Hi" },
        { role: "assistant", content: "Hello, I am" },
      ],
      { continueFinalMessage: true },
    );
    expect(text).toBe(
      "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nHello, I am",
    );
  });
});

describe("Llama-3 chat template", () => {
  test("renders the header format with the BOS token from tokenizer_config.json", async () => {
    const llama3 = await loadFixtureTokenizer("llama3");
    expect(llama3.renderChat(SYSTEM_AND_USER)).toBe(
      `${LLAMA3_SYSTEM_AND_USER}<|start_header_id|>assistant<|end_header_id|>\n\n`,
    );
  });

  test("appends the assistant header even without add_generation_prompt, as this template is written", async () => {
    const llama3 = await loadFixtureTokenizer("llama3");
    expect(llama3.renderChat(SYSTEM_AND_USER, { addGenerationPrompt: false })).toBe(
      `${LLAMA3_SYSTEM_AND_USER}<|start_header_id|>assistant<|end_header_id|>\n\n`,
    );
  });

  test("prints strftime_now from the injected clock", async () => {
    const llama3 = await loadFixtureTokenizer("llama3");
    const text = llama3.renderChat([{ role: "user", content: "x" }], {
      chatTemplate: "{{ strftime_now('%a %d %b %Y') }}",
    });
    expect(text).toBe("Fri 07 Mar 2025");
  });
});

describe("cross-check with Python Jinja2", () => {
  test("every chat case renders byte-identically", async () => {
    const python = findPython(["jinja2"]);
    const tokenizers: Record<FixtureModel, PromptTokenizer> = {
      qwen3: await loadFixtureTokenizer("qwen3"),
      llama3: await loadFixtureTokenizer("llama3"),
    };
    const request = {
      now: [
        FIXED_NOW.getFullYear(),
        FIXED_NOW.getMonth() + 1,
        FIXED_NOW.getDate(),
        FIXED_NOW.getHours(),
        FIXED_NOW.getMinutes(),
        FIXED_NOW.getSeconds(),
      ],
      cases: CHAT_CASES.map(toPythonCase),
    };
    const results = JSON.parse(runPython(python, [RENDER_SCRIPT], JSON.stringify(request))) as PythonResult[];
    const rendered: Array<{ name: string; result: PythonResult | undefined }> = CHAT_CASES.map(
      (chatCase) => ({
        name: `${chatCase.model}: ${chatCase.name}`,
        result: { text: tokenizers[chatCase.model].renderChat(chatCase.messages, chatCase.options) },
      }),
    );
    expect(rendered).toEqual(
      CHAT_CASES.map((c, i) => ({ name: `${c.model}: ${c.name}`, result: results[i] })),
    );
  });
});

describe("template sources", () => {
  const created: TempModelDir[] = [];
  afterAll(() => {
    for (const dir of created) dir.remove();
  });

  // A model directory sharing the Llama-3 fixture's tokenizer.json, with its own config and templates.
  async function modelWith(config: object, files: Record<string, string> = {}): Promise<PromptTokenizer> {
    const tokenizerJson = join(fixtureModelDir("llama3"), "tokenizer.json");
    const made = tempModelDir(
      { "tokenizer_config.json": config, ...files },
      { "tokenizer.json": tokenizerJson },
    );
    created.push(made);
    return loadTokenizer(made.dir);
  }

  const USER: ChatMessage[] = [{ role: "user", content: "u" }];

  test("chat_template.jinja replaces the template in tokenizer_config.json", async () => {
    const tokenizer = await modelWith(
      { chat_template: "config" },
      { "chat_template.jinja": "file:{{ messages[0].content }}" },
    );
    expect(tokenizer.renderChat(USER)).toBe("file:u");
  });

  test("a template list uses default, tool_use when tools are given, and any name the request picks", async () => {
    const tokenizer = await modelWith(
      {
        chat_template: [
          { name: "default", template: "default" },
          { name: "tool_use", template: "tools:{{ tools | length }}" },
          { name: "rag", template: "rag" },
        ],
      },
      { "additional_chat_templates/terse.jinja": "terse" },
    );
    expect(tokenizer.renderChat(USER)).toBe("default");
    expect(tokenizer.renderChat(USER, { tools: [{ type: "function" }] })).toBe("tools:1");
    expect(tokenizer.renderChat(USER, { chatTemplate: "rag" })).toBe("rag");
    expect(tokenizer.renderChat(USER, { chatTemplate: "terse" })).toBe("terse");
    expect(tokenizer.renderChat(USER, { chatTemplate: "literal {{ add_generation_prompt }}" })).toBe(
      "literal true",
    );
  });

  test("renders content parts as a list for templates that loop over them", async () => {
    const tokenizer = await modelWith({
      chat_template:
        "{% for m in messages %}{% for p in m['content'] %}[{{ p.type }}:{{ p.text }}]{% endfor %}{% endfor %}",
    });
    const messages: ChatMessage[] = [
      {
        role: "user",
        content: [
          { type: "text", text: "a" },
          { type: "input_text", text: "b" },
        ],
      },
      { role: "user", content: "c" },
    ];
    expect(tokenizer.renderChat(messages)).toBe("[text:a][text:b][text:c]");
  });

  test("a model without a chat template loads, encodes, and refuses to render naming the field", async () => {
    const tokenizer = await modelWith({ eos_token: "<|end_of_text|>" });
    expect(tokenizer.encode("Hello world", false)).toEqual([9906, 1917]);
    expect(() => tokenizer.renderChat(USER)).toThrow(TokenizeError);
    expect(() => tokenizer.renderChat(USER)).toThrow("tokenizer_config.json chat_template");
  });
});

describe("rendering errors", () => {
  async function renderError(messages: readonly ChatMessage[], options: object): Promise<TokenizeError> {
    const llama3 = await loadFixtureTokenizer("llama3");
    try {
      llama3.renderChat(messages, options);
    } catch (error) {
      if (error instanceof TokenizeError) return error;
      throw error;
    }
    throw new Error("expected a TokenizeError");
  }

  test("raise_exception in a template becomes a render failure carrying its message", async () => {
    const error = await renderError([{ role: "user", content: "x" }], {
      chatTemplate: "{{ raise_exception('roles must alternate') }}",
    });
    expect(error.code).toBe("kvcache_chat_template_failed");
    expect(error.message).toContain("roles must alternate");
    expect(error.cause).toBeInstanceOf(Error);
  });

  test("a template that does not parse is reported as invalid", async () => {
    const error = await renderError([{ role: "user", content: "x" }], { chatTemplate: "{% for %}" });
    expect(error.code).toBe("kvcache_chat_template_invalid");
    expect(error.source).toBe("request chat_template");
  });

  test("continue_final_message with add_generation_prompt is rejected, as vLLM does", async () => {
    const error = await renderError([{ role: "assistant", content: "x" }], {
      continueFinalMessage: true,
      addGenerationPrompt: true,
    });
    expect(error.code).toBe("kvcache_chat_options_invalid");
  });

  test("chat_template and tokenize are rejected in chat_template_kwargs", async () => {
    const error = await renderError([{ role: "user", content: "x" }], {
      chatTemplateKwargs: { tokenize: true },
    });
    expect(error.code).toBe("kvcache_chat_options_invalid");
    expect(error.source).toBe("chat_template_kwargs");
  });
});

function toPythonCase(chatCase: ChatCase): Record<string, unknown> {
  const config = readFixtureJson(chatCase.model, "tokenizer_config.json");
  const variables: Record<string, unknown> = {};
  for (const key of ["bos_token", "eos_token", "unk_token", "pad_token", "additional_special_tokens"]) {
    if (config[key] !== null && config[key] !== undefined) variables[key] = config[key];
  }
  Object.assign(variables, chatCase.options.chatTemplateKwargs);
  return {
    template: chatCase.options.chatTemplate ?? config.chat_template,
    conversation: chatCase.conversation,
    tools: chatCase.options.tools ?? null,
    add_generation_prompt:
      chatCase.options.addGenerationPrompt ?? chatCase.options.continueFinalMessage !== true,
    continue_final_message: chatCase.options.continueFinalMessage === true,
    variables,
  };
}
