// Round-robin over the candidates: the picker that sits behind the Scheduler interface until the
// plugin framework (issue #5) replaces it. Rotation is per model, so models do not skew each other.
import type { EndpointSnapshot } from "../pool/index.ts";
import type { ScheduleResult, Scheduler, SchedulingRequest } from "./types.ts";

export function createRoundRobinScheduler(): Scheduler {
  const nextByModel = new Map<string, number>();
  return {
    schedule(request: SchedulingRequest, candidates: readonly EndpointSnapshot[]): ScheduleResult {
      if (candidates.length === 0) {
        return {
          ok: false,
          code: "scheduler_no_endpoints",
          message: `no endpoint can serve ${request.model}`,
        };
      }
      const ordered = [...candidates].sort((a, b) => (a.descriptor.id < b.descriptor.id ? -1 : 1));
      const turn = nextByModel.get(request.model) ?? 0;
      nextByModel.set(request.model, turn + 1);
      const endpoint = ordered[turn % ordered.length] as EndpointSnapshot;
      const scores: Record<string, Record<string, number>> = {};
      for (const candidate of ordered)
        scores[candidate.descriptor.id] = { total: candidate === endpoint ? 1 : 0 };
      return {
        ok: true,
        endpoint,
        explanation: {
          profile: "round-robin",
          picker: "round-robin",
          winner: endpoint.descriptor.id,
          scores,
          filteredOut: {},
        },
      };
    },
  };
}
