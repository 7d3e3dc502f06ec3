// Shared setup of the DES tests: tiny-cpu engines, a small shared-prefix workload and policy helpers.
import {
  buildWorkload,
  type Policy,
  type ResolvedEngines,
  resolveEngines,
  resolvePolicies,
  type Workload,
} from "../../../src/bench/index.ts";
import type { Scheduler } from "../../../src/scheduler/index.ts";

export const SMALL_SHARED_PREFIX = {
  groups: 6,
  promptsPerGroup: 4,
  systemPromptTokens: 1024,
  questionTokens: 128,
  outputTokens: 24,
};

export function smallWorkload(
  seed = 1,
  stages = [{ qps: 40, durationS: 3 }],
  arrival: "poisson" | "constant" = "poisson",
): Workload {
  return buildWorkload({ name: "shared-prefix", params: SMALL_SHARED_PREFIX, stages, arrival, seed });
}

export function tinyEngines(seed = 1): Promise<ResolvedEngines> {
  return resolveEngines({ profile: "tiny-cpu" }, seed);
}

export function policy(name: string): Policy {
  return resolvePolicies([name]).policies[0]!;
}

/** A policy whose scheduler wraps `inner`, letting a test watch every decision. */
export function spyPolicy(
  inner: Policy,
  onSchedule: (...args: Parameters<Scheduler["schedule"]>) => void,
): Policy {
  return {
    ...inner,
    create(context) {
      const scheduler = inner.create(context);
      return {
        ...scheduler,
        schedule(request, candidates) {
          onSchedule(request, candidates);
          return scheduler.schedule(request, candidates);
        },
        onPicked: scheduler.onPicked?.bind(scheduler),
      };
    },
  };
}
