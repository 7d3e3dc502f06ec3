// `llmux status` against a fake admin API: the table, the admin key, and the exit codes.
import { afterAll, describe, expect, test } from "bun:test";
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatUptime, renderStatus } from "../../src/cli/commands/status.ts";
import { freePort, runLlmux } from "../helpers/cli-process.ts";

const ADMIN_KEY = "status-admin-key";
const INSTANCES = [
  {
    id: "llama-0",
    model: "meta-llama/Llama-3.1-8B-Instruct",
    engine: "vllm",
    role: "both",
    gpus: [0, 1],
    port: 8100,
    state: "ready",
    pid: 100,
    restarts: 2,
    uptimeMs: 125_000,
    lastError: "supervisor_engine_exited: killed by SIGKILL",
    inFlight: 7,
  },
  {
    id: "llama-1",
    model: "meta-llama/Llama-3.1-8B-Instruct",
    engine: "vllm",
    role: "both",
    gpus: [2, 3],
    port: 8101,
    state: "starting",
    pid: 101,
    restarts: 0,
    uptimeMs: 4_000,
    lastError: null,
    inFlight: 0,
  },
];

const seenAuthorization: (string | null)[] = [];
const admin = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request) {
    seenAuthorization.push(request.headers.get("authorization"));
    if (request.headers.get("authorization") !== `Bearer ${ADMIN_KEY}`) {
      return Response.json({ error: { code: "gateway_admin_unauthorized" } }, { status: 401 });
    }
    return Response.json({ instances: INSTANCES });
  },
});
const adminUrl = `http://127.0.0.1:${admin.port}`;
const configPath = join(tmpdir(), `llmux-status-${process.pid}.yaml`);
afterAll(() => {
  admin.stop(true);
  rmSync(configPath, { force: true });
});

describe("llmux status", () => {
  test("prints one row per instance with the admin key from LLMUX_ADMIN_KEY", async () => {
    const result = await runLlmux(["status", "--url", adminUrl], { LLMUX_ADMIN_KEY: ADMIN_KEY });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(renderStatus(adminUrl, INSTANCES));
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe(`llmux at ${adminUrl}: 2 instance(s), 1 ready`);
    expect(lines[2]).toMatch(
      /^INSTANCE\s+MODEL\s+GPUS\s+ROLE\s+STATE\s+UPTIME\s+RESTARTS\s+LOAD\s+LAST ERROR$/,
    );
    expect(lines[3]).toMatch(
      /^llama-0\s+meta-llama\/Llama-3.1-8B-Instruct\s+0,1\s+both\s+ready\s+2m05s\s+2\s+7\s+supervisor_engine_exited: killed by SIGKILL$/,
    );
    expect(lines[4]).toMatch(/^llama-1\s+\S+\s+2,3\s+both\s+starting\s+4s\s+0\s+0\s+-$/);
    expect(seenAuthorization.at(-1)).toBe(`Bearer ${ADMIN_KEY}`);
  });

  test("takes the address and the admin key from the config file", async () => {
    writeFileSync(configPath, `gateway:\n  port: ${admin.port}\nauth:\n  admin_key: ${ADMIN_KEY}\n`);
    const result = await runLlmux(["status", "-c", configPath]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("llama-0");
  });

  test("a refused admin key exits 1 and says where the key comes from, without echoing it", async () => {
    const result = await runLlmux(["status", "--url", adminUrl], { LLMUX_ADMIN_KEY: "wrong-admin-key" });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("the admin key was refused: set LLMUX_ADMIN_KEY or auth.admin_key");
    expect(result.stderr).not.toContain("wrong-admin-key");
  });

  test("no llmux at the address exits 1 with a clear message", async () => {
    const url = `http://127.0.0.1:${freePort()}`;
    const result = await runLlmux(["status", "--url", url]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toStartWith(`llmux status: cannot reach llmux at ${url} (`);
    expect(result.stderr).toContain("is `llmux up` running?");
  });

  test("a malformed --url or an unknown flag is a usage error (exit 2)", async () => {
    for (const args of [["--url", "not a url"], ["--frobnicate"]]) {
      const result = await runLlmux(["status", ...args]);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain("Usage: llmux status");
    }
  });
});

describe("status table", () => {
  test("a node without engines says so", () => {
    expect(renderStatus("http://x", [])).toBe(
      "llmux at http://x: 0 instance(s), 0 ready\nno supervised engines (a gateway-only node?)\n",
    );
  });

  test.each([
    [0, "-"],
    [999, "0s"],
    [59_999, "59s"],
    [60_000, "1m00s"],
    [3_599_000, "59m59s"],
    [3_600_000, "1h00m"],
    [7_620_000, "2h07m"],
    [86_400_000, "1d00h"],
    [273_600_000, "3d04h"],
  ])("uptime %d ms prints as %s", (uptimeMs, expected) => {
    expect(formatUptime(uptimeMs)).toBe(expected);
  });
});
