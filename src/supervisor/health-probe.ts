// Readiness probe: vLLM answers GET /health with 200 once it serves (vllm-interfaces §5); until
// then connections are refused, which is the expected "not yet" and not an error.

/** `(url, timeoutMs)` → whether the engine answered 200. */
export type HealthProbe = (url: string, timeoutMs: number) => Promise<boolean>;

export async function probeHealth(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    // Converted to "not ready": refused, reset and timed-out connections are normal while loading.
    return false;
  }
}

/** The /health URL of an engine listening on `host` (a wildcard host is probed on loopback). */
export function healthUrl(host: string, port: number): string {
  const target = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return `http://${target.includes(":") ? `[${target}]` : target}:${port}/health`;
}
