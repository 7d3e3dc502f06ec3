import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { ConfigSchema } from "../../src/config/index.ts";
import { REPO_ROOT } from "../helpers/cli-process.ts";

/** Every key name reachable in the schema, with the dotted path where it first appears. */
function schemaKeys(schema: z.ZodType, prefix: string, out: Map<string, string>): void {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) {
    for (const [key, child] of Object.entries(inner.shape as Record<string, z.ZodType>)) {
      const path = prefix === "" ? key : `${prefix}.${key}`;
      if (!out.has(key)) out.set(key, path);
      schemaKeys(child, path, out);
    }
  } else if (inner instanceof z.ZodArray) {
    schemaKeys(inner.element as z.ZodType, `${prefix}[]`, out);
  }
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (;;) {
    const def = (current as unknown as { _zod: { def: { innerType?: z.ZodType; in?: z.ZodType } } })._zod.def;
    if (def.innerType !== undefined) current = def.innerType;
    else if (def.in !== undefined) current = def.in;
    else return current;
  }
}

describe("config.yaml.example", () => {
  test("documents every key of the schema", () => {
    const text = readFileSync(resolve(REPO_ROOT, "config.yaml.example"), "utf8");
    const keys = new Map<string, string>();
    schemaKeys(ConfigSchema, "", keys);
    const missing = [...keys]
      .filter(([key]) => !new RegExp(`^[\\s#-]*${key}:`, "m").test(text))
      .map(([, p]) => p);
    expect(missing).toEqual([]);
    expect(keys.size).toBeGreaterThan(50);
  });
});
