// `llmux up` under a NOTIFY_SOCKET, as systemd runs it: STATUS= while engines start, READY=1 once all
// are ready, WATCHDOG=1 every WATCHDOG_USEC/2, STOPPING=1 on SIGTERM; engines never see the socket.
import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { startLlmux } from "../harness/llmux-process.ts";
import { adminInstances } from "./node-process.ts";
import { startNotifyReceiver } from "./notify-receiver.ts";

const socket = startNotifyReceiver("abstract");
afterAll(() => socket.close());

describe("llmux up under systemd's notify protocol", () => {
  test("reports progress, readiness, watchdog pings and stopping", async () => {
    const llmux = await startLlmux({
      engines: [{ model: "e2e-model", replicas: 2, extra_args: ["--sim-profile", "tiny-cpu"] }],
      config: { supervisor: { sim_args: ["--sim-startup-delay", "0.5"] } },
      env: { NOTIFY_SOCKET: socket.address, WATCHDOG_USEC: "200000" },
    });
    try {
      expect(await socket.waitFor(/^READY=1/)).toBe("READY=1\nSTATUS=2/2 engines ready");
      const before = socket.messages();
      expect(before[0]).toBe("STATUS=0/2 engines ready");
      expect(before.indexOf("READY=1\nSTATUS=2/2 engines ready")).toBeGreaterThan(0);
      await Bun.sleep(350);
      const pings = socket.messages().filter((m) => m === "WATCHDOG=1").length;
      // One ping per 100 ms (WATCHDOG_USEC/2), counted since start.
      expect(pings).toBeGreaterThanOrEqual(3);

      for (const instance of await adminInstances(llmux.url)) {
        const environ = readFileSync(`/proc/${instance.pid}/environ`, "utf8").split("\0");
        expect(environ.filter((v) => /^(NOTIFY_SOCKET|WATCHDOG_USEC|WATCHDOG_PID)=/.test(v))).toEqual([]);
      }

      process.kill(llmux.pid, "SIGTERM");
      expect(await llmux.exited).toBe(0);
      expect(socket.messages()).toContain("STOPPING=1\nSTATUS=stopping on SIGTERM: draining requests");
    } finally {
      await llmux.stop("SIGKILL");
    }
  });
});
