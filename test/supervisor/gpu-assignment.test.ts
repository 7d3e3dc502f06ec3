import { describe, expect, test } from "bun:test";
import { assignGpus, replicasForAllGpus } from "../../src/supervisor/gpu-assignment.ts";
import { configOf, fakeGpus } from "./config-fixture.ts";

describe("replicasForAllGpus (quick mode)", () => {
  test.each([
    [8, 1, 8],
    [8, 2, 4],
    [8, 8, 1],
  ])("%i GPUs at TP %i → %i replicas", (gpus, tp, replicas) => {
    expect(replicasForAllGpus(gpus, tp)).toEqual({ replicas });
  });

  test("rejects a TP that does not divide the GPUs, or no GPUs at all", () => {
    const result = replicasForAllGpus(8, 3);
    expect("problem" in result && result.problem.message).toBe(
      "tensor_parallel_size 3 does not divide the 8 visible GPU(s)",
    );
    expect("problem" in replicasForAllGpus(0, 1)).toBe(true);
  });
});

describe("assignGpus", () => {
  test("rejects a GPU pinned by two entries", () => {
    const { engines } = configOf({
      engines: [
        { model: "a", gpus: [0] },
        { model: "b", gpus: [0] },
      ],
    });
    const { problems, byEntry } = assignGpus(engines, ["vllm", "vllm"], fakeGpus(2).gpus, "2 GPU(s)");
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      "engines[1].gpus: GPU 0 is pinned more than once",
    ]);
    expect(byEntry).toEqual([[[0]], []]);
  });

  test("gives sim entries no GPUs and leaves the GPUs to vLLM entries", () => {
    const { engines } = configOf({
      engines: [
        { model: "a", replicas: 3 },
        { model: "b", replicas: 2 },
      ],
    });
    const { problems, byEntry } = assignGpus(engines, ["sim", "vllm"], fakeGpus(2).gpus, "2 GPU(s)");
    expect(problems).toEqual([]);
    expect(byEntry).toEqual([[], [[0], [1]]]);
  });
});
