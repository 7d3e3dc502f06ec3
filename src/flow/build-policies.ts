// Builds the flow policies named in the `flow:` config from the registry, reporting every problem at once
// with its config path: unknown types, a type of the wrong kind, invalid parameters, unmet dependencies.
import type { FlowConfig } from "../config/index.ts";
import type { FlowPolicyKind, FlowPolicyOfKind, FlowPolicyRegistry } from "./registry.ts";
import * as utilizationDetector from "./saturation/utilization-detector.ts";
import type {
  Admitter,
  FairnessPolicy,
  FlowPolicyDeps,
  OrderingPolicy,
  SaturationDetector,
} from "./types.ts";

export interface FlowPolicies {
  readonly fairness: FairnessPolicy;
  readonly ordering: OrderingPolicy;
  readonly detectors: readonly SaturationDetector[];
  readonly admitters: readonly Admitter[];
}

/** One config problem (code flow_policy_invalid), e.g. {path: "flow.saturation_detectors[0].parameters.x"}. */
export interface FlowConfigProblem {
  readonly path: string;
  readonly message: string;
}

type PolicySpec = FlowConfig["fairness_policy"];

export interface BuildPolicyDeps extends FlowPolicyDeps {
  /** scheduler.metricsIntervalMs: a utilization detector must not call every scrape stale. */
  readonly metricsIntervalMs?: number;
}

export function buildFlowPolicies(
  config: FlowConfig,
  registry: FlowPolicyRegistry,
  deps: BuildPolicyDeps,
): { ok: true; policies: FlowPolicies } | { ok: false; problems: FlowConfigProblem[] } {
  const problems: FlowConfigProblem[] = [];

  function build<K extends FlowPolicyKind>(
    kind: K,
    spec: PolicySpec,
    path: string,
  ): FlowPolicyOfKind[K] | null {
    const registration = registry.get(spec.type);
    if (registration === undefined || registration.kind !== kind) {
      const known = registry
        .list()
        .filter((r) => r.kind === kind)
        .map((r) => r.type);
      const what = registration === undefined ? "unknown" : `a ${registration.kind} policy, not a ${kind}`;
      problems.push({
        path: `${path}.type`,
        message: `"${spec.type}" is ${what}; known: ${known.join(", ")}`,
      });
      return null;
    }
    const built = registration.build(spec.type, spec.parameters, deps);
    if (!built.ok) {
      for (const issue of built.issues) {
        const where = issue.path.length > 0 ? `.${issue.path.join(".")}` : "";
        problems.push({ path: `${path}.parameters${where}`, message: issue.message });
      }
      return null;
    }
    checkDependencies(spec, path, deps, problems);
    return built.policy as FlowPolicyOfKind[K];
  }

  const fairness = build("fairness", config.fairness_policy, "flow.fairness_policy");
  const ordering = build("ordering", config.ordering_policy, "flow.ordering_policy");
  const detectors = config.saturation_detectors.map((spec, i) =>
    build("saturation", spec, `flow.saturation_detectors[${i}]`),
  );
  const admitters = config.admitters.map((spec, i) => build("admitter", spec, `flow.admitters[${i}]`));
  if (problems.length > 0 || fairness === null || ordering === null) return { ok: false, problems };
  return {
    ok: true,
    policies: {
      fairness,
      ordering,
      detectors: detectors.filter((d): d is SaturationDetector => d !== null),
      admitters: admitters.filter((a): a is Admitter => a !== null),
    },
  };
}

function checkDependencies(
  spec: PolicySpec,
  path: string,
  deps: BuildPolicyDeps,
  problems: FlowConfigProblem[],
): void {
  if (spec.type === "latency-slo-admitter" && deps.estimateLatency === undefined) {
    problems.push({ path: `${path}.type`, message: "latency-slo-admitter needs the latency predictor" });
  }
  if (spec.type !== utilizationDetector.TYPE || deps.metricsIntervalMs === undefined) return;
  const parsed = utilizationDetector.Params.safeParse(spec.parameters ?? {});
  const staleness = parsed.success ? parsed.data.metricsStalenessMs : Number.POSITIVE_INFINITY;
  if (staleness <= deps.metricsIntervalMs) {
    problems.push({
      path: `${path}.parameters.metricsStalenessMs`,
      message: `${staleness} ms is not above scheduler.metricsIntervalMs (${deps.metricsIntervalMs} ms): every scrape would count as stale`,
    });
  }
}
