import { describe, expect, test } from "bun:test";
import { freePort, MAIN_TS, REPO_ROOT, waitForOk } from "../helpers/cli-process.ts";

describe("llmux up", () => {
  test("serves /health with the embedded default and exits 0 on SIGTERM", async () => {
    const port = freePort();
    const child = Bun.spawn([process.execPath, MAIN_TS, "up", "--port", String(port)], {
      cwd: REPO_ROOT,
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      const response = await waitForOk(`http://127.0.0.1:${port}/health`);
      expect(await response.json()).toMatchObject({ status: "ok" });
      child.kill("SIGTERM");
      expect(await child.exited).toBe(0);
      const stdout = await new Response(child.stdout).text();
      const lines = stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { msg: string });
      expect(lines.map((l) => l.msg)).toContain("gateway listening");
      expect(lines.at(-1)?.msg).toBe("stopped");
      expect(await new Response(child.stderr).text()).toContain("embedded default config");
    } finally {
      child.kill("SIGKILL");
    }
  });

  test("--log-format pretty prints human-readable lines", async () => {
    const port = freePort();
    const child = Bun.spawn(
      [process.execPath, MAIN_TS, "up", "--port", String(port), "--log-format", "pretty"],
      { cwd: REPO_ROOT, stdout: "pipe", stderr: "pipe" },
    );
    try {
      await waitForOk(`http://127.0.0.1:${port}/health`);
      child.kill("SIGTERM");
      expect(await child.exited).toBe(0);
      const stdout = await new Response(child.stdout).text();
      expect(stdout).toContain("INFO");
      expect(stdout).toContain("gateway listening");
      expect(stdout.trimStart().startsWith("{")).toBe(false);
    } finally {
      child.kill("SIGKILL");
    }
  });

  test("a port already in use is a clear fatal log line and exit 1", async () => {
    const blocker = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const child = Bun.spawn([process.execPath, MAIN_TS, "up", "--port", String(blocker.port)], {
        cwd: REPO_ROOT,
        stdout: "pipe",
        stderr: "pipe",
      });
      expect(await child.exited).toBe(1);
      expect(await new Response(child.stdout).text()).toContain("cannot listen");
    } finally {
      blocker.stop(true);
    }
  });
});
