// Public surface of the scheduler: the endpoint-picking contract and its implementations.
export { SCHEDULER_ERRORS, type SchedulerErrorCode } from "./errors.ts";
export { createRoundRobinScheduler } from "./round-robin.ts";
export type { DecisionExplanation, ScheduleResult, Scheduler, SchedulingRequest } from "./types.ts";
