// The order of a rolling update: which instances a new plan replaces, adds or removes, one step at
// a time, each step only once no other running engine holds the ports and GPUs it needs. Pure.
import { portUses } from "./ports.ts";
import type { PlacementProblem, PlannedInstance } from "./types.ts";

/** One step of a roll; the supervisor runs them in order, each to its end, before the next. */
export type RollStep =
  | { readonly kind: "replace"; readonly instance: PlannedInstance }
  | { readonly kind: "add"; readonly instance: PlannedInstance }
  | { readonly kind: "remove"; readonly id: string };

export interface RollOrderInput {
  /** The instances running now, with the ports and GPUs they hold. */
  readonly running: readonly PlannedInstance[];
  /** Every instance of the new plan. */
  readonly target: readonly PlannedInstance[];
  /** Whether a target instance that runs already needs a new process (its launch spec differs). */
  readonly isChanged: (instance: PlannedInstance) => boolean;
}

export type RollOrder =
  | { readonly ok: true; readonly steps: readonly RollStep[] }
  | { readonly ok: false; readonly problems: readonly PlacementProblem[] };

/**
 * Replaces and adds in plan order, each as soon as what it needs is free; a removal runs early only
 * when it frees something a pending step needs, otherwise last, so capacity stays up longest. When
 * running engines would have to swap ports or GPUs (e.g. entries reordered), no one-at-a-time order
 * exists and the roll is refused.
 */
export function orderRollSteps(input: RollOrderInput): RollOrder {
  const runningIds = new Set(input.running.map((instance) => instance.id));
  const targetIds = new Set(input.target.map((instance) => instance.id));
  const holders = new Map<string, string>();
  for (const instance of input.running) claim(holders, instance);
  let pending: RollStep[] = input.target.flatMap((instance): RollStep[] => {
    if (!runningIds.has(instance.id)) return [{ kind: "add", instance }];
    return input.isChanged(instance) ? [{ kind: "replace", instance }] : [];
  });
  let removals = input.running.filter((instance) => !targetIds.has(instance.id)).map((i) => i.id);
  const steps: RollStep[] = [];
  while (pending.length > 0) {
    const runnable = pending.find((step) => blockers(holders, planned(step)).length === 0);
    if (runnable !== undefined) {
      release(holders, planned(runnable).id);
      claim(holders, planned(runnable));
      steps.push(runnable);
      pending = pending.filter((step) => step !== runnable);
      continue;
    }
    const blocking = new Set(
      pending.flatMap((step) => blockers(holders, planned(step)).map((b) => b.holder)),
    );
    const removal = removals.find((id) => blocking.has(id));
    if (removal === undefined) return { ok: false, problems: [swapProblem(holders, pending)] };
    release(holders, removal);
    steps.push({ kind: "remove", id: removal });
    removals = removals.filter((id) => id !== removal);
  }
  for (const id of removals) steps.push({ kind: "remove", id });
  return { ok: true, steps };
}

/** "port 8100", "GPU 3": what an instance holds exclusively while it runs. */
export function heldResources(instance: PlannedInstance): string[] {
  return [
    ...portUses([instance]).map((use) => `port ${use.port}`),
    ...instance.gpus.map((gpu) => `GPU ${gpu}`),
  ];
}

function planned(step: RollStep): PlannedInstance {
  if (step.kind === "remove") throw new Error("a removal is never pending");
  return step.instance;
}

function claim(holders: Map<string, string>, instance: PlannedInstance): void {
  for (const resource of heldResources(instance)) holders.set(resource, instance.id);
}

function release(holders: Map<string, string>, id: string): void {
  for (const [resource, holder] of holders) if (holder === id) holders.delete(resource);
}

/** What `instance` needs that another instance holds; its own old process is stopped first. */
function blockers(
  holders: ReadonlyMap<string, string>,
  instance: PlannedInstance,
): { resource: string; holder: string }[] {
  return heldResources(instance).flatMap((resource) => {
    const holder = holders.get(resource);
    return holder === undefined || holder === instance.id ? [] : [{ resource, holder }];
  });
}

function swapProblem(holders: ReadonlyMap<string, string>, pending: readonly RollStep[]): PlacementProblem {
  const examples = pending.slice(0, 3).map((step) => {
    const [first] = blockers(holders, planned(step));
    return `${planned(step).id} needs ${first?.resource} held by ${first?.holder}`;
  });
  return {
    path: "engines",
    message: `running engines would take over each other's ports or GPUs (${examples.join("; ")}), so they cannot be rolled one at a time`,
    fix: "keep the order of the engines: entries and add new entries at the end, or restart llmux to apply this layout",
  };
}
