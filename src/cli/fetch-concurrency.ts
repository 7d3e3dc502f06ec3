// Raises Bun's outbound fetch concurrency (256 by default) before any fetch happens. Bun reads
// BUN_CONFIG_MAX_HTTP_REQUESTS only at process start, so the process re-executes itself in place
// (execve keeps the pid, which systemd's Type=notify main-pid tracking relies on).

/** Concurrent upstream requests allowed; Bun's maximum. A gateway holds one per open stream. */
export const MAX_HTTP_REQUESTS = 65535;
export const MAX_HTTP_REQUESTS_ENV = "BUN_CONFIG_MAX_HTTP_REQUESTS";

type Execve = (file: string, args: string[], env: Record<string, string | undefined>) => never;

/**
 * Re-executes the current process with the fetch limit raised, unless it is already set in the
 * environment (a user's own value is respected). Returns only when no re-exec was needed.
 */
export function ensureFetchConcurrency(): void {
  if (process.env[MAX_HTTP_REQUESTS_ENV] !== undefined) return;
  const execve = (process as unknown as { execve?: Execve }).execve;
  if (typeof execve !== "function") return;
  // argv[0] is the runtime, argv[1] the script (or the binary's internal entry when compiled).
  const args = Bun.isStandaloneExecutable
    ? [process.execPath, ...process.argv.slice(2)]
    : [process.execPath, ...process.argv.slice(1)];
  execve(process.execPath, args, { ...process.env, [MAX_HTTP_REQUESTS_ENV]: String(MAX_HTTP_REQUESTS) });
}
