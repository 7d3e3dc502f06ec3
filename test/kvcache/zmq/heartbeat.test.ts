// Heartbeats: PINGs while the peer is alive, a dead verdict after the timeout of silence.
import { describe, expect, test } from "bun:test";
import { Heartbeat } from "../../../src/kvcache/zmq/heartbeat.ts";
import { hex } from "./frame-values.ts";
import { waitFor } from "./wait-for.ts";

describe("Heartbeat", () => {
  test("pings every interval and stays alive while data arrives", async () => {
    const pings: string[] = [];
    let isDead = false;
    const heartbeat = new Heartbeat(
      { intervalMs: 5, timeoutMs: 10 },
      (data) => pings.push(hex(data)),
      () => {
        isDead = true;
      },
    );
    heartbeat.start();
    const feeder = setInterval(() => heartbeat.noteActivity(), 1);
    await waitFor(() => pings.length >= 8, "eight pings");
    clearInterval(feeder);
    heartbeat.stop();
    expect(isDead).toBe(false);
    // TTL 10 ms = 1 decisecond (rounded up), 2 bytes big-endian, no context.
    expect(pings[0]).toBe("0001");
  });

  test("declares the peer dead after the timeout without any data, and stops", async () => {
    let pings = 0;
    let deaths = 0;
    const heartbeat = new Heartbeat(
      { intervalMs: 5, timeoutMs: 15 },
      () => {
        pings += 1;
      },
      () => {
        deaths += 1;
      },
    );
    heartbeat.start();
    await waitFor(() => deaths === 1, "the dead verdict");
    expect(pings).toBe(2);
    await Bun.sleep(20);
    expect(deaths).toBe(1);
  });
});
