import { afterEach, describe, expect, test } from "bun:test";
import type { EngineProcess } from "../../src/supervisor/process.ts";
import { createSpawner, launcherPrefix, signalGroup } from "../../src/supervisor/process.ts";
import { createLogger } from "../../src/telemetry/index.ts";
import { isProcessAlive, logSink, processGroupOf, waitFor, waitUntilGone } from "./os-processes.ts";

const started: EngineProcess[] = [];

afterEach(() => {
  for (const proc of started.splice(0)) signalGroup(proc.pid, "SIGKILL");
});

function spawnShell(script: string, options: { prefix?: string[] } = {}) {
  const sink = logSink();
  const lines: string[] = [];
  let readErrors = 0;
  const spawn = createSpawner({ prefix: options.prefix ?? [], parentPid: 4242 });
  const proc = spawn({
    argv: ["sh", "-c", script],
    env: { LLMUX_TEST_VALUE: "from-llmux" },
    logger: createLogger({ level: "info", format: "json", destination: sink.stream }).child({
      instance: "e0",
    }),
    onLine: (stream, line) => lines.push(`${stream}: ${line}`),
    onReadError: () => {
      readErrors += 1;
    },
  });
  started.push(proc);
  return { proc, sink, lines, readErrors: () => readErrors };
}

describe("createSpawner", () => {
  test("drains both pipes line by line into the log with the instance id, partial last line included", async () => {
    const { proc, sink, lines } = spawnShell(
      'echo "out $LLMUX_TEST_VALUE $LLMUX_PARENT_PID"; echo err >&2; printf partial',
    );
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    await waitFor(() => lines.length === 3, 2000, "three lines");
    expect(lines.sort()).toEqual(["stderr: err", "stdout: out from-llmux 4242", "stdout: partial"]);
    const records = sink.records().map((r) => [r.instance, r.stream, r.msg]);
    expect(records).toContainEqual(["e0", "stderr", "err"]);
  });

  test("the engine leads its own process group", async () => {
    const { proc } = spawnShell("exec sleep 30");
    expect(processGroupOf(proc.pid)).toBe(proc.pid);
  });

  test("a signal to the group reaches a grandchild the engine started", async () => {
    const { proc, lines } = spawnShell("sleep 1000 & echo $!; wait");
    const grandchild = Number(
      (await waitFor(() => lines[0], 2000, "grandchild pid")).replace("stdout: ", ""),
    );
    expect(isProcessAlive(grandchild)).toBe(true);
    expect(proc.signalGroup("SIGTERM")).toBe(true);
    expect(await proc.exited).toEqual({ code: null, signal: "SIGTERM" });
    await waitUntilGone([grandchild], 2000);
    expect(proc.isGroupAlive()).toBe(false);
  });

  test("reports a non-zero exit code", async () => {
    const { proc } = spawnShell("exit 7");
    expect(await proc.exited).toEqual({ code: 7, signal: null });
  });
});

describe("launcherPrefix", () => {
  test("uses util-linux setpriv for a parent-death signal when it is installed", () => {
    expect(launcherPrefix((command) => (command === "setpriv" ? "/usr/bin/setpriv" : null))).toEqual([
      "/usr/bin/setpriv",
      "--pdeathsig",
      "SIGTERM",
      "--",
    ]);
    expect(launcherPrefix(() => null)).toEqual([]);
  });

  test("this host has setpriv (Debian util-linux), so engines get a parent-death signal", () => {
    expect(launcherPrefix()[0]).toMatch(/\/setpriv$/);
  });

  test("setpriv keeps the engine's pid: the engine is the process group leader", async () => {
    const { proc, lines } = spawnShell("echo $$; exec sleep 30", { prefix: launcherPrefix() });
    const shellPid = Number((await waitFor(() => lines[0], 2000, "pid")).replace("stdout: ", ""));
    expect(shellPid).toBe(proc.pid);
    expect(processGroupOf(proc.pid)).toBe(proc.pid);
  });
});
