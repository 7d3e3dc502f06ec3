// `llmux systemd-unit`: the printed unit runs this config with the given binary and passes
// `systemd-analyze verify` (Debian package `systemd`).
import { afterAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { REPO_ROOT, runLlmux } from "../helpers/cli-process.ts";

const dir = mkdtempSync(join(tmpdir(), "llmux-systemd-unit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The compiled binary when a build exists, else a stub executable: verify only needs ExecStart to be executable. */
function binary(): string {
  const compiled = resolve(REPO_ROOT, "dist/llmux");
  if (existsSync(compiled)) return compiled;
  const stub = join(dir, "llmux");
  writeFileSync(stub, "#!/bin/sh\nexit 0\n");
  chmodSync(stub, 0o755);
  return stub;
}

function writeConfig(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function verify(unit: string): Promise<{ exitCode: number; output: string }> {
  const path = join(dir, "llmux.service");
  writeFileSync(path, unit);
  const analyze = Bun.which("systemd-analyze");
  if (analyze === null) throw new Error("systemd-analyze not found: install the Debian package `systemd`");
  const child = Bun.spawn([analyze, "verify", path], { stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { exitCode, output: `${stdout}${stderr}` };
}

describe("llmux systemd-unit", () => {
  test("prints a unit that passes systemd-analyze verify without a warning", async () => {
    const config = writeConfig(
      "config.yaml",
      "gateway:\n  drain_timeout_ms: 45000\nsupervisor:\n  stop_grace_s: 20\n  readiness_timeout_s: 900\n",
    );
    const result = await runLlmux(["systemd-unit", "-c", config, "--binary", binary(), "--user", "llmux"]);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`ExecStart=${binary()} up -c ${config}\n`);
    expect(result.stdout).toContain("User=llmux\n");
    // 2 x 45 s drain + 20 s grace + 15 s slack; 900 s readiness + 60 s.
    expect(result.stdout).toContain("TimeoutStopSec=125\n");
    expect(result.stdout).toContain("TimeoutStartSec=960\n");
    expect(await verify(result.stdout)).toEqual({ exitCode: 0, output: "" });
  });

  test("a relative config path becomes absolute and a path with spaces is quoted", async () => {
    const config = writeConfig("my config.yaml", "engines: []\n");
    const child = Bun.spawn(
      [
        process.execPath,
        resolve(REPO_ROOT, "src/main.ts"),
        "systemd-unit",
        "-c",
        "my config.yaml",
        "--binary",
        binary(),
      ],
      { cwd: dir, stdout: "pipe", stderr: "pipe" },
    );
    const [stdout, exitCode] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    expect(exitCode).toBe(0);
    expect(stdout).toContain(`ExecStart=${binary()} up -c "${config}"\n`);
    expect(await verify(stdout)).toEqual({ exitCode: 0, output: "" });
  });

  test("without -c the unit runs the embedded default and says so", async () => {
    const result = await runLlmux(["systemd-unit", "--binary", binary()]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`ExecStart=${binary()} up\n`);
    expect(result.stderr).toContain("no -c given: the unit runs the embedded default config");
  });

  test("warns when the binary is not installed yet", async () => {
    const result = await runLlmux(["systemd-unit", "--binary", join(dir, "missing/llmux")]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain("is not an executable file yet");
  });

  test("usage errors exit 2: no --binary from source, a bad user, an invalid config", async () => {
    const fromSource = await runLlmux(["systemd-unit"]);
    expect(fromSource.exitCode).toBe(2);
    expect(fromSource.stderr).toContain("pass --binary with the path of the compiled llmux binary");
    const badUser = await runLlmux(["systemd-unit", "--binary", binary(), "--user", "no body"]);
    expect(badUser.exitCode).toBe(2);
    expect(badUser.stderr).toContain('invalid user name "no body"');
    const invalid = writeConfig("invalid.yaml", "gateway:\n  drain_timeout_ms: -1\n");
    const badConfig = await runLlmux(["systemd-unit", "-c", invalid, "--binary", binary()]);
    expect(badConfig.exitCode).toBe(2);
    expect(badConfig.stderr).toContain("gateway.drain_timeout_ms");
  });
});
