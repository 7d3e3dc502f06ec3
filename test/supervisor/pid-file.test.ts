import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  findLeftovers,
  formatLeftovers,
  pidFilePath,
  readProcCmdline,
  writePidFile,
} from "../../src/supervisor/pid-file.ts";
import { isProcessAlive, waitFor, waitUntilGone } from "./os-processes.ts";
import { FAKE_ENGINE, realSupervisor } from "./real-supervisor.ts";
import { removeScratchDirs, scratchDir } from "./scratch-dir.ts";

afterAll(removeScratchDirs);

function scratchFile(): string {
  return join(scratchDir(), "llmux.pid");
}

const ENGINE_ARGS = ["--host", "127.0.0.1", "--port", "8100"];

describe("pidFilePath", () => {
  test("prefers supervisor.state_dir, then XDG_RUNTIME_DIR, then a per-user file in /tmp", () => {
    expect(pidFilePath("/var/lib/llmux", { XDG_RUNTIME_DIR: "/run/user/1000" })).toBe(
      "/var/lib/llmux/llmux.pid",
    );
    expect(pidFilePath(undefined, { XDG_RUNTIME_DIR: "/run/user/1000" })).toBe("/run/user/1000/llmux.pid");
    expect(pidFilePath(undefined, {})).toBe(`/tmp/llmux-${process.getuid?.()}.pid`);
  });
});

describe("findLeftovers", () => {
  const cmdlines: Record<number, string[]> = {
    100: ["/usr/bin/llmux", "up"],
    200: ["/usr/bin/python3", "/usr/local/bin/vllm", "serve", "m", ...ENGINE_ARGS],
    300: ["/usr/bin/sleep", "100"],
  };
  const read = (pid: number) => cmdlines[pid] ?? null;

  test("reports a live llmux and engines whose command line still matches", () => {
    const path = scratchFile();
    writePidFile(path, {
      llmuxPid: 100,
      llmuxCmdline: ["/usr/bin/llmux", "up"],
      engines: [
        { id: "m-0", pid: 200, args: ENGINE_ARGS },
        { id: "m-1", pid: 300, args: ENGINE_ARGS },
        { id: "m-2", pid: 400, args: ENGINE_ARGS },
      ],
    });
    const leftovers = findLeftovers(path, 1, read);
    expect(leftovers.map((l) => [l.kind, l.id, l.pid])).toEqual([
      ["llmux", "llmux", 100],
      ["engine", "m-0", 200],
    ]);
    expect(formatLeftovers(path, leftovers)).toContain("stop it with: kill -TERM -200");
  });

  test("finds nothing without a pid file, and ignores its own pid", () => {
    expect(findLeftovers(join(tmpdir(), "no-such-dir", "llmux.pid"), 1, read)).toEqual([]);
    const path = scratchFile();
    writePidFile(path, { llmuxPid: 100, llmuxCmdline: ["/usr/bin/llmux", "up"], engines: [] });
    expect(findLeftovers(path, 100, read)).toEqual([]);
  });

  test("reads this process's own command line from /proc", () => {
    expect(readProcCmdline(process.pid)).toContain("test");
    expect(readProcCmdline(2 ** 22 + 1)).toBeNull();
  });
});

describe("leftovers at start", () => {
  test("an engine left running by an earlier run is detected and reported by start()", async () => {
    const { supervisor, pidFile } = await realSupervisor([]);
    const port = String(20_000 + Math.floor(Math.random() * 30_000));
    const args = ["--host", "127.0.0.1", "--port", port];
    const orphan = Bun.spawn([process.execPath, FAKE_ENGINE, "fake/a", ...args], {
      stdout: "ignore",
      stderr: "ignore",
    });
    try {
      await waitFor(() => readProcCmdline(orphan.pid)?.includes(port), 5_000, "orphan running");
      writePidFile(pidFile, {
        llmuxPid: 2 ** 22 + 1,
        llmuxCmdline: ["llmux"],
        engines: [{ id: "a-0", pid: orphan.pid, args }],
      });
      const report = await supervisor.start();
      expect(report.leftovers.map((l) => [l.kind, l.id, l.pid])).toEqual([["engine", "a-0", orphan.pid]]);
      const rewritten = JSON.parse(readFileSync(pidFile, "utf8")) as { llmuxPid: number };
      expect(rewritten.llmuxPid).toBe(process.pid);
      await supervisor.stop();
    } finally {
      orphan.kill("SIGKILL");
      await waitUntilGone([orphan.pid], 2_000);
    }
    expect(isProcessAlive(orphan.pid)).toBe(false);
  });
});
