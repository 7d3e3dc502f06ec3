// E2E harness: reads a sim's load gauges from its Prometheus /metrics (summed over engines).
import { type SimProcess, scrape } from "./sim-process.ts";

/** Sum of every sample of gauge `name` in a Prometheus text page. */
export function gaugeSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `))
      sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

export interface SimLoad {
  readonly running: number;
  readonly waiting: number;
}

/** vllm:num_requests_running and vllm:num_requests_waiting, as scraped now. */
export async function simLoad(sim: SimProcess): Promise<SimLoad> {
  const text = await scrape(sim);
  return {
    running: gaugeSum(text, "vllm:num_requests_running"),
    waiting: gaugeSum(text, "vllm:num_requests_waiting"),
  };
}
