// Error catalogue of the supervisor component: placement, launch and lifecycle outcomes.

export const SUPERVISOR_ERRORS = {
  supervisor_placement_invalid: "the engines cannot be placed on this host as configured",
  supervisor_spawn_failed: "an engine process could not be started",
  supervisor_engine_exited: "an engine process exited without being asked to",
  supervisor_readiness_timeout: "an engine did not answer GET /health with 200 in time",
  supervisor_crash_loop: "an engine crashed too often within the restart window and is no longer restarted",
  supervisor_leftover_processes: "engine processes of a previous llmux run are still alive",
} as const;

export type SupervisorErrorCode = keyof typeof SUPERVISOR_ERRORS;

/** `<code>: <detail>`, the form instance snapshots carry in `lastError`. */
export function errorText(code: SupervisorErrorCode, detail: string): string {
  return `${code}: ${detail}`;
}

/** Raised for failed I/O in the supervisor; expected outcomes are typed results instead. */
export class SupervisorError extends Error {
  readonly code: SupervisorErrorCode;

  constructor(code: SupervisorErrorCode, detail: string, options?: ErrorOptions) {
    super(`${SUPERVISOR_ERRORS[code]}: ${detail}`, options);
    this.name = "SupervisorError";
    this.code = code;
  }
}
