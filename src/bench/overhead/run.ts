// Gateway overhead (`llmux bench --gateway-overhead`): starts a fast sim and `llmux gateway` routing to
// it, both as children of this binary, then measures short and streaming completions straight to the
// sim and through the gateway: sequential latency and closed-loop requests/s.
import { latencyStats } from "../metrics/summarize.ts";
import { type Child, freeLoopbackPort, startChild } from "./children.ts";
import { closedLoopThroughput, sequentialLatencies } from "./probe.ts";

export interface OverheadOptions {
  /** argv that runs this binary: [execPath] when compiled, [bun, src/main.ts] from source. */
  readonly command: readonly string[];
  /** Sequential requests timed per path and response kind (after as many untimed, up to 200). */
  readonly requests: number;
  /** Clients of the requests/s measurement. */
  readonly concurrency: number;
  /** Length of each requests/s measurement. */
  readonly durationMs: number;
  /** Tokens of each streaming response. */
  readonly streamTokens: number;
  /** Environment of the children (variables that would configure them are removed). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly onProgress?: (line: string) => void;
}

/** Times in ms and the sustained rate of one path for one response kind. */
export interface PathStats {
  readonly firstByteP50Ms: number;
  readonly firstByteP99Ms: number;
  readonly completeP50Ms: number;
  readonly completeP99Ms: number;
  readonly requestsPerS: number;
}

export interface KindResult {
  readonly kind: "short" | "streaming";
  readonly direct: PathStats;
  readonly gateway: PathStats;
}

export interface OverheadResult {
  readonly requests: number;
  readonly concurrency: number;
  readonly durationMs: number;
  readonly streamTokens: number;
  readonly kinds: readonly KindResult[];
}

const MODEL = "bench";
const WARMUP_REQUESTS = 200;
const START_TIMEOUT_MS = 30_000;
/** Variables that would point a child at another config or require API keys. */
const CONFIGURING_ENV = ["LLMUX_CONFIG", "LLMUX_API_KEYS", "LLMUX_ADMIN_KEY"];

/** `env` without the variables that would configure the children. */
export function childEnv(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  const out = { ...env };
  for (const name of CONFIGURING_ENV) delete out[name];
  return out;
}

export async function measureGatewayOverhead(options: OverheadOptions): Promise<OverheadResult> {
  const env = childEnv(options.env);
  const children: Child[] = [];
  try {
    const simPort = freeLoopbackPort();
    children.push(
      await startChild({
        name: "sim",
        argv: [...options.command, ...simArgv(simPort)],
        readyUrl: `http://127.0.0.1:${simPort}/health`,
        readyTimeoutMs: START_TIMEOUT_MS,
        env,
      }),
    );
    const gatewayPort = freeLoopbackPort();
    children.push(
      await startChild({
        name: "gateway",
        argv: [...options.command, ...gatewayArgv(gatewayPort, simPort)],
        readyUrl: `http://127.0.0.1:${gatewayPort}/ready`,
        readyTimeoutMs: START_TIMEOUT_MS,
        env,
      }),
    );
    for (const child of children) options.onProgress?.(`started ${child.name} (pid ${child.pid})`);
    const paths = {
      direct: `http://127.0.0.1:${simPort}/v1/completions`,
      gateway: `http://127.0.0.1:${gatewayPort}/v1/completions`,
    };
    const kinds: KindResult[] = [];
    for (const kind of ["short", "streaming"] as const) {
      const body = requestBody(kind, options.streamTokens);
      const direct = await measurePath(options, `${kind}, direct`, paths.direct, body);
      const gateway = await measurePath(options, `${kind}, through the gateway`, paths.gateway, body);
      kinds.push({ kind, direct, gateway });
    }
    return {
      requests: options.requests,
      concurrency: options.concurrency,
      durationMs: options.durationMs,
      streamTokens: options.streamTokens,
      kinds,
    };
  } finally {
    await Promise.all(children.reverse().map((child) => child.stop()));
  }
}

async function measurePath(
  options: OverheadOptions,
  label: string,
  url: string,
  body: string,
): Promise<PathStats> {
  options.onProgress?.(`${label}: ${options.requests} sequential requests`);
  await sequentialLatencies(url, body, Math.min(WARMUP_REQUESTS, options.requests));
  const samples = await sequentialLatencies(url, body, options.requests);
  options.onProgress?.(`${label}: ${options.concurrency} clients for ${options.durationMs / 1000} s`);
  const requestsPerS = await closedLoopThroughput(url, body, options.concurrency, options.durationMs);
  const firstByte = latencyStats(samples.firstByteMs);
  const complete = latencyStats(samples.completeMs);
  return {
    firstByteP50Ms: firstByte.p50,
    firstByteP99Ms: firstByte.p99,
    completeP50Ms: complete.p50,
    completeP99Ms: complete.p99,
    requestsPerS,
  };
}

export function requestBody(kind: "short" | "streaming", streamTokens: number): string {
  if (kind === "short") return JSON.stringify({ model: MODEL, prompt: "hello", max_tokens: 1 });
  return JSON.stringify({
    model: MODEL,
    prompt: "hello",
    max_tokens: streamTokens,
    ignore_eos: true,
    stream: true,
  });
}

/** A tiny-cpu sim with time scaled 1000×, so the engine's own time is near zero. */
export function simArgv(port: number): string[] {
  return [
    "sim",
    MODEL,
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    "--sim-profile",
    "tiny-cpu",
    "--sim-time-scale",
    "1000",
    "--sim-startup-delay",
    "0",
    "--log-level",
    "warn",
  ];
}

/** The embedded default config with the sim as its only endpoint and no access log. */
export function gatewayArgv(port: number, simPort: number): string[] {
  const endpoint = `{id: sim, url: "http://127.0.0.1:${simPort}", models: [${MODEL}]}`;
  return [
    "gateway",
    "--port",
    String(port),
    "--log-level",
    "warn",
    "--set",
    "telemetry.access_log=false",
    "--set",
    `gateway.endpoints=[${endpoint}]`,
  ];
}
