// Builds a validated launch plan: GPU discovery, placement, then a bind test of every port.
// This is the one call `llmux up` (and `--dry-run`) makes before launching anything.
import type { EngineSpec, SupervisorConfig } from "../config/index.ts";
import { errorText, SUPERVISOR_ERRORS } from "./errors.ts";
import { discoverGpus } from "./gpu.ts";
import { planPlacement } from "./placement.ts";
import { findBusyPorts, type PortProbe, probePort, type ReservedPort } from "./ports.ts";
import type { GpuDiscovery, PlacementProblem, PlanResult } from "./types.ts";

export interface CreatePlanOptions {
  readonly engines: readonly EngineSpec[];
  readonly supervisor: SupervisorConfig;
  /** Ports owned elsewhere, e.g. `{ port: gateway.port, owner: "gateway", path: "gateway.port" }`. */
  readonly reservedPorts?: readonly ReservedPort[];
  /** Environment for PATH and CUDA_VISIBLE_DEVICES; process.env by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Skips nvidia-smi when the caller already ran discovery. */
  readonly discovery?: GpuDiscovery;
  readonly probePort?: PortProbe;
  readonly pathExists?: (path: string) => boolean;
}

/** Discovers GPUs, places the engines and checks their ports; returns the plan or every problem. */
export async function createPlan(options: CreatePlanOptions): Promise<PlanResult> {
  const env = options.env ?? process.env;
  const discovery = options.discovery ?? (await discoverGpus({ env }));
  const vllmExecutable = options.supervisor.vllm_command[0] ?? "vllm";
  const placement = planPlacement({
    engines: options.engines,
    supervisor: options.supervisor,
    discovery,
    isVllmAvailable: Bun.which(vllmExecutable, { PATH: env.PATH ?? "" }) !== null,
    ...(options.reservedPorts === undefined ? {} : { reservedPorts: options.reservedPorts }),
    ...(options.pathExists === undefined ? {} : { pathExists: options.pathExists }),
  });
  const busy = await findBusyPorts(placement.plan.instances, options.probePort ?? probePort);
  const problems = [...placement.problems, ...busy];
  return problems.length === 0 ? { ok: true, plan: placement.plan } : { ok: false, problems };
}

/** Human report of a failed plan: one block per problem with its fix. */
export function formatProblems(problems: readonly PlacementProblem[]): string {
  const lines = problems.map((problem) => `  ${problem.path}: ${problem.message}\n    fix: ${problem.fix}`);
  const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
  const header = errorText(
    "supervisor_placement_invalid",
    `${SUPERVISOR_ERRORS.supervisor_placement_invalid} (${count})`,
  );
  return [header, ...lines].join("\n");
}
