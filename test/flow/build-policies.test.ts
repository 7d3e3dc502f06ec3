import { describe, expect, test } from "bun:test";
import { buildFlowPolicies } from "../../src/flow/build-policies.ts";
import { createBuiltinFlowRegistry } from "../../src/flow/index.ts";
import { flowConfig } from "./builders.ts";

const registry = createBuiltinFlowRegistry();

describe("flow policy config", () => {
  test("the defaults build: round robin, FCFS, utilization + concurrency detectors, no admitter", () => {
    const built = buildFlowPolicies(flowConfig(), registry, { now: () => 0 });
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.policies.fairness.typedName.type).toBe("round-robin-fairness-policy");
    expect(built.policies.ordering.typedName.type).toBe("fcfs-ordering-policy");
    expect(built.policies.detectors.map((d) => d.typedName.type)).toEqual([
      "utilization-detector",
      "concurrency-detector",
    ]);
    expect(built.policies.admitters).toEqual([]);
  });

  test("every problem is reported at once with its path", () => {
    const built = buildFlowPolicies(
      flowConfig({
        fairness_policy: { type: "nope" },
        ordering_policy: { type: "utilization-detector" },
        saturation_detectors: [
          { type: "utilization-detector", parameters: { queueDepthThreshold: 0, bogus: 1 } },
        ],
        admitters: [{ type: "latency-slo-admitter" }],
      }),
      registry,
      { now: () => 0 },
    );
    expect(built.ok).toBe(false);
    if (built.ok) return;
    const paths = built.problems.map((p) => p.path);
    expect(paths).toContain("flow.fairness_policy.type");
    expect(paths).toContain("flow.ordering_policy.type");
    expect(paths).toContain("flow.saturation_detectors[0].parameters.queueDepthThreshold");
    expect(paths).toContain("flow.saturation_detectors[0].parameters");
    expect(built.problems.find((p) => p.path === "flow.admitters[0].type")?.message).toContain(
      "latency predictor",
    );
    expect(built.problems.find((p) => p.path === "flow.ordering_policy.type")?.message).toContain(
      "a saturation policy, not a ordering",
    );
  });

  test("a staleness bound not above the scrape interval is a problem, not a silent always-saturated pool", () => {
    const config = flowConfig({ saturation_detectors: [{ type: "utilization-detector" }] });
    const built = buildFlowPolicies(config, registry, { now: () => 0, metricsIntervalMs: 250 });
    expect(built.ok).toBe(false);
    if (!built.ok)
      expect(built.problems[0]?.path).toBe("flow.saturation_detectors[0].parameters.metricsStalenessMs");
    expect(buildFlowPolicies(config, registry, { now: () => 0, metricsIntervalMs: 100 }).ok).toBe(true);
  });
});
