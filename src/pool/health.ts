// Active health checks for endpoints llmux did not launch (static config, endpoints file):
// GET /health with a timeout; consecutive failures mark an endpoint unhealthy, one success restores it.
import type { Logger } from "../telemetry/index.ts";
import type { EndpointPool } from "./endpoint-pool.ts";

export interface HealthCheckerOptions {
  readonly pool: EndpointPool;
  readonly logger: Logger;
  readonly intervalMs?: number;
  readonly timeoutMs?: number;
  readonly failuresToUnhealthy?: number;
  /** Which endpoints to check (supervisor-launched ones are health-gated by the supervisor). */
  readonly shouldCheck: (endpointId: string) => boolean;
}

/** Starts the health loop; returns a stop function. */
export function startHealthChecker(options: HealthCheckerOptions): () => void {
  const intervalMs = options.intervalMs ?? 2000;
  const timeoutMs = options.timeoutMs ?? 1000;
  const threshold = options.failuresToUnhealthy ?? 2;
  const failures = new Map<string, number>();
  let isStopped = false;

  async function checkOne(id: string, baseUrl: string): Promise<void> {
    let isOk = false;
    try {
      const response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(timeoutMs) });
      isOk = response.status === 200;
      await response.body?.cancel();
    } catch (error) {
      options.logger.debug({ endpoint: id, err: error }, "health check failed");
    }
    const count = isOk ? 0 : (failures.get(id) ?? 0) + 1;
    failures.set(id, count);
    if (isOk) options.pool.setHealth(id, true);
    else if (count >= threshold) {
      if (count === threshold) options.logger.warn({ endpoint: id, failures: count }, "endpoint unhealthy");
      options.pool.setHealth(id, false);
    }
  }

  async function loop(): Promise<void> {
    while (!isStopped) {
      const targets = options.pool.snapshot().filter((s) => options.shouldCheck(s.descriptor.id));
      await Promise.all(targets.map((s) => checkOne(s.descriptor.id, s.descriptor.baseUrl)));
      await Bun.sleep(intervalMs);
    }
  }
  void loop();
  return () => {
    isStopped = true;
  };
}
