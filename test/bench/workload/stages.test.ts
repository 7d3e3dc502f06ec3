import { describe, expect, test } from "bun:test";
import { ladderFromFlags, parseBenchFlags, type StageSpec } from "../../../src/bench/index.ts";
import { arrivalOffsets, toStages } from "../../../src/bench/workload/stages.ts";

describe("load ladders and arrivals", () => {
  test("Poisson arrivals average the stage rate and stay inside the stage", () => {
    const [stage] = toStages([{ qps: 50, durationS: 100 }]);
    const offsets = arrivalOffsets(stage!, "poisson", 7);
    expect(offsets.length).toBeGreaterThan(4800);
    expect(offsets.length).toBeLessThan(5200);
    expect(offsets.every((t, i) => t >= 0 && t < 100_000 && (i === 0 || t >= offsets[i - 1]!))).toBe(true);
  });

  test("constant arrivals are evenly spaced, rate × duration of them", () => {
    const [stage] = toStages([{ qps: 4, durationS: 2 }]);
    expect(arrivalOffsets(stage!, "constant", 1)).toEqual([0, 250, 500, 750, 1000, 1250, 1500, 1750]);
  });

  test("--qps, --duration and --warmup override the default ladder", () => {
    const defaults: StageSpec[] = [
      { qps: 15, durationS: 50, isWarmup: true },
      { qps: 3, durationS: 20 },
    ];
    const parse = (values: Record<string, unknown>) => {
      const parsed = parseBenchFlags({ simulate: true, out: "x", ...values });
      if (!parsed.ok) throw new Error(parsed.problems.join("; "));
      return ladderFromFlags(parsed.flags, defaults);
    };
    expect(parse({})).toBeUndefined();
    expect(parse({ qps: "1,2:5", duration: "30" })).toEqual([
      defaults[0]!,
      { qps: 1, durationS: 30 },
      { qps: 2, durationS: 5 },
    ]);
    expect(parse({ duration: "7", warmup: "none" })).toEqual([{ qps: 3, durationS: 7 }]);
    expect(parse({ warmup: "2:3" })).toEqual([
      { qps: 2, durationS: 3, isWarmup: true },
      { qps: 3, durationS: 20 },
    ]);
  });
});
