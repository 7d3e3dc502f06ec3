// Error catalogue of the scheduler.

export const SCHEDULER_ERRORS = {
  scheduler_no_endpoints: { message: "no endpoint can take the request", httpStatus: 503 },
} as const;

export type SchedulerErrorCode = keyof typeof SCHEDULER_ERRORS;
