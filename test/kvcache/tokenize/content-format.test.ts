// Content-format detection: which templates loop over OpenAI content parts (vLLM's "openai" format).
import { describe, expect, test } from "bun:test";
import { Template } from "@huggingface/jinja";
import { detectContentFormat } from "../../../src/kvcache/tokenize/content-format.ts";
import { readFixtureJson } from "../../fixtures/models/index.ts";

function formatOf(template: string): string {
  return detectContentFormat(new Template(template).parsed);
}

describe("detectContentFormat", () => {
  test.each([
    [
      "content printed as a string",
      "{% for message in messages %}{{ message['content'] }}{% endfor %}",
      "string",
    ],
    [
      "loop over message['content']",
      "{% for message in messages %}{% for part in message['content'] %}{{ part.text }}{% endfor %}{% endfor %}",
      "openai",
    ],
    [
      "loop over message.content",
      "{% for m in messages %}{% for part in m.content %}{{ part.text }}{% endfor %}{% endfor %}",
      "openai",
    ],
    [
      "messages reached through an alias",
      "{% set loop_messages = messages %}{% for m in loop_messages %}{% for c in m.content %}{% endfor %}{% endfor %}",
      "openai",
    ],
    [
      "sliced messages and filtered content",
      "{% for m in messages[1:] %}{% for c in m['content'] | selectattr('type', 'equalto', 'text') %}{% endfor %}{% endfor %}",
      "openai",
    ],
    [
      "a loop with an inline condition",
      "{% for m in messages if m.role != 'system' %}{% for c in m.content %}{% endfor %}{% endfor %}",
      "openai",
    ],
    [
      "content of something that is not a message",
      "{% for c in document.content %}{{ c }}{% endfor %}",
      "string",
    ],
    [
      "a tuple loop target, which vLLM's detector rejects",
      "{% for m in messages %}{% for k, v in m.content %}{% endfor %}{% endfor %}",
      "string",
    ],
  ])("%s -> %s", (_name, template, expected) => {
    expect(formatOf(template)).toBe(expected);
  });

  test.each(["qwen3", "llama3"] as const)("the %s fixture template reads content as a string", (name) => {
    const template = readFixtureJson(name, "tokenizer_config.json").chat_template;
    expect(typeof template).toBe("string");
    expect(formatOf(String(template))).toBe("string");
  });
});
