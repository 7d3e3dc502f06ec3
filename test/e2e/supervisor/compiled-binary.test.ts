// The compiled binary: `systemd-unit` points ExecStart at itself and passes systemd-analyze verify,
// and `up` speaks sd_notify through bun:ffi from inside the executable.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAIN_TS, REPO_ROOT } from "../../helpers/cli-process.ts";
import { startNode } from "./node-process.ts";
import { startNotifyReceiver } from "./notify-receiver.ts";

const dir = mkdtempSync(join(tmpdir(), "llmux-compiled-"));
const binary = join(dir, "llmux");
const socket = startNotifyReceiver("path");

beforeAll(() => {
  const build = Bun.spawnSync([process.execPath, "build", "--compile", MAIN_TS, "--outfile", binary], {
    cwd: REPO_ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
  if (build.exitCode !== 0) throw new Error(`bun build --compile failed: ${build.stderr.toString()}`);
});
afterAll(() => {
  socket.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the compiled llmux binary", () => {
  test("systemd-unit defaults ExecStart to itself and the unit verifies", async () => {
    const child = Bun.spawn([binary, "systemd-unit"], { stdout: "pipe", stderr: "pipe" });
    const [unit, exitCode] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    expect(exitCode).toBe(0);
    expect(unit).toContain(`ExecStart=${binary} up\n`);
    const path = join(dir, "llmux.service");
    writeFileSync(path, unit);
    const analyze = Bun.which("systemd-analyze");
    if (analyze === null) throw new Error("systemd-analyze not found: install the Debian package `systemd`");
    const verify = Bun.spawnSync([analyze, "verify", path], { stdout: "pipe", stderr: "pipe" });
    expect(`${verify.stdout.toString()}${verify.stderr.toString()}`).toBe("");
    expect(verify.exitCode).toBe(0);
  });

  test("up sends READY=1 and STOPPING=1 over bun:ffi", async () => {
    const node = await startNode({
      command: [binary],
      engines: [{ model: "e2e-model", replicas: 1, extra_args: ["--sim-profile", "tiny-cpu"] }],
      env: { NOTIFY_SOCKET: socket.address },
    });
    try {
      expect(await socket.waitFor(/^READY=1/)).toBe("READY=1\nSTATUS=1/1 engines ready");
      node.signal("SIGTERM");
      expect(await node.exited).toBe(0);
      expect(await socket.waitFor(/^STOPPING=1/)).toBe(
        "STOPPING=1\nSTATUS=stopping on SIGTERM: draining requests",
      );
      expect(node.logs()).not.toContain("sd_notify failed");
    } finally {
      await node.stop("SIGKILL");
    }
  });
});
