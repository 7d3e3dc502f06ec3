// The operator files in scripts/: the Grafana dashboard's queries are valid PromQL (checked by
// promtool as recording rules) over metric names llmux and the engines really export, and the
// Prometheus example config passes `promtool check config`.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../../helpers/cli-process.ts";

interface Panel {
  readonly type: string;
  readonly title: string;
  readonly targets?: readonly { readonly expr: string }[];
}

const dashboard = JSON.parse(readFileSync(join(REPO_ROOT, "scripts/grafana-dashboard.json"), "utf8")) as {
  readonly uid: string;
  readonly panels: readonly Panel[];
};
const expressions = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

/** Grafana's variables replaced by what Grafana would send, so promtool can parse the query. */
function asPromQl(expr: string): string {
  return expr.replaceAll("$__rate_interval", "1m").replace(/\$[a-z_]+/g, ".*");
}

async function promtool(args: string[]): Promise<{ code: number; output: string }> {
  const child = Bun.spawn(["promtool", ...args], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { code, output: `${stdout}${stderr}` };
}

/** Every metric name registered under src/ (llmux_*) or exposed by the sim (vllm:*, as engines do). */
function exportedNames(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts")) {
        for (const m of readFileSync(path, "utf8").matchAll(/"((?:llmux_|vllm:)[a-z0-9_:]+)"/g))
          names.add(m[1] ?? "");
      }
    }
  };
  walk(join(REPO_ROOT, "src"));
  return names;
}

describe("scripts/grafana-dashboard.json", () => {
  test("has panels with queries, under a stable uid", () => {
    expect(dashboard.uid).toBe("llmux-overview");
    expect(dashboard.panels.filter((p) => p.type !== "row").every((p) => (p.targets ?? []).length > 0)).toBe(
      true,
    );
    expect(expressions.length).toBeGreaterThan(20);
  });

  test("every query is valid PromQL", async () => {
    const rules = expressions.map(
      (expr, i) => `      - record: llmux:panel_${i}\n        expr: ${JSON.stringify(asPromQl(expr))}`,
    );
    const file = join(mkdtempSync(join(tmpdir(), "llmux-grafana-")), "rules.yml");
    writeFileSync(file, `groups:\n  - name: grafana\n    rules:\n${rules.join("\n")}\n`);
    const checked = await promtool(["check", "rules", file]);
    expect(checked.output).toContain(`SUCCESS: ${expressions.length} rules found`);
    expect(checked.code).toBe(0);
  });

  test("queries only metrics that llmux registers or engines expose", () => {
    const names = exportedNames();
    const used = new Set(
      expressions.flatMap((e) =>
        [...e.matchAll(/(llmux_[a-z0-9_]+|vllm:[a-z0-9_]+)/g)].map((m) =>
          (m[1] ?? "").replace(/_(bucket|total)$/, (suffix) => (suffix === "_total" ? suffix : "")),
        ),
      ),
    );
    const missing = [...used].filter((name) => !names.has(name) && !names.has(name.replace(/_total$/, "")));
    expect(missing).toEqual([]);
  });
});

describe("scripts/prometheus-scrape.yml", () => {
  test("passes promtool check config", async () => {
    const checked = await promtool(["check", "config", join(REPO_ROOT, "scripts/prometheus-scrape.yml")]);
    expect(checked.output).toContain("SUCCESS");
    expect(checked.code).toBe(0);
  });
});
