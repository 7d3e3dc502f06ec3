// Request deadlines: total timeout, idle watchdog (reset by touch), client abort, dispose.
import { describe, expect, test } from "bun:test";
import { createRequestDeadline } from "../../../src/gateway/proxy/deadline.ts";
import { waitFor } from "./proxy-fixture.ts";

const now = () => performance.now();

describe("createRequestDeadline", () => {
  test("the total timeout aborts the signal and reports itself", async () => {
    const deadline = createRequestDeadline(
      new AbortController().signal,
      { totalTimeoutMs: 50, idleTimeoutMs: 0 },
      now,
    );
    await waitFor(() => deadline.signal.aborted, 2000);
    expect(deadline.expired()).toBe("total");
    deadline.dispose();
  });

  test("the idle watchdog fires only after idleTimeoutMs without a touch", async () => {
    const deadline = createRequestDeadline(
      new AbortController().signal,
      { totalTimeoutMs: 0, idleTimeoutMs: 120 },
      now,
    );
    deadline.armIdle();
    const started = performance.now();
    let lastTouchAt = started;
    // Touching every 40 ms for ~400 ms keeps it alive well past one idle period.
    while (performance.now() - started < 400) {
      deadline.touch();
      lastTouchAt = performance.now();
      await Bun.sleep(40);
    }
    expect(deadline.signal.aborted).toBe(false);
    await waitFor(() => deadline.signal.aborted, 2000);
    expect(performance.now() - lastTouchAt).toBeGreaterThanOrEqual(115);
    expect(deadline.expired()).toBe("idle");
  });

  test("with idleTimeoutMs 0 nothing ever times out a quiet request", async () => {
    const deadline = createRequestDeadline(
      new AbortController().signal,
      { totalTimeoutMs: 0, idleTimeoutMs: 0 },
      now,
    );
    deadline.armIdle();
    await Bun.sleep(150);
    expect(deadline.signal.aborted).toBe(false);
    expect(deadline.expired()).toBeNull();
  });

  test("the client's abort and abort() abort the signal without counting as a timeout", () => {
    const client = new AbortController();
    const first = createRequestDeadline(client.signal, { totalTimeoutMs: 0, idleTimeoutMs: 0 }, now);
    client.abort();
    expect(first.signal.aborted).toBe(true);
    const second = createRequestDeadline(
      new AbortController().signal,
      { totalTimeoutMs: 0, idleTimeoutMs: 0 },
      now,
    );
    second.abort();
    expect(second.signal.aborted).toBe(true);
    expect([first.expired(), second.expired()]).toEqual([null, null]);
  });

  test("dispose stops the timers", async () => {
    const deadline = createRequestDeadline(
      new AbortController().signal,
      { totalTimeoutMs: 50, idleTimeoutMs: 50 },
      now,
    );
    deadline.armIdle();
    deadline.dispose();
    await Bun.sleep(120);
    expect(deadline.signal.aborted).toBe(false);
  });
});
