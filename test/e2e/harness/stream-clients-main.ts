// Child-process entry: fires LLMUX_TEST_CLIENTS.count concurrent streaming requests at a URL and
// prints one JSON summary of what each client received. Its own env raises Bun's fetch limit.
import type { StreamClientResult, StreamClientsConfig } from "./stream-clients.ts";

const config = JSON.parse(process.env.LLMUX_TEST_CLIENTS ?? "{}") as StreamClientsConfig;
const started = performance.now();

async function runClient(index: number): Promise<StreamClientResult> {
  const isUsageWanted = index % config.usageEvery === 0;
  const body = {
    ...config.body,
    stream: true,
    ...(isUsageWanted ? { stream_options: { include_usage: true } } : {}),
  };
  const sent = performance.now();
  const response = await fetch(`${config.url}${config.path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const headersMs = performance.now() - sent;
  const text = await response.text();
  let contentChunks = 0;
  let completionTokens: number | null = null;
  let isDoneSeen = false;
  let isEveryLineJson = true;
  for (const line of text.split("\n")) {
    if (!line.startsWith("data: ")) continue;
    const payload = line.slice(6);
    if (payload === "[DONE]") {
      isDoneSeen = true;
      continue;
    }
    try {
      const value = JSON.parse(payload) as {
        choices?: { text?: string }[];
        usage?: { completion_tokens?: number };
      };
      if ((value.choices?.length ?? 0) > 0 && (value.choices?.[0]?.text ?? "") !== "") contentChunks++;
      if (value.usage?.completion_tokens !== undefined) completionTokens = value.usage.completion_tokens;
    } catch {
      isEveryLineJson = false;
    }
  }
  return {
    status: response.status,
    isUsageWanted,
    headersMs,
    contentChunks,
    completionTokens,
    isDoneSeen,
    isEveryLineJson,
  };
}

const results = await Promise.all(Array.from({ length: config.count }, (_, i) => runClient(i)));
process.stdout.write(`${JSON.stringify({ results, elapsedMs: performance.now() - started })}\n`);
