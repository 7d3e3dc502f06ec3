// SIGHUP: the node reads its config file again and applies what can change while running (API keys,
// gateway settings, log level); an invalid file keeps the running config and logs every problem;
// the supervisor's port settings are reported as needing a restart and leave the engines untouched
// (engine changes roll: see roll.test.ts).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { adminInstances, complete, type NodeProcess, startNode } from "./node-process.ts";
import { startNotifyReceiver } from "./notify-receiver.ts";

const ENGINE = { model: "e2e-model", replicas: 1, extra_args: ["--sim-profile", "tiny-cpu"] };
const FIRST_KEY = "first-key-0123456789";
const SECOND_KEY = "second-key-0123456789";
const ADMIN_KEY = "admin-key-0123456789";

const socket = startNotifyReceiver("path");
let node: NodeProcess;
beforeAll(async () => {
  node = await startNode({
    engines: [ENGINE],
    config: { auth: { admin_key: ADMIN_KEY, api_keys: [{ name: "first", key: FIRST_KEY }] } },
    env: { NOTIFY_SOCKET: socket.address },
  });
  await socket.waitFor(/^READY=1/);
});
afterAll(async () => {
  await node?.stop();
  socket.close();
});

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function hangUpAndWaitForLog(pattern: RegExp): Promise<void> {
  const seen = node
    .logs()
    .split("\n")
    .filter((line) => pattern.test(line)).length;
  node.signal("SIGHUP");
  const deadline = Date.now() + 10_000;
  while (
    node
      .logs()
      .split("\n")
      .filter((line) => pattern.test(line)).length === seen
  ) {
    if (Date.now() > deadline) throw new Error(`no log line matching ${pattern}:\n${node.logs()}`);
    await Bun.sleep(20);
  }
}

describe("SIGHUP reload", () => {
  test("swaps the API keys without touching the engines", async () => {
    const before = await adminInstances(node.url, ADMIN_KEY);
    expect((await complete(node.url, "e2e-model", bearer(FIRST_KEY))).status).toBe(200);
    expect((await complete(node.url, "e2e-model", bearer(SECOND_KEY))).status).toBe(401);

    node.writeConfig([ENGINE], {
      auth: { admin_key: ADMIN_KEY, api_keys: [{ name: "second", key: SECOND_KEY }] },
    });
    await hangUpAndWaitForLog(/"msg":"config reloaded"/);
    expect((await complete(node.url, "e2e-model", bearer(SECOND_KEY))).status).toBe(200);
    expect((await complete(node.url, "e2e-model", bearer(FIRST_KEY))).status).toBe(401);
    expect(await adminInstances(node.url, ADMIN_KEY)).toMatchObject(
      before.map((i) => ({ id: i.id, pid: i.pid, restarts: 0 })),
    );
  });

  test("tells systemd it is reloading, then ready again", async () => {
    const messages = socket.messages();
    const reloading = messages.findIndex((m) => m.startsWith("RELOADING=1\nMONOTONIC_USEC="));
    expect(reloading).toBeGreaterThan(0);
    expect(messages[reloading + 1]).toBe("READY=1\nSTATUS=1/1 engines ready");
  });

  test("an invalid file keeps the running config and logs every problem", async () => {
    node.writeConfig([ENGINE], {
      auth: { admin_key: "short", api_keys: [{ name: "broken" }] },
      gateway: { retry: { max_attempts: 0 } },
    });
    await hangUpAndWaitForLog(/config reload failed, keeping the running config/);
    const line =
      node
        .logs()
        .split("\n")
        .findLast((l) => l.includes("config reload failed")) ?? "";
    expect(line).toContain("auth.api_keys[0]");
    expect(line).toContain("gateway.retry.max_attempts");
    expect(line).toContain("auth.admin_key: invalid (the value is a secret and not shown)");
    expect(line).not.toContain("short");
    expect((await complete(node.url, "e2e-model", bearer(SECOND_KEY))).status).toBe(200);
  });

  test("a new engine port range is reported as needing a restart and leaves the engines running", async () => {
    const before = await adminInstances(node.url, ADMIN_KEY);
    const basePort = before[0]?.port ?? 0;
    node.writeConfig([ENGINE], {
      auth: { admin_key: ADMIN_KEY, api_keys: [{ name: "second", key: SECOND_KEY }] },
      supervisor: { base_port: basePort + 10 },
    });
    await hangUpAndWaitForLog(/changes to supervisor.base_port apply after a restart/);
    expect(await adminInstances(node.url, ADMIN_KEY)).toMatchObject(
      before.map((i) => ({ id: i.id, pid: i.pid, state: "ready" })),
    );
    expect((await complete(node.url, "e2e-model", bearer(SECOND_KEY))).status).toBe(200);
  });

  test("counts reloads by outcome and never logs a key", async () => {
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    expect(metrics).toContain('llmux_config_reloads_total{outcome="applied"} 2');
    expect(metrics).toContain('llmux_config_reloads_total{outcome="rejected"} 1');
    expect(node.logs()).not.toContain(FIRST_KEY);
    expect(node.logs()).not.toContain(SECOND_KEY);
    expect(node.logs()).not.toContain(ADMIN_KEY);
  });
});
