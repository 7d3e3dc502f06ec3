// Rolling update of the running engines to a new `engines:`/`supervisor:` config: places the new
// config next to the running engines, then replaces, adds and removes instances one at a time,
// each new process ready before the next step, so the other engines keep serving throughout.
import { existsSync } from "node:fs";
import type { EngineSpec, SupervisorConfig } from "../config/index.ts";
import type { Logger } from "../telemetry/index.ts";
import { planPlacement } from "./placement.ts";
import { formatProblems } from "./plan.ts";
import { findBusyPorts, type PortProbe, portUses, probePort, type ReservedPort } from "./ports.ts";
import { orderRollSteps, type RollStep } from "./roll-order.ts";
import type { SettledState, Supervisor } from "./supervisor.ts";
import type { PlacementProblem, Plan } from "./types.ts";

export interface RollRequest {
  readonly engines: readonly EngineSpec[];
  readonly supervisor: SupervisorConfig;
  /** Ports owned elsewhere (the gateway's), as for createPlan. */
  readonly reservedPorts?: readonly ReservedPort[];
}

/** A validated roll: the plan to reach and the steps that reach it (none when nothing changed). */
export interface EngineRoll {
  readonly plan: Plan;
  readonly steps: readonly RollStep[];
}

export type RollPreparation =
  | { readonly ok: true; readonly roll: EngineRoll }
  | { readonly ok: false; readonly problems: readonly PlacementProblem[] };

/**
 * How a roll ended: every step done; an engine it launched ended failed (the roll stops there, the
 * remaining engines keep their old launch spec); a port it needs is taken by another process
 * (nothing was touched); or llmux began stopping.
 */
export type RollOutcome = "completed" | "engine_failed" | "ports_busy" | "interrupted";

export interface EngineRoller {
  /** Synchronous: places `request` next to the running engines and orders the steps; starts nothing. */
  prepare(request: RollRequest): RollPreparation;
  /** Runs the steps one at a time; resolves when the roll ends. Only one roll runs at a time. */
  run(roll: EngineRoll): Promise<RollOutcome>;
  isRolling(): boolean;
  /** Whether the last roll ended before its last step: the engines lag behind the accepted config. */
  isBehind(): boolean;
}

export interface RollerDeps {
  readonly logger: Logger;
  readonly probePort?: PortProbe;
  readonly pathExists?: (path: string) => boolean;
  /** Resolves an executable on PATH (is vLLM installed?); Bun.which by default. */
  readonly which?: (command: string) => string | null;
}

export function createEngineRoller(supervisor: Supervisor, deps: RollerDeps): EngineRoller {
  let isRolling = false;
  let isBehind = false;

  return {
    prepare(request) {
      const running = supervisor.plan();
      const vllmExecutable = request.supervisor.vllm_command[0] ?? "vllm";
      // GPUs are discovered once at start: nvidia-smi is slow, and GPUs do not come and go under a running node.
      const placement = planPlacement({
        engines: request.engines,
        supervisor: request.supervisor,
        discovery: { gpus: running.gpus, report: running.gpuReport },
        isVllmAvailable: (deps.which ?? Bun.which)(vllmExecutable) !== null,
        ...(request.reservedPorts === undefined ? {} : { reservedPorts: request.reservedPorts }),
        pathExists: deps.pathExists ?? existsSync,
      });
      if (placement.problems.length > 0) return { ok: false, problems: placement.problems };
      const target = placement.plan;
      const failed = new Set(supervisor.instances().flatMap((i) => (i.state === "failed" ? [i.id] : [])));
      const order = orderRollSteps({
        running: running.instances,
        target: target.instances,
        // A crash-looped instance gets another launch: a reload is how an operator says "try again".
        isChanged: (planned) =>
          failed.has(planned.id) ||
          !Bun.deepEquals(supervisor.launchSpec(planned.id), supervisor.launchSpecFor(planned, target)),
      });
      if (!order.ok) return order;
      if (order.steps.length === 0 && !isRolling) isBehind = false;
      return { ok: true, roll: { plan: target, steps: order.steps } };
    },
    async run(roll) {
      if (isRolling) throw new Error("an engine roll is already running");
      if (roll.steps.length === 0) {
        isBehind = false;
        return "completed";
      }
      isRolling = true;
      isBehind = true;
      try {
        const outcome = await runSteps(supervisor, roll, deps);
        isBehind = outcome !== "completed";
        return outcome;
      } finally {
        isRolling = false;
      }
    },
    isRolling: () => isRolling,
    isBehind: () => isBehind,
  };
}

async function runSteps(supervisor: Supervisor, roll: EngineRoll, deps: RollerDeps): Promise<RollOutcome> {
  const { logger } = deps;
  const owned = new Set(portUses(supervisor.plan().instances).map((use) => use.port));
  const busy = await findBusyPorts(roll.plan.instances, deps.probePort ?? probePort, owned);
  if (busy.length > 0) {
    logger.error(
      { problems: busy },
      `engine roll not started, the engines keep running:\n${formatProblems(busy)}`,
    );
    return "ports_busy";
  }
  const total = roll.steps.length;
  logger.info(
    { steps: roll.steps.map(describeStep) },
    `engine roll started: ${total} step(s), one at a time`,
  );
  for (const [index, step] of roll.steps.entries()) {
    const progress = { step: index + 1, of: total, action: describeStep(step) };
    logger.info(progress, `engine roll: ${describeStep(step)}`);
    const settled = await runStep(supervisor, roll.plan, step);
    if (settled === "stopped") {
      logger.warn(progress, "engine roll interrupted: llmux is stopping");
      return "interrupted";
    }
    if (settled === "failed") {
      logger.error(
        progress,
        `engine roll stopped: ${describeStep(step)} did not become ready; the engines not rolled yet keep their old launch spec`,
      );
      return "engine_failed";
    }
  }
  logger.info({ steps: total }, "engine roll finished");
  return "completed";
}

function runStep(supervisor: Supervisor, plan: Plan, step: RollStep): Promise<SettledState | "removed"> {
  switch (step.kind) {
    case "replace":
      return supervisor.replace(step.instance, plan);
    case "add":
      return supervisor.add(step.instance, plan);
    case "remove":
      return supervisor.remove(step.id).then(() => "removed" as const);
  }
}

/** "replace qwen-0", for logs. */
export function describeStep(step: RollStep): string {
  return step.kind === "remove" ? `remove ${step.id}` : `${step.kind} ${step.instance.id}`;
}
