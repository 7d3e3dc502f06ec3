import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ConfigError, loadConfig } from "../../src/config/index.ts";
import { REPO_ROOT } from "../helpers/cli-process.ts";

function writeTemp(name: string, text: string): string {
  const path = join(tmpdir(), `llmux-config-${process.pid}-${name}`);
  writeFileSync(path, text);
  return path;
}

function problemsOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  test("the embedded default describes four engines of one model on 127.0.0.1:8000", () => {
    const { config, isEmbeddedDefault } = loadConfig({ env: {} });
    expect(isEmbeddedDefault).toBe(true);
    expect(config.engines).toHaveLength(1);
    expect(config.engines[0]?.replicas).toBe(4);
    expect(config.gateway.host).toBe("127.0.0.1");
    expect(config.gateway.port).toBe(8000);
    expect(config.supervisor.engine).toBe("auto");
  });

  test("config.yaml.example validates", () => {
    const { config } = loadConfig({ path: resolve(REPO_ROOT, "config.yaml.example"), env: {} });
    expect(config.engines.length).toBeGreaterThan(0);
  });

  test("reports all three planted mistakes with their paths at once", () => {
    const path = writeTemp(
      "three.yaml",
      [
        "gateway:",
        "  port: 70000",
        "scheduler:",
        "  schedulingProfiles:",
        "    - name: default",
        "      plugins:",
        "        - pluginRef: queue",
        "        - pluginRef: kv",
        "        - pluginRef: prefix",
        '          weight: "high"',
        "engines:",
        "  - model: m",
        "    role: sideways",
      ].join("\n"),
    );
    const error = problemsOf(() => loadConfig({ path, env: {} }));
    const lines = error.problems.map((p) => `${p.path}: ${p.message}`);
    expect(lines).toContain("gateway.port: expected <= 65535, got 70000");
    expect(lines).toContain('scheduler.schedulingProfiles[0].plugins[2].weight: expected number, got "high"');
    expect(lines.some((l) => l.startsWith("engines[0].role: expected one of"))).toBe(true);
    expect(error.problems).toHaveLength(3);
  });

  test("a YAML syntax error names the line and column", () => {
    const path = writeTemp("syntax.yaml", "gateway:\n  port: 8000\n  host: [unclosed\n");
    const error = problemsOf(() => loadConfig({ path, env: {} }));
    expect(error.code).toBe("config_yaml_syntax");
    expect(error.problems[0]?.path).toMatch(new RegExp(`${path.replaceAll(".", "\\.")}:\\d+:\\d+$`));
  });

  test("unknown keys are named", () => {
    const path = writeTemp("unknown.yaml", "gateway:\n  prot: 1\n");
    const error = problemsOf(() => loadConfig({ path, env: {} }));
    expect(error.problems).toEqual([{ path: "gateway.prot", message: "unknown key" }]);
  });

  test("a missing file is reported, not thrown raw", () => {
    const error = problemsOf(() => loadConfig({ path: "/nonexistent/llmux.yaml", env: {} }));
    expect(error.code).toBe("config_file_unreadable");
    expect(error.problems[0]?.message).toContain("ENOENT");
  });

  test("--set overrides parse values as YAML and index lists", () => {
    const { config } = loadConfig({
      env: {},
      sets: ["gateway.port=9001", "engines[0].gpus=[0,1]", "telemetry.log_level=debug"],
    });
    expect(config.gateway.port).toBe(9001);
    expect(config.engines[0]?.gpus).toEqual([0, 1]);
    expect(config.telemetry.log_level).toBe("debug");
  });

  test("a malformed --set is a config_set_invalid error", () => {
    const error = problemsOf(() => loadConfig({ env: {}, sets: ["novalue"] }));
    expect(error.code).toBe("config_set_invalid");
  });

  test("secrets come from LLMUX_API_KEYS and LLMUX_ADMIN_KEY", () => {
    const { config } = loadConfig({
      env: { LLMUX_API_KEYS: "alice=sk-alice-123456,sk-bare-7654321", LLMUX_ADMIN_KEY: "admin-secret-1" },
    });
    expect(config.auth.api_keys.map((k) => k.name)).toEqual(["alice", "key-2"]);
    expect(config.auth.api_keys[1]?.key).toBe("sk-bare-7654321");
    expect(config.auth.admin_key).toBe("admin-secret-1");
  });

  test("the result is deep-frozen", () => {
    const { config } = loadConfig({ env: {} });
    expect(Object.isFrozen(config.gateway)).toBe(true);
    expect(Object.isFrozen(config.engines[0])).toBe(true);
  });
});

describe("secrets in config errors", () => {
  test("a bad admin or API key is reported without quoting it", () => {
    const error = problemsOf(() =>
      loadConfig({ env: {}, sets: ['auth.admin_key="short"', 'auth.api_keys=[{"name":"a","key":"tiny"}]'] }),
    );
    const text = error.problems.map((p) => `${p.path}: ${p.message}`).join("\n");
    expect(text).toContain("auth.admin_key:");
    expect(text).toContain("auth.api_keys[0].key:");
    expect(text).not.toContain("short");
    expect(text).not.toContain("tiny");
  });
});
