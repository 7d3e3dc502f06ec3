// Reading a model directory: which files and fields are required, and where chat templates come from.
import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { TokenizeError } from "../../../src/kvcache/tokenize/index.ts";
import { readModelFiles, specialTokenText } from "../../../src/kvcache/tokenize/model-files.ts";
import { type TempModelDir, tempModelDir } from "../../fixtures/models/index.ts";

const created: TempModelDir[] = [];
afterAll(() => {
  for (const dir of created) dir.remove();
});

const TINY_TOKENIZER = { model: { type: "BPE" }, added_tokens: [{ id: 0, content: "<s>", special: true }] };

function modelDir(files: Record<string, string | object>): string {
  const made = tempModelDir(files);
  created.push(made);
  return made.dir;
}

async function readError(dir: string): Promise<TokenizeError> {
  const error = await readModelFiles(dir).catch((caught: unknown) => caught);
  if (!(error instanceof TokenizeError)) throw new Error(`expected a TokenizeError, got ${String(error)}`);
  return error;
}

describe("required files", () => {
  test("names tokenizer.json when it is missing", async () => {
    const dir = modelDir({ "tokenizer_config.json": {} });
    const error = await readError(dir);
    expect(error.code).toBe("kvcache_tokenizer_file_missing");
    expect(error.source).toBe(join(dir, "tokenizer.json"));
    expect(error.message).toContain(`tokenizer.json not found in ${dir}`);
  });

  test("names tokenizer_config.json when it is missing", async () => {
    const error = await readError(modelDir({ "tokenizer.json": TINY_TOKENIZER }));
    expect(error.code).toBe("kvcache_tokenizer_file_missing");
    expect(error.source).toEndWith("tokenizer_config.json");
  });

  test("reports a missing directory as missing files", async () => {
    expect((await readError("/nonexistent/llmux-model")).code).toBe("kvcache_tokenizer_file_missing");
  });

  test("reports malformed JSON with the parser error as cause", async () => {
    const error = await readError(
      modelDir({ "tokenizer.json": TINY_TOKENIZER, "tokenizer_config.json": "{ nope" }),
    );
    expect(error.code).toBe("kvcache_tokenizer_file_invalid");
    expect(error.source).toEndWith("tokenizer_config.json");
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  test("names each field whose type is wrong", async () => {
    const error = await readError(
      modelDir({
        "tokenizer.json": { model: {}, added_tokens: [{ id: "x", content: "<s>", special: true }] },
        "tokenizer_config.json": {},
      }),
    );
    expect(error.code).toBe("kvcache_tokenizer_file_invalid");
    expect(error.source).toBe("tokenizer.json");
    expect(error.message).toContain("added_tokens.0.id");
  });

  test("names chat_template when it is neither a string nor a list of named templates", async () => {
    const error = await readError(
      modelDir({ "tokenizer.json": TINY_TOKENIZER, "tokenizer_config.json": { chat_template: 5 } }),
    );
    expect(error.message).toContain("chat_template");
  });
});

describe("chat templates", () => {
  test("a string chat_template is the default template", async () => {
    const dir = modelDir({
      "tokenizer.json": TINY_TOKENIZER,
      "tokenizer_config.json": { chat_template: "T" },
    });
    const files = await readModelFiles(dir);
    expect([...files.chatTemplates]).toEqual([["default", "T"]]);
    expect(files.chatTemplateSource).toBe(`${join(dir, "tokenizer_config.json")} chat_template`);
  });

  test("a list of named templates keeps every name", async () => {
    const config = {
      chat_template: [
        { name: "default", template: "D" },
        { name: "tool_use", template: "U" },
      ],
    };
    const files = await readModelFiles(
      modelDir({ "tokenizer.json": TINY_TOKENIZER, "tokenizer_config.json": config }),
    );
    expect([...files.chatTemplates]).toEqual([
      ["default", "D"],
      ["tool_use", "U"],
    ]);
  });

  test("chat_template.jinja wins over the config, and additional_chat_templates add named ones", async () => {
    const dir = modelDir({
      "tokenizer.json": TINY_TOKENIZER,
      "tokenizer_config.json": { chat_template: "from config" },
      "chat_template.jinja": "from file",
      "additional_chat_templates/rag.jinja": "rag",
      "additional_chat_templates/notes.txt": "ignored",
    });
    const files = await readModelFiles(dir);
    expect([...files.chatTemplates]).toEqual([
      ["default", "from file"],
      ["rag", "rag"],
    ]);
    expect(files.chatTemplateSource).toBe(join(dir, "chat_template.jinja"));
  });

  test("a base model without templates reads fine", async () => {
    const files = await readModelFiles(
      modelDir({ "tokenizer.json": TINY_TOKENIZER, "tokenizer_config.json": {} }),
    );
    expect(files.chatTemplates.size).toBe(0);
  });
});

describe("specialTokenText", () => {
  test("reads strings, serialised AddedTokens and unset tokens", () => {
    expect(specialTokenText("<s>")).toBe("<s>");
    expect(specialTokenText({ content: "<s>", lstrip: false })).toBe("<s>");
    expect(specialTokenText(null)).toBeNull();
    expect(specialTokenText(undefined)).toBeNull();
  });
});
