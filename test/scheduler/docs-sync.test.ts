// docs/plugins.md has one row per registered plugin, with its kind, stability, every parameter and the
// schema's defaults; and no row for a type that is not registered.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createBuiltinRegistry } from "../../src/scheduler/builtin.ts";

const doc = readFileSync(resolve(import.meta.dir, "../../docs/plugins.md"), "utf8");
const rows = new Map(
  doc
    .split("\n")
    .filter((line) => /^\| `[a-z0-9-]+` \|/.test(line))
    .map(
      (line) => [line.slice(3, line.indexOf("`", 3)), line.split(" | ").map((cell) => cell.trim())] as const,
    ),
);
const registrations = createBuiltinRegistry().list();

describe("docs/plugins.md", () => {
  test.each(registrations.map((r) => [r.type, r] as const))("documents %s", (type, registration) => {
    const cells = rows.get(type);
    expect(cells, `no row for ${type}`).toBeDefined();
    const [, kind, stability, parameters] = cells ?? [];
    expect(kind?.startsWith(registration.kind)).toBe(true);
    expect(stability).toBe(registration.stability);
    for (const name of registration.parameterNames) expect(parameters).toContain(`\`${name}`);
    const defaults = registration.params.safeParse({});
    if (defaults.success) {
      for (const [name, value] of Object.entries(defaults.data as Record<string, unknown>)) {
        expect(parameters).toContain(`\`${name}: ${JSON.stringify(value)}\``);
      }
    }
  });

  test("has no row for an unregistered type", () => {
    const registered = new Set(registrations.map((r) => r.type));
    expect([...rows.keys()].filter((type) => !registered.has(type))).toEqual([]);
  });
});
