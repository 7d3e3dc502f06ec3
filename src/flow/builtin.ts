// Registers every built-in flow policy type with its stability: one line per policy.
import * as latencySloAdmitter from "./admitter/latency-slo-admitter.ts";
import * as globalStrictFairnessPolicy from "./fairness/global-strict-fairness-policy.ts";
import * as leastAttainedServiceFairnessPolicy from "./fairness/least-attained-service-fairness-policy.ts";
import * as roundRobinFairnessPolicy from "./fairness/round-robin-fairness-policy.ts";
import * as edfOrderingPolicy from "./ordering/edf-ordering-policy.ts";
import * as fcfsOrderingPolicy from "./ordering/fcfs-ordering-policy.ts";
import * as sloDeadlineOrderingPolicy from "./ordering/slo-deadline-ordering-policy.ts";
import { FlowPolicyRegistry } from "./registry.ts";
import * as concurrencyDetector from "./saturation/concurrency-detector.ts";
import * as utilizationDetector from "./saturation/utilization-detector.ts";

/** A registry holding every built-in flow policy type. */
export function createBuiltinFlowRegistry(): FlowPolicyRegistry {
  const registry = new FlowPolicyRegistry();
  registry.register("fairness", "beta", roundRobinFairnessPolicy);
  registry.register("fairness", "beta", globalStrictFairnessPolicy);
  registry.register("fairness", "alpha", leastAttainedServiceFairnessPolicy);
  registry.register("ordering", "beta", fcfsOrderingPolicy);
  registry.register("ordering", "beta", edfOrderingPolicy);
  registry.register("ordering", "alpha", sloDeadlineOrderingPolicy);
  registry.register("saturation", "beta", utilizationDetector);
  registry.register("saturation", "beta", concurrencyDetector);
  registry.register("admitter", "alpha", latencySloAdmitter);
  return registry;
}
