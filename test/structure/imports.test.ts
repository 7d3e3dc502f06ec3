// Keeps the import arrows of DESIGN.md's module table true, and components' privacy (index.ts only).
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { REPO_ROOT } from "../helpers/cli-process.ts";

const SRC = resolve(REPO_ROOT, "src");

/** DESIGN.md "Modules": component -> components it may import. `cli` may import everything. */
const ALLOWED: Record<string, readonly string[]> = {
  config: [],
  telemetry: ["config"],
  pool: ["telemetry"],
  kvcache: ["pool", "telemetry"],
  scheduler: ["pool", "kvcache", "predictor"],
  predictor: [],
  flow: ["pool"],
  pd: ["scheduler", "gateway"],
  gateway: ["scheduler", "flow", "pd", "pool", "telemetry"],
  supervisor: ["pool", "telemetry"],
  sim: ["kvcache", "telemetry"],
  bench: ["scheduler", "sim", "kvcache"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

interface ImportEdge {
  readonly file: string;
  readonly from: string;
  readonly to: string;
  readonly target: string;
  readonly isTypeOnly: boolean;
}

function importEdges(): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const pattern = /^(?:import|export)\s+(type\s+)?[^;]*?from\s+"(\.[^"]+)"/gm;
  for (const file of sourceFiles(SRC)) {
    const from = relative(SRC, file).split("/")[0] ?? "";
    if (from.endsWith(".ts")) continue; // src/main.ts is the entry point, outside every component
    const text = readFileSync(file, "utf8");
    for (const match of text.matchAll(pattern)) {
      const target = relative(SRC, resolve(file, "..", match[2] ?? ""));
      const to = target.split("/")[0] ?? "";
      if (to === from || target.startsWith("..") || !target.includes("/")) continue;
      edges.push({ file: relative(SRC, file), from, to, target, isTypeOnly: match[1] !== undefined });
    }
  }
  return edges;
}

describe("module structure", () => {
  const edges = importEdges();

  test("imports between components follow DESIGN.md's arrows", () => {
    // Config types are the shared vocabulary: a type-only import of config/ is allowed anywhere.
    const bad = edges
      .filter((e) => e.from !== "cli" && !(e.to === "config" && e.isTypeOnly))
      .filter((e) => !(ALLOWED[e.from] ?? []).includes(e.to))
      .map((e) => `${e.file} -> ${e.target}`);
    expect(bad).toEqual([]);
  });

  test("nothing imports cli/", () => {
    expect(edges.filter((e) => e.to === "cli").map((e) => e.file)).toEqual([]);
  });

  test("other components are imported only through their index.ts", () => {
    const bad = edges
      .filter((e) => !/^[a-z-]+\/index\.ts$/.test(e.target))
      .map((e) => `${e.file} -> ${e.target}`);
    expect(bad).toEqual([]);
  });

  test("every component folder has an index.ts", () => {
    for (const component of [...Object.keys(ALLOWED), "cli"]) {
      expect(readdirSync(join(SRC, component))).toContain("index.ts");
    }
  });
});
