import { describe, expect, test } from "bun:test";
import * as roundRobin from "../../src/flow/fairness/round-robin-fairness-policy.ts";
import { createBuiltinFlowRegistry, FlowPolicyRegistry } from "../../src/flow/index.ts";

describe("flow policy registry", () => {
  test("registering a type twice throws", () => {
    const registry = new FlowPolicyRegistry();
    registry.register("fairness", "beta", roundRobin);
    expect(() => registry.register("fairness", "beta", roundRobin)).toThrow("registered twice");
  });

  test("builds validate parameters with the policy's strict schema", () => {
    const registration = createBuiltinFlowRegistry().get("round-robin-fairness-policy");
    expect(registration?.build("x", { maxRememberedFlows: 1 }, { now: () => 0 }).ok).toBe(false);
    expect(registration?.parameterNames).toEqual(["maxRememberedFlows"]);
  });

  test("every built-in policy is registered once, with its kind", () => {
    const kinds = Object.fromEntries(
      createBuiltinFlowRegistry()
        .list()
        .map((r) => [r.type, r.kind]),
    );
    expect(kinds).toEqual({
      "round-robin-fairness-policy": "fairness",
      "global-strict-fairness-policy": "fairness",
      "least-attained-service-fairness-policy": "fairness",
      "fcfs-ordering-policy": "ordering",
      "edf-ordering-policy": "ordering",
      "slo-deadline-ordering-policy": "ordering",
      "utilization-detector": "saturation",
      "concurrency-detector": "saturation",
      "latency-slo-admitter": "admitter",
    });
  });
});
