// Every error code in a component's errors.ts catalogue is documented in docs/errors.md.
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { REPO_ROOT } from "../helpers/cli-process.ts";

function catalogueFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return catalogueFiles(path);
    return entry.name === "errors.ts" ? [path] : [];
  });
}

describe("error catalogue", () => {
  test("docs/errors.md lists every catalogued code", () => {
    const doc = readFileSync(resolve(REPO_ROOT, "docs/errors.md"), "utf8");
    const codes = catalogueFiles(resolve(REPO_ROOT, "src")).flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(/^\s+([a-z]+_[a-z_]+):/gm)].map((m) => m[1] ?? ""),
    );
    expect(codes.length).toBeGreaterThan(0);
    expect(codes.filter((code) => !doc.includes(`\`${code}\``))).toEqual([]);
  });
});
