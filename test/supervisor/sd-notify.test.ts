// sd_notify over bun:ffi: real datagrams to path and abstract sockets, the message formats, the
// watchdog period and health gate, and the no-op without NOTIFY_SOCKET.
import { afterEach, describe, expect, test } from "bun:test";
import { createSystemdNotifier, encodeSocketAddress, sendDatagram } from "../../src/supervisor/sd-notify.ts";
import { type NotifyReceiver, startNotifyReceiver } from "../e2e/supervisor/notify-receiver.ts";

let receivers: NotifyReceiver[] = [];
afterEach(() => {
  for (const receiver of receivers) receiver.close();
  receivers = [];
});

function receiver(kind: "path" | "abstract"): NotifyReceiver {
  const started = startNotifyReceiver(kind);
  receivers.push(started);
  return started;
}

function failOnError(error: Error): never {
  throw error;
}

/** Interval timers driven by hand: `tick()` runs the registered callback once. */
function manualTimers() {
  let tick: (() => void) | null = null;
  const intervals: number[] = [];
  return {
    timers: {
      setInterval(callback: () => void, intervalMs: number) {
        tick = callback;
        intervals.push(intervalMs);
        return 1;
      },
      clearInterval() {
        tick = null;
      },
    },
    intervals,
    tick: () => tick?.(),
    isRunning: () => tick !== null,
  };
}

describe("sd_notify", () => {
  test.each(["path", "abstract"] as const)(
    "delivers READY, STATUS and STOPPING to a %s socket",
    async (kind) => {
      const socket = receiver(kind);
      const notifier = createSystemdNotifier({ NOTIFY_SOCKET: socket.address }, { onError: failOnError });
      expect(notifier.isEnabled).toBe(true);
      notifier.ready("2/4 engines ready");
      notifier.status("3/4 engines\nready");
      notifier.stopping("stopping on SIGTERM");
      await socket.waitFor(/^STOPPING=1/);
      expect(socket.messages()).toEqual([
        "READY=1\nSTATUS=2/4 engines ready",
        "STATUS=3/4 engines ready",
        "STOPPING=1\nSTATUS=stopping on SIGTERM",
      ]);
    },
  );

  test("RELOADING=1 carries CLOCK_MONOTONIC in µs", async () => {
    const socket = receiver("path");
    const notifier = createSystemdNotifier({ NOTIFY_SOCKET: socket.address }, { onError: failOnError });
    notifier.reloading();
    const message = await socket.waitFor(/^RELOADING=1/);
    const usec = Number(/MONOTONIC_USEC=(\d+)/.exec(message)?.[1]);
    const uptimeS = Number((await Bun.file("/proc/uptime").text()).split(" ")[0]);
    // /proc/uptime counts CLOCK_BOOTTIME, which equals CLOCK_MONOTONIC plus time spent suspended.
    expect(usec / 1e6).toBeGreaterThan(0);
    expect(usec / 1e6).toBeLessThanOrEqual(uptimeS + 1);
  });

  test("without NOTIFY_SOCKET nothing is sent and the watchdog does not start", () => {
    const sent: string[] = [];
    const clock = manualTimers();
    const notifier = createSystemdNotifier(
      { WATCHDOG_USEC: "1000000" },
      { onError: failOnError, send: (_address, message) => sent.push(message), timers: clock.timers },
    );
    notifier.ready("ready");
    notifier.startWatchdog(() => true)();
    expect(notifier.isEnabled).toBe(false);
    expect(notifier.watchdogIntervalMs).toBeNull();
    expect(clock.intervals).toEqual([]);
    expect(sent).toEqual([]);
  });

  test("the watchdog pings every WATCHDOG_USEC/2, only while healthy, until stopped", () => {
    const sent: string[] = [];
    const clock = manualTimers();
    const notifier = createSystemdNotifier(
      { NOTIFY_SOCKET: "/run/notify", WATCHDOG_USEC: "30000000" },
      { onError: failOnError, send: (_address, message) => sent.push(message), timers: clock.timers },
    );
    let isHealthy = true;
    const stop = notifier.startWatchdog(() => isHealthy);
    expect(clock.intervals).toEqual([15_000]);
    clock.tick();
    isHealthy = false;
    clock.tick();
    isHealthy = true;
    clock.tick();
    expect(sent).toEqual(["WATCHDOG=1", "WATCHDOG=1"]);
    stop();
    expect(clock.isRunning()).toBe(false);
  });

  test("WATCHDOG_PID naming another process disables the watchdog (sd_watchdog_enabled)", () => {
    const env = { NOTIFY_SOCKET: "/run/notify", WATCHDOG_USEC: "2000000" };
    const mine = createSystemdNotifier(
      { ...env, WATCHDOG_PID: String(process.pid) },
      { onError: failOnError },
    );
    const other = createSystemdNotifier(
      { ...env, WATCHDOG_PID: String(process.pid + 1) },
      { onError: failOnError },
    );
    expect(mine.watchdogIntervalMs).toBe(1_000);
    expect(other.watchdogIntervalMs).toBeNull();
  });

  test("a send that fails goes to onError with the message, and the caller carries on", () => {
    const errors: string[] = [];
    const notifier = createSystemdNotifier(
      { NOTIFY_SOCKET: "/nonexistent-dir/notify.sock" },
      { onError: (error, message) => errors.push(`${message}: ${error.message}`) },
    );
    notifier.ready("ready");
    expect(errors).toEqual([
      "READY=1\nSTATUS=ready: sd_notify: sendto(/nonexistent-dir/notify.sock) failed, errno 2",
    ]);
  });
});

describe("sockaddr_un encoding", () => {
  test("a path is NUL-terminated after the 2-byte family", () => {
    expect([...encodeSocketAddress("/run/x")]).toEqual([1, 0, 47, 114, 117, 110, 47, 120, 0]);
  });

  test("an abstract name starts with NUL and has no terminator", () => {
    expect([...encodeSocketAddress("@ab")]).toEqual([1, 0, 0, 97, 98]);
  });

  test("relative and over-long addresses are refused", () => {
    expect(() => encodeSocketAddress("run/x")).toThrow("absolute path or start with @");
    expect(() => encodeSocketAddress(`/${"x".repeat(107)}`)).toThrow("longer than 107 bytes");
    expect(() => sendDatagram(`@${"x".repeat(108)}`, "READY=1")).toThrow("longer than 107 bytes");
  });
});
