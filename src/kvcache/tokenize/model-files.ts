// Reads and validates the tokenizer files of a Hugging Face model directory: tokenizer.json,
// tokenizer_config.json and the chat templates transformers would load from the same directory.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { TokenizeError } from "./errors.ts";

export const TOKENIZER_JSON = "tokenizer.json";
export const TOKENIZER_CONFIG_JSON = "tokenizer_config.json";
export const CHAT_TEMPLATE_JINJA = "chat_template.jinja";
export const ADDITIONAL_CHAT_TEMPLATES_DIR = "additional_chat_templates";

/** A special token in tokenizer_config.json: a string or a serialised AddedToken ({content, ...}). */
const SpecialTokenSchema = z.union([z.string(), z.looseObject({ content: z.string() })]).nullish();

const TokenizerConfigSchema = z.looseObject({
  chat_template: z
    .union([z.string(), z.array(z.looseObject({ name: z.string(), template: z.string() }))])
    .nullish(),
  bos_token: SpecialTokenSchema,
  eos_token: SpecialTokenSchema,
  unk_token: SpecialTokenSchema,
  pad_token: SpecialTokenSchema,
  sep_token: SpecialTokenSchema,
  cls_token: SpecialTokenSchema,
  mask_token: SpecialTokenSchema,
  additional_special_tokens: z.array(SpecialTokenSchema).nullish(),
  clean_up_tokenization_spaces: z.boolean().nullish(),
});

// Only the fields llmux reads are checked; the vocabulary and merges are left to the tokenizer library.
const TokenizerJsonSchema = z.looseObject({
  model: z.looseObject({ type: z.string().optional() }),
  added_tokens: z.array(
    z.looseObject({
      id: z.number().int().nonnegative(),
      content: z.string(),
      special: z.boolean(),
      lstrip: z.boolean().optional(),
      rstrip: z.boolean().optional(),
      normalized: z.boolean().optional(),
    }),
  ),
  normalizer: z.unknown().optional(),
  pre_tokenizer: z.unknown().optional(),
});

export type TokenizerConfig = z.infer<typeof TokenizerConfigSchema>;
export type TokenizerJson = z.infer<typeof TokenizerJsonSchema>;

/** The special-token attributes transformers exposes to chat templates (`special_tokens_map`). */
export const SPECIAL_TOKEN_KEYS = [
  "bos_token",
  "eos_token",
  "unk_token",
  "sep_token",
  "pad_token",
  "cls_token",
  "mask_token",
] as const;

export interface ModelFiles {
  readonly dir: string;
  readonly tokenizerJson: TokenizerJson;
  readonly tokenizerConfig: TokenizerConfig;
  /** Chat templates by name; a single template is named "default". Empty for base models. */
  readonly chatTemplates: ReadonlyMap<string, string>;
  /** Where the templates came from, for error messages. */
  readonly chatTemplateSource: string;
}

/** Reads the model directory; throws TokenizeError naming the file when one is missing or malformed. */
export async function readModelFiles(dir: string): Promise<ModelFiles> {
  // The small config first, so a broken directory fails before the 10 MB tokenizer.json is parsed.
  const tokenizerConfig = parseWith(
    TokenizerConfigSchema,
    await readJson(dir, TOKENIZER_CONFIG_JSON),
    TOKENIZER_CONFIG_JSON,
  );
  const tokenizerJson = parseWith(TokenizerJsonSchema, await readJson(dir, TOKENIZER_JSON), TOKENIZER_JSON);
  const { templates, source } = await readChatTemplates(dir, tokenizerConfig);
  return { dir, tokenizerJson, tokenizerConfig, chatTemplates: templates, chatTemplateSource: source };
}

/** The text of a special token from tokenizer_config.json, or null when unset. */
export function specialTokenText(value: z.infer<typeof SpecialTokenSchema>): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === "string" ? value : value.content;
}

// transformers (>= 4.47) lets chat_template.jinja replace the template in tokenizer_config.json and
// adds named templates from additional_chat_templates/*.jinja, so they are read with that priority.
async function readChatTemplates(
  dir: string,
  config: TokenizerConfig,
): Promise<{ templates: Map<string, string>; source: string }> {
  const templates = new Map<string, string>();
  const fileTemplate = await readOptionalText(join(dir, CHAT_TEMPLATE_JINJA));
  const configured = config.chat_template;
  if (fileTemplate !== null) templates.set("default", fileTemplate);
  else if (typeof configured === "string") templates.set("default", configured);
  else for (const entry of configured ?? []) templates.set(entry.name, entry.template);
  for (const [name, text] of await readAdditionalTemplates(dir)) templates.set(name, text);
  const source =
    fileTemplate === null
      ? `${join(dir, TOKENIZER_CONFIG_JSON)} chat_template`
      : join(dir, CHAT_TEMPLATE_JINJA);
  return { templates, source };
}

async function readAdditionalTemplates(dir: string): Promise<Array<[string, string]>> {
  const folder = join(dir, ADDITIONAL_CHAT_TEMPLATES_DIR);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (cause) {
    if (isNotFound(cause)) return [];
    throw new TokenizeError("kvcache_tokenizer_file_invalid", folder, "cannot list directory", { cause });
  }
  const entries: Array<[string, string]> = [];
  for (const name of names.filter((n) => n.endsWith(".jinja")).sort()) {
    const text = await readOptionalText(join(folder, name));
    if (text !== null) entries.push([name.slice(0, -".jinja".length), text]);
  }
  return entries;
}

async function readJson(dir: string, fileName: string): Promise<unknown> {
  const path = join(dir, fileName);
  const text = await readOptionalText(path);
  if (text === null) {
    throw new TokenizeError("kvcache_tokenizer_file_missing", path, `${fileName} not found in ${dir}`);
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new TokenizeError("kvcache_tokenizer_file_invalid", path, String(cause), { cause });
  }
}

async function readOptionalText(path: string): Promise<string | null> {
  try {
    return await readFile(path, "utf8");
  } catch (cause) {
    if (isNotFound(cause)) return null;
    throw new TokenizeError("kvcache_tokenizer_file_invalid", path, "cannot read file", { cause });
  }
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, fileName: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`,
  );
  throw new TokenizeError("kvcache_tokenizer_file_invalid", fileName, problems.join("; "), {
    cause: result.error,
  });
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && "code" in error && (error.code === "ENOENT" || error.code === "ENOTDIR");
}
