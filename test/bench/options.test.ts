import { describe, expect, test } from "bun:test";
import { paramsFromFlags, parseBenchFlags, splitList } from "../../src/bench/index.ts";

describe("bench flags", () => {
  test("defaults: shared-prefix, seed 1, llm-d's SLO, every policy, 8 engines of the 32B TP2 profile", () => {
    const parsed = parseBenchFlags({ simulate: true, out: "dir" });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.flags).toMatchObject({
      workload: "shared-prefix",
      seed: 1,
      "slo-ttft-ms": 2000,
      "slo-tpot-ms": 100,
      engines: 8,
      profile: "h100-qwen3-32b-tp2",
      "max-concurrency": 0,
    });
    expect(parsed.flags.policies.split(",")).toContain("oracle");
  });

  test("every problem is reported at once, named by flag", () => {
    const parsed = parseBenchFlags({
      engines: "0",
      qps: "fast",
      arrival: "bursty",
      seed: "-1",
      param: ["x"],
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const text = parsed.problems.join("\n");
    for (const flag of ["--engines", "--qps", "--arrival", "--seed", "--param", "--url"])
      expect(text).toContain(flag);
  });

  test("--simulate needs --out and excludes --url", () => {
    const parsed = parseBenchFlags({ simulate: true, url: ["http://x"] });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toContain("--url: --url and --simulate exclude each other");
    expect(parsed.problems).toContain("--out: --simulate writes a report directory: give --out DIR");
  });

  test("--gateway-overhead needs neither --url nor --out and has its own defaults", () => {
    const parsed = parseBenchFlags({ "gateway-overhead": true });
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.flags).toMatchObject({ requests: 2000, concurrency: 64, "stream-tokens": 32 });
    expect(parsed.flags.duration).toBeUndefined();
  });

  test("--gateway-overhead excludes --simulate and --url, and checks its counts", () => {
    const parsed = parseBenchFlags({
      "gateway-overhead": true,
      simulate: true,
      url: ["http://x"],
      concurrency: "0",
    });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toEqual([
      "--concurrency: must be at least 1 (clients of the requests/s measurement)",
      "--gateway-overhead: --gateway-overhead and --simulate exclude each other",
      "--gateway-overhead: --gateway-overhead starts its own sim; drop --url",
    ]);
  });

  test("lists and key=value parameters", () => {
    expect(splitList(["a,b", " c "])).toEqual(["a", "b", "c"]);
    const parsed = parseBenchFlags({ url: ["http://x"], param: ["groups=3", "speeds=1,2"] });
    expect(parsed.ok && paramsFromFlags(parsed.flags)).toEqual({ groups: "3", speeds: "1,2" });
  });
});
