// The Jinja globals given to chat templates: constants, range, raise_exception, the injected clock.
import { describe, expect, test } from "bun:test";
import { Template } from "@huggingface/jinja";
import { createTemplateGlobals, runTemplate } from "../../../src/kvcache/tokenize/template-environment.ts";

const globals = createTemplateGlobals(() => new Date(2030, 5, 15, 8, 0, 0));

function render(template: string, variables: Record<string, unknown> = {}): string {
  return runTemplate(new Template(template), globals, variables);
}

describe("template globals", () => {
  test("range behaves like Python's, including negative steps", () => {
    expect(render("{% for i in range(3) %}{{ i }}{% endfor %}")).toBe("012");
    expect(render("{% for i in range(1, 7, 2) %}{{ i }}{% endfor %}")).toBe("135");
    expect(render("{% for i in range(5, 0, -2) %}{{ i }}{% endfor %}")).toBe("531");
  });

  test("strftime_now reads the injected clock", () => {
    expect(render("{{ strftime_now('%d %B %Y') }}")).toBe("15 June 2030");
  });

  test("raise_exception throws the template's message", () => {
    expect(() => render("{{ raise_exception('bad roles') }}")).toThrow("bad roles");
  });

  test("constants exist in both cases, and variables shadow globals", () => {
    expect(render("{{ true }} {{ True }} {{ none is none }}")).toBe("true true true");
    expect(render("{{ strftime_now }}", { strftime_now: "shadowed" })).toBe("shadowed");
  });

  test("one globals scope serves many renders without leaking their variables", () => {
    expect(render("{% set x = 1 %}{{ x }}")).toBe("1");
    expect(render("{{ x is defined }}")).toBe("false");
  });
});
