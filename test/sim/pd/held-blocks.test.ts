// Prefill-side hold bookkeeping: lease expiry, one release per hold, precise errors for late decoders.
import { describe, expect, test } from "bun:test";
import { createHeldBlocks } from "../../../src/sim/pd/held-blocks.ts";

function setup(leaseMs: number) {
  const errors: Error[] = [];
  let nowMs = 1000;
  const held = createHeldBlocks({ leaseMs, now: () => nowMs, onError: (error) => errors.push(error) });
  return { held, errors, advance: (ms: number) => (nowMs += ms) };
}

describe("HeldBlocks", () => {
  test("finish releases once and forgets the request", () => {
    const { held } = setup(10_000);
    let releases = 0;
    held.hold("r", [[1]], 4, () => releases++);
    expect(held.get("r")?.numTokens).toBe(4);
    held.finish("r");
    held.finish("r");
    expect(releases).toBe(1);
    expect(held.size).toBe(0);
    expect(held.describeMissing("r")).toContain("unknown or already read");
    held.clear();
  });

  test("the lease releases the blocks and the expiry is remembered", async () => {
    const { held, advance } = setup(10);
    let releases = 0;
    held.hold("r", [[1]], 4, () => releases++);
    await Bun.sleep(30);
    expect(releases).toBe(1);
    advance(250);
    expect(held.describeMissing("r")).toBe("the lease on request r's blocks expired 250 ms ago");
  });

  test("a started transfer stops the lease", async () => {
    const { held } = setup(10);
    let releases = 0;
    held.hold("r", [[1]], 4, () => releases++);
    held.startTransfer(
      "r",
      3,
      setTimeout(() => held.finish("r"), 40),
    );
    expect(held.get("r")?.transferXid).toBe(3);
    await Bun.sleep(20);
    expect(releases).toBe(0);
    await Bun.sleep(40);
    expect(releases).toBe(1);
  });

  test("a throwing release is reported, not thrown", () => {
    const { held, errors } = setup(10_000);
    held.hold("r", [[1]], 4, () => {
      throw new Error("boom");
    });
    held.finish("r");
    expect(errors.map((error) => error.message)).toEqual(["pd: release of held blocks for r threw"]);
  });

  test("clear stops every timer without releasing", async () => {
    const { held } = setup(5);
    let releases = 0;
    held.hold("r", [[1]], 4, () => releases++);
    held.clear();
    await Bun.sleep(20);
    expect(releases).toBe(0);
  });
});
