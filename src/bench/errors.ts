// Error catalogue of the bench component: bad workload parameters, traces, policies and run options.
// The CLI turns every one of them into a one-line message and exit code 2.

export const BENCH_ERRORS = {
  bench_unknown_workload: "unknown workload",
  bench_invalid_workload_params: "invalid workload parameters",
  bench_invalid_trace: "invalid trace file",
  bench_unknown_policy: "unknown scheduling policy",
  bench_invalid_policy_config: "invalid scheduler config for a policy",
  bench_invalid_options: "invalid benchmark options",
} as const;

export type BenchErrorCode = keyof typeof BENCH_ERRORS;

/** A problem with what the user asked the benchmark to do (never a bug): exit 2 at the CLI. */
export class BenchError extends Error {
  override readonly name = "BenchError";

  constructor(
    readonly code: BenchErrorCode,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`${BENCH_ERRORS[code]}: ${detail}`, options);
  }
}
