// Turns `engines:` + `supervisor:` + the discovered GPUs into a launch plan, or into every problem
// that would stop it, each with a fix. Pure: file checks are injected; port probing is in plan.ts.
import { existsSync } from "node:fs";
import type { EngineSpec, SupervisorConfig } from "../config/index.ts";
import { findArgConflicts } from "./extra-args.ts";
import { assignGpus } from "./gpu-assignment.ts";
import { allocatePorts, findPortProblems, type ReservedPort } from "./ports.ts";
import type { EngineKind, GpuDiscovery, PlacementProblem, Plan, PlannedInstance } from "./types.ts";

export interface PlacementInput {
  readonly engines: readonly EngineSpec[];
  readonly supervisor: SupervisorConfig;
  readonly discovery: GpuDiscovery;
  /** Whether supervisor.vllm_command[0] resolves on PATH. */
  readonly isVllmAvailable: boolean;
  readonly reservedPorts?: readonly ReservedPort[];
  readonly pathExists?: (path: string) => boolean;
}

/** `auto` runs vLLM only where it can: GPUs were found and the vllm command exists. */
export function resolveEngineKind(
  setting: SupervisorConfig["engine"],
  override: EngineKind | undefined,
  hasGpus: boolean,
  isVllmAvailable: boolean,
): EngineKind {
  const chosen = override ?? setting;
  if (chosen !== "auto") return chosen;
  return hasGpus && isVllmAvailable ? "vllm" : "sim";
}

/**
 * Builds the plan and lists every problem that can be found without binding ports. The plan is
 * returned even with problems so that port probing can add its own; launch only with none.
 */
export function planPlacement(input: PlacementInput): { plan: Plan; problems: PlacementProblem[] } {
  const { engines, supervisor, discovery } = input;
  const kinds = engines.map((spec) =>
    resolveEngineKind(supervisor.engine, spec.engine, discovery.gpus.length > 0, input.isVllmAvailable),
  );
  const assignment = assignGpus(engines, kinds, discovery.gpus, discovery.report);
  const problems: PlacementProblem[] = [
    ...vllmCommandProblems(kinds, supervisor, input.isVllmAvailable),
    ...assignment.problems,
    ...engines.flatMap((spec, i) => [
      ...findArgConflicts(spec, i, kinds[i] ?? "sim"),
      ...pathProblems(spec, i, input.pathExists ?? existsSync),
    ]),
    ...servedNameProblems(engines),
    ...roleProblems(engines),
  ];
  const instances = buildInstances(engines, kinds, assignment.byEntry, supervisor);
  problems.push(...findPortProblems(instances, input.reservedPorts ?? []));
  const plan: Plan = {
    host: supervisor.host,
    pythonHashSeed: supervisor.python_hash_seed,
    vllmCommand: supervisor.vllm_command,
    simArgs: supervisor.sim_args,
    gpuReport: discovery.report,
    gpus: discovery.gpus,
    instances,
  };
  return { plan, problems };
}

function buildInstances(
  engines: readonly EngineSpec[],
  kinds: readonly EngineKind[],
  gpusByEntry: readonly (readonly (readonly number[])[])[],
  supervisor: SupervisorConfig,
): PlannedInstance[] {
  const bases = {
    httpBasePort: supervisor.base_port,
    kvEventsBasePort: supervisor.kv_events_base_port,
    nixlBasePort: supervisor.nixl_side_channel_base_port,
  };
  const counters = new Map<string, number>();
  const instances: PlannedInstance[] = [];
  let nixlCount = 0;
  engines.forEach((spec, entryIndex) => {
    for (let replica = 0; replica < spec.replicas; replica++) {
      const isPd = spec.role !== "both";
      const ports = allocatePorts(bases, instances.length, isPd ? nixlCount++ : null);
      instances.push({
        id: nextId(counters, spec),
        entryIndex,
        engine: kinds[entryIndex] ?? "sim",
        model: spec.model,
        servedModelNames: spec.served_model_name ?? [spec.model],
        role: spec.role,
        tensorParallelSize: spec.tensor_parallel_size,
        gpus: gpusByEntry[entryIndex]?.[replica] ?? [],
        ...ports,
        spec,
      });
    }
  });
  return instances;
}

/**
 * `<model>-<n>` (or `<model>-prefill-<n>` / `<model>-decode-<n>`) from the last segment of the model
 * id, lower-cased to [a-z0-9._-]: the id sits inside the `kv@<id>@<model>` topic, which llm-d
 * splits on "@". Numbering follows config order, so ids are stable while the config is.
 */
export function instanceBaseName(spec: EngineSpec): string {
  const last = spec.model.replace(/\/+$/, "").split("/").at(-1) ?? "";
  const short =
    last
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^[-.]+|-+$/g, "") || "engine";
  return spec.role === "both" ? short : `${short}-${spec.role}`;
}

function nextId(counters: Map<string, number>, spec: EngineSpec): string {
  const base = instanceBaseName(spec);
  const n = counters.get(base) ?? 0;
  counters.set(base, n + 1);
  return `${base}-${n}`;
}

function vllmCommandProblems(
  kinds: readonly EngineKind[],
  supervisor: SupervisorConfig,
  isVllmAvailable: boolean,
): PlacementProblem[] {
  if (isVllmAvailable || !kinds.includes("vllm")) return [];
  return [
    {
      path: "supervisor.vllm_command",
      message: `"${supervisor.vllm_command[0]}" is not on PATH`,
      fix: "install vLLM (pip install vllm), set supervisor.vllm_command to its full path, or run simulated engines (supervisor.engine: sim)",
    },
  ];
}

/** Only ids that look like paths are checked; anything else is a Hugging Face id. */
export function looksLikePath(model: string): boolean {
  return /^(\/|\.\.?(\/|$)|~)/.test(model);
}

function pathProblems(
  spec: EngineSpec,
  i: number,
  pathExists: (path: string) => boolean,
): PlacementProblem[] {
  const checks = [
    { path: `engines[${i}].model`, value: spec.model },
    ...spec.lora_modules.map((lora, j) => ({
      path: `engines[${i}].lora_modules[${j}].path`,
      value: lora.path,
    })),
  ];
  return checks.flatMap(({ path, value }) => {
    if (!looksLikePath(value)) return [];
    if (value.startsWith("~")) {
      return [
        {
          path,
          message: `"${value}" starts with ~, which vLLM does not expand`,
          fix: "use an absolute path",
        },
      ];
    }
    if (pathExists(value)) return [];
    return [
      {
        path,
        message: `"${value}" does not exist on this host`,
        fix: "download the model there first, or fix the path",
      },
    ];
  });
}

/** One served name must mean one model, or the gateway could not tell which engines serve a request. */
function servedNameProblems(engines: readonly EngineSpec[]): PlacementProblem[] {
  const owner = new Map<string, { model: string; index: number }>();
  const problems: PlacementProblem[] = [];
  engines.forEach((spec, index) => {
    for (const name of spec.served_model_name ?? [spec.model]) {
      const first = owner.get(name);
      if (first === undefined) owner.set(name, { model: spec.model, index });
      else if (first.model !== spec.model) {
        problems.push({
          path: `engines[${index}].served_model_name`,
          message: `"${name}" is served by engines[${first.index}] (${first.model}) and engines[${index}] (${spec.model})`,
          fix: "give each model its own served_model_name",
        });
      }
    }
  });
  return problems;
}

/** Disaggregated serving needs both halves for a model: a prefill pool and a decode pool. */
function roleProblems(engines: readonly EngineSpec[]): PlacementProblem[] {
  return engines.flatMap((spec, index) => {
    if (spec.role === "both") return [];
    const other = spec.role === "prefill" ? "decode" : "prefill";
    if (engines.some((candidate) => candidate.model === spec.model && candidate.role === other)) return [];
    return [
      {
        path: `engines[${index}].role`,
        message: `${spec.model} has ${spec.role} instances but no ${other} instances`,
        fix: `add an entry for ${spec.model} with role: ${other}, or set role: both`,
      },
    ];
  });
}
