// The P/D node the e2e tests run: 2 prefill + 2 decode simulated engines behind `llmux up`, the disagg
// profile handler with a decider chosen per test file, and helpers to read engines and stream requests.
import type { StartLlmuxOptions } from "../harness/llmux-process.ts";

export const PD_MODEL = "e2e-model";

const SIM_ARGS = ["--sim-profile", "tiny-cpu", "--enable-prompt-tokens-details"];

/** Engines entries: two prefill and two decode instances; `prefillArgs` adds sim flags to the prefill ones. */
export function pdEngines(prefillArgs: readonly string[] = []): Record<string, unknown>[] {
  return [
    { model: PD_MODEL, role: "prefill", replicas: 2, extra_args: [...SIM_ARGS, ...prefillArgs] },
    { model: PD_MODEL, role: "decode", replicas: 2, extra_args: SIM_ARGS },
  ];
}

/** A `scheduler:` section with decode and prefill profiles and `decider` as the prefill decider. */
export function pdScheduler(decider: Record<string, unknown>): Record<string, unknown> {
  return {
    plugins: [
      { type: "decode-filter" },
      { type: "prefill-filter" },
      { type: "prefix-cache-scorer" },
      { type: "queue-scorer" },
      { type: "active-request-scorer" },
      { name: "pd-decider", ...decider },
      { type: "disagg-profile-handler", parameters: { deciders: { prefill: "pd-decider" } } },
    ],
    schedulingProfiles: [
      {
        name: "decode",
        plugins: [
          { pluginRef: "decode-filter" },
          { pluginRef: "prefix-cache-scorer", weight: 3 },
          { pluginRef: "queue-scorer", weight: 1 },
          { pluginRef: "active-request-scorer", weight: 1 },
        ],
      },
      {
        name: "prefill",
        plugins: [
          { pluginRef: "prefill-filter" },
          { pluginRef: "queue-scorer", weight: 1 },
          { pluginRef: "active-request-scorer", weight: 1 },
        ],
      },
    ],
    seed: 11,
  };
}

/** startLlmux options for the P/D node. */
export function pdNode(
  decider: Record<string, unknown>,
  prefillArgs: readonly string[] = [],
): StartLlmuxOptions {
  return {
    engines: pdEngines(prefillArgs),
    config: { scheduler: pdScheduler(decider) },
    readyTimeoutMs: 60_000,
  };
}

export interface Instance {
  readonly id: string;
  readonly role: string;
  readonly port: number;
  readonly pid: number | null;
  readonly state: string;
}

export async function instances(url: string): Promise<Instance[]> {
  return ((await (await fetch(`${url}/admin/instances`)).json()) as { instances: Instance[] }).instances;
}

/** Waits until every supervised engine is ready: /ready passes as soon as one engine serves the model. */
export async function waitAllReady(url: string, count = 4, timeoutMs = 60_000): Promise<Instance[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await instances(url);
    if (list.filter((i) => i.state === "ready").length >= count) return list;
    if (Date.now() > deadline) throw new Error(`engines not all ready: ${JSON.stringify(list)}`);
    await Bun.sleep(100);
  }
}

/** Sum of an engine's counter samples whose line contains `labelText`. */
export async function engineCounter(port: number, name: string, labelText = ""): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) && line.includes(labelText))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

/** Prompt tokens an engine computed itself (vLLM's prompt_tokens_by_source, source local_compute). */
export function localComputeTokens(port: number): Promise<number> {
  return engineCounter(port, "vllm:prompt_tokens_by_source_total", 'source="local_compute"');
}

/** Sum of the gateway's samples of `name` whose line contains `labelText`. */
export async function gatewayCounter(url: string, name: string, labelText = ""): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split("\n")
    .filter(
      (line) => (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) && line.includes(labelText),
    )
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

/** A prompt of about `tokens` tokens (4 characters each), distinct per `seed`. */
export function prompt(seed: string, tokens: number): string {
  const words: string[] = [];
  for (let i = 0; words.join(" ").length < tokens * 4; i++) words.push(`${seed}${(i * 7919) % 10007}`);
  return words.join(" ");
}

export interface StreamResult {
  readonly status: number;
  readonly endpoint: string | null;
  readonly text: string;
  readonly isComplete: boolean;
  readonly hasError: boolean;
}

/** A streamed chat through the gateway, bounded by `timeoutMs` so no test waits on a hung request. */
export async function streamChat(
  url: string,
  content: string,
  options: { maxTokens?: number; timeoutMs?: number; includeUsage?: boolean; requestId?: string } = {},
): Promise<StreamResult> {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(options.requestId === undefined ? {} : { "x-request-id": options.requestId }),
    },
    body: JSON.stringify({
      model: PD_MODEL,
      messages: [{ role: "user", content }],
      stream: true,
      max_tokens: options.maxTokens ?? 8,
      ignore_eos: true,
      ...(options.includeUsage === true ? { stream_options: { include_usage: true } } : {}),
    }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
  });
  const text = await response.text();
  return {
    status: response.status,
    endpoint: response.headers.get("x-llmux-endpoint"),
    text,
    isComplete: text.trimEnd().endsWith("data: [DONE]"),
    hasError: text.includes('"error"'),
  };
}
