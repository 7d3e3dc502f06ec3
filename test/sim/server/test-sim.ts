// Test helper: an in-process sim (tiny-cpu profile, builtin tokenizer unless given) whose hono app is
// called with app.request(); SSE bodies are read back as parsed events.
import type { Hono } from "hono";
import type { PromptTokenizer } from "../../../src/kvcache/tokenize/index.ts";
import { createSimRuntime, parseSimArgs, type SimRuntime } from "../../../src/sim/index.ts";
import { createLogger } from "../../../src/telemetry/index.ts";

export interface TestSim {
  readonly app: Hono;
  readonly runtime: SimRuntime;
  /** POST a JSON body (an object, or a raw string sent as is). */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

export interface TestSimOptions {
  readonly env?: Record<string, string>;
  readonly tokenizer?: PromptTokenizer;
}

/** Starts engines for `flags` (model "sim-model", tiny-cpu, 20x time scale, no startup delay). */
export async function startTestSim(
  flags: readonly string[] = [],
  options: TestSimOptions = {},
): Promise<TestSim> {
  const args = parseSimArgs(
    [
      "sim-model",
      "--sim-profile",
      "tiny-cpu",
      "--sim-time-scale",
      "20",
      "--sim-startup-delay",
      "0",
      ...flags,
    ],
    { env: options.env ?? {} },
  );
  const logger = createLogger({ level: "silent", format: "json" });
  const runtime = await createSimRuntime({
    args,
    logger,
    ...(options.tokenizer === undefined ? {} : { tokenizer: options.tokenizer }),
  });
  const app = runtime.app;
  return {
    app,
    runtime,
    post: (path, body, headers = {}) =>
      Promise.resolve(
        app.request(path, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: typeof body === "string" ? body : JSON.stringify(body),
        }),
      ),
    get: (path, headers = {}) => Promise.resolve(app.request(path, { headers })),
    close: () => runtime.close(),
  };
}

/** The `data:` payloads of an SSE body, in order ("[DONE]" kept as a string). */
export async function readSse(response: Response): Promise<string[]> {
  const text = await response.text();
  return text
    .split("\n\n")
    .filter((block) => block.startsWith("data: "))
    .map((block) => block.slice("data: ".length));
}

/** Parsed JSON events of an SSE body without the closing [DONE]. */
export async function readSseJson(response: Response): Promise<Record<string, unknown>[]> {
  const events = await readSse(response);
  return events.filter((e) => e !== "[DONE]").map((e) => JSON.parse(e) as Record<string, unknown>);
}

/** A text of about `tokens` builtin-tokenizer tokens (three bytes each). */
export function textOfTokens(tokens: number, seed = "shared system prompt "): string {
  return seed.repeat(Math.ceil((tokens * 3) / seed.length)).slice(0, tokens * 3);
}

/** One sample of a Prometheus text body, e.g. metric("vllm:num_preemptions_total", {engine: "0"}). */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number | null {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return null;
}
