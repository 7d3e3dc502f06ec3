// HTTP probes of the gateway-overhead mode: sequential request latencies (first body byte and
// complete response) and the most requests per second a fixed number of concurrent clients sustain.

/** Per-request times in ms, in request order. */
export interface LatencySamples {
  readonly firstByteMs: readonly number[];
  readonly completeMs: readonly number[];
}

/** One POST timed from send to its first body chunk and to its last. */
async function timedPost(url: string, body: string): Promise<{ firstByteMs: number; completeMs: number }> {
  const startedMs = performance.now();
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  if (response.status !== 200) {
    const text = await response.text();
    throw new Error(`${url}: HTTP ${response.status}: ${text.slice(0, 200)}`);
  }
  let firstByteMs = Number.NaN;
  const reader = response.body?.getReader();
  while (reader !== undefined) {
    const { done } = await reader.read();
    if (Number.isNaN(firstByteMs)) firstByteMs = performance.now() - startedMs;
    if (done) break;
  }
  const completeMs = performance.now() - startedMs;
  return { firstByteMs: Number.isNaN(firstByteMs) ? completeMs : firstByteMs, completeMs };
}

/** Sends `count` requests one after another; throws on the first non-200 answer. */
export async function sequentialLatencies(url: string, body: string, count: number): Promise<LatencySamples> {
  const firstByteMs: number[] = [];
  const completeMs: number[] = [];
  for (let i = 0; i < count; i++) {
    const sample = await timedPost(url, body);
    firstByteMs.push(sample.firstByteMs);
    completeMs.push(sample.completeMs);
  }
  return { firstByteMs, completeMs };
}

/**
 * Completed requests per second with `concurrency` clients each sending back to back for
 * `durationMs`; throws on the first non-200 answer, since a failing path has no meaningful rate.
 */
export async function closedLoopThroughput(
  url: string,
  body: string,
  concurrency: number,
  durationMs: number,
): Promise<number> {
  const startedMs = performance.now();
  const deadlineMs = startedMs + durationMs;
  let completed = 0;
  async function client(): Promise<void> {
    while (performance.now() < deadlineMs) {
      await timedPost(url, body);
      completed++;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, client));
  return completed / ((performance.now() - startedMs) / 1000);
}
