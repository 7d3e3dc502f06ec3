// `llmux bench --gateway-overhead` as a user runs it: it starts its own sim and gateway as children,
// prints the overhead table and writes the JSON, and leaves no child behind.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runLlmux } from "../../helpers/cli-process.ts";

const dir = mkdtempSync(join(tmpdir(), "llmux-bench-overhead-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("llmux bench --gateway-overhead", () => {
  test("prints direct, gateway and added rows for short and streaming responses", async () => {
    const out = join(dir, "overhead.json");
    const args = ["--requests", "40", "--concurrency", "4", "--duration", "0.5", "--stream-tokens", "8"];
    const result = await runLlmux(["bench", "--gateway-overhead", ...args, "--out", out]);
    expect(result.stderr).not.toContain("did not start");
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toBe(
      "| response | path | first byte p50 | first byte p99 | complete p50 | complete p99 | requests/s (4 clients) |",
    );
    const rows = lines.slice(2).map((line) => line.split("|").map((cell) => cell.trim()));
    expect(rows.map((cells) => `${cells[1]} / ${cells[2]}`)).toEqual([
      "short (1 token) / direct to the sim",
      "short (1 token) / through llmux gateway",
      "short (1 token) / added by the gateway",
      "streaming (8 tokens) / direct to the sim",
      "streaming (8 tokens) / through llmux gateway",
      "streaming (8 tokens) / added by the gateway",
    ]);
    for (const cells of rows) expect(cells[3]).toMatch(/^[+−]?\d+\.\d\d ms$/);
    expect(rows[2]?.[7]).toMatch(/^\d+ % of direct$/);
    const pids = [...result.stderr.matchAll(/started (?:sim|gateway) \(pid (\d+)\)/g)].map((m) =>
      Number(m[1]),
    );
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    const json = JSON.parse(readFileSync(out, "utf8"));
    expect(json.kinds.map((k: { kind: string }) => k.kind)).toEqual(["short", "streaming"]);
    expect(json.kinds[0].gateway.requestsPerS).toBeGreaterThan(0);
  }, 90_000);

  test("refuses --simulate and --url", async () => {
    const result = await runLlmux(["bench", "--gateway-overhead", "--simulate", "--url", "http://x"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("--gateway-overhead and --simulate exclude each other");
    expect(result.stderr).toContain("--gateway-overhead starts its own sim");
  });
});
