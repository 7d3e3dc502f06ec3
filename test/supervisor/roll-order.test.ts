import { describe, expect, test } from "bun:test";
import { describeStep, orderRollSteps } from "../../src/supervisor/index.ts";
import { planPlacement } from "../../src/supervisor/placement.ts";
import type { PlannedInstance } from "../../src/supervisor/types.ts";
import { buildLaunchSpec } from "../../src/supervisor/vllm-argv.ts";
import { configOf, fakeGpus } from "./config-fixture.ts";
import { placeSims, SIM_COMMAND } from "./fake-supervisor.ts";

const A = { model: "org/a" };
const B = { model: "org/b" };

/** The steps from running `before` to `after` (engine entries), as "kind id" strings. */
function steps(before: unknown[], after: unknown[]): string[] {
  const running = placeSims(before).plan;
  const target = placeSims(after).plan;
  const spec = (planned: PlannedInstance, plan: typeof running) =>
    buildLaunchSpec(planned, plan, { simCommand: SIM_COMMAND });
  const order = orderRollSteps({
    running: running.instances,
    target: target.instances,
    isChanged: (planned) => {
      const old = running.instances.find((i) => i.id === planned.id);
      return old === undefined || !Bun.deepEquals(spec(old, running), spec(planned, target));
    },
  });
  if (!order.ok) throw new Error(order.problems.map((p) => p.message).join("\n"));
  return order.steps.map(describeStep);
}

describe("roll order", () => {
  test.each([
    ["nothing changed", [{ ...A, replicas: 2 }], [{ ...A, replicas: 2 }], []],
    [
      "new flags replace every instance of the entry, in plan order",
      [{ ...A, replicas: 2 }, B],
      [{ ...A, replicas: 2, extra_args: ["--sim-seed", "5"] }, B],
      ["replace a-0", "replace a-1"],
    ],
    ["a new replica is added", [{ ...A, replicas: 2 }], [{ ...A, replicas: 3 }], ["add a-2"]],
    [
      "a replica of the first entry needs the ports of the next entry's instance: that one moves first",
      [{ ...A, replicas: 2 }, B],
      [{ ...A, replicas: 3 }, B],
      ["replace b-0", "add a-2"],
    ],
    [
      "a removal runs early only when it frees ports another step needs",
      [{ ...A, replicas: 3 }, B],
      [{ ...A, replicas: 2 }, B],
      ["remove a-2", "replace b-0"],
    ],
    [
      "other removals run last, so capacity stays up while the rest rolls",
      [A, B],
      [{ ...A, extra_args: ["--sim-seed", "5"] }],
      ["replace a-0", "remove b-0"],
    ],
  ])("%s", (_name, before, after, expected) => {
    expect(steps(before, after)).toEqual(expected);
  });

  test("refuses a layout where running engines would swap ports, naming the clash and the fix", () => {
    expect(() => steps([A, B], [B, A])).toThrow(
      "running engines would take over each other's ports or GPUs (b-0 needs port 9100 held by a-0; a-0 needs port 9101 held by b-0), so they cannot be rolled one at a time",
    );
  });

  test("refuses vLLM engines swapping pinned GPUs, even on unchanged ports", () => {
    const place = (gpusOfA: number, gpusOfB: number) => {
      const config = configOf({
        engines: [
          { ...A, gpus: [gpusOfA] },
          { ...B, gpus: [gpusOfB] },
        ],
        supervisor: { engine: "vllm" },
      });
      const input = { engines: config.engines, supervisor: config.supervisor, discovery: fakeGpus(2) };
      return planPlacement({ ...input, isVllmAvailable: true }).plan.instances;
    };
    const order = orderRollSteps({ running: place(0, 1), target: place(1, 0), isChanged: () => true });
    expect(order.ok).toBe(false);
    expect(order.ok ? "" : order.problems[0]?.message).toContain("a-0 needs GPU 1 held by b-0");
  });
});
