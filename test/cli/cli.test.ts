import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runLlmux } from "../helpers/cli-process.ts";

const SUBCOMMANDS = ["up", "gateway", "sim", "bench", "status", "check-config", "systemd-unit", "version"];

describe("llmux CLI", () => {
  test("version prints llmux version, commit and Bun version", async () => {
    const result = await runLlmux(["version"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^llmux \d+\.\d+\.\d+ \(commit \S+, bun \d+\.\d+\.\d+\)\n$/);
  });

  test.each(SUBCOMMANDS)("%s --help exits 0 and shows the common flags", async (command) => {
    const result = await runLlmux([command, "--help"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`llmux ${command}`);
    expect(result.stdout).toContain("--set <key.path=value>");
  });

  test("an unknown subcommand names the offender, prints usage and exits 2", async () => {
    const result = await runLlmux(["frobnicate"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe("llmux: unknown command 'frobnicate'");
    expect(result.stderr).toContain("Commands:");
  });

  test("an unknown flag names the offender, prints usage and exits 2", async () => {
    const result = await runLlmux(["up", "--frobnicate"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe("llmux up: unknown flag --frobnicate");
    expect(result.stderr).toContain("Usage: llmux up");
  });

  test("a bad flag value is rejected with exit 2", async () => {
    const result = await runLlmux(["up", "--port", "eighty"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--port: expected a whole number, got "eighty"');
  });

  test("check-config accepts config.yaml.example", async () => {
    const result = await runLlmux(["check-config", "-c", "config.yaml.example"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("config.yaml.example: ok");
  });

  test("check-config reports every planted mistake and exits 2", async () => {
    const path = join(tmpdir(), `llmux-cli-${process.pid}.yaml`);
    writeFileSync(path, "gateway:\n  port: -1\n  bogus: true\ntelemetry:\n  log_format: xml\n");
    const result = await runLlmux(["check-config", "-c", path]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("gateway.port: expected >= 0, got -1");
    expect(result.stderr).toContain("gateway.bogus: unknown key");
    expect(result.stderr).toContain('telemetry.log_format: expected one of "json" | "pretty", got "xml"');
  });

  test("check-config reports scheduler plugin and flow policy parameters as up would", async () => {
    const path = join(tmpdir(), `llmux-cli-plugins-${process.pid}.yaml`);
    writeFileSync(
      path,
      [
        "scheduler:",
        "  plugins:",
        "    - type: queue-scorer",
        "    - type: no-such-scorer",
        "flow:",
        "  enabled: true",
        "  fairness_policy: { type: round-robin-fairness-policy, parameters: { bogus: 1 } }",
        "",
      ].join("\n"),
    );
    const result = await runLlmux(["check-config", "-c", path]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("scheduler.plugins[1].type");
    expect(result.stderr).toContain("no-such-scorer");
    expect(result.stderr).toContain("flow.fairness_policy.parameters");
  });

  test("--set overrides reach validation", async () => {
    const result = await runLlmux(["check-config", "--set", "gateway.port=abc"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('gateway.port: expected number, got "abc"');
  });

  test("bench without a target names the missing flag and exits 2", async () => {
    const result = await runLlmux(["bench"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(
      "llmux bench: --url: a real-time run needs --url (or use --simulate or --gateway-overhead)",
    );
  });
});
