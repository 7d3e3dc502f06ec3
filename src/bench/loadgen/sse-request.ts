// One streamed request against an OpenAI-compatible server, timed from the client: first content
// chunk (TTFT), gaps between content chunks (ITL), end, and the usage chunk's token counts.
import type { LatencyHistogram } from "../metrics/latency-histogram.ts";
import type { RequestRecord, WorkloadRequest } from "../types.ts";

export interface StreamedRequest {
  readonly request: WorkloadRequest;
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly arrivalMs: number;
  readonly sentMs: number;
  readonly endpoint: string;
  readonly timeoutMs: number;
  readonly now: () => number;
  readonly itl: LatencyHistogram;
}

interface StreamState {
  firstTokenMs: number | null;
  lastTokenMs: number;
  itlSumMs: number;
  itlCount: number;
  chunks: number;
  promptTokens: number | null;
  completionTokens: number | null;
  cachedTokens: number;
}

/** Sends the request and streams the answer; never throws (failures become the record's error). */
export async function runStreamedRequest(input: StreamedRequest): Promise<RequestRecord> {
  const state: StreamState = {
    firstTokenMs: null,
    lastTokenMs: 0,
    itlSumMs: 0,
    itlCount: 0,
    chunks: 0,
    promptTokens: null,
    completionTokens: null,
    cachedTokens: 0,
  };
  let error: string | null = null;
  try {
    const response = await fetch(input.url, {
      method: "POST",
      headers: input.headers,
      body: input.body,
      signal: AbortSignal.timeout(input.timeoutMs),
    });
    if (!response.ok) {
      const text = (await response.text()).slice(0, 300);
      error = `HTTP ${response.status}: ${text}`;
    } else if (response.body === null) {
      error = "empty response body";
    } else {
      await readEvents(response.body, (payload) => onPayload(payload, state, input));
    }
  } catch (cause) {
    error = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  }
  if (error === null && state.firstTokenMs === null) error = "no tokens in the stream";
  const r = input.request;
  return {
    index: r.index,
    stage: r.stage,
    tags: r.tags,
    arrivalMs: input.arrivalMs,
    sentMs: input.sentMs,
    firstTokenMs: state.firstTokenMs,
    endMs: input.now(),
    promptTokens: state.promptTokens ?? r.promptTokens,
    completionTokens: state.completionTokens ?? state.chunks,
    cachedTokens: state.cachedTokens,
    itlSumMs: state.itlSumMs,
    itlCount: state.itlCount,
    endpoint: input.endpoint,
    error,
  };
}

/** Splits an SSE byte stream into `data:` payloads (without the prefix), "[DONE]" excluded. */
export async function readEvents(
  stream: ReadableStream<Uint8Array>,
  onData: (payload: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of stream) {
    buffer += decoder.decode(chunk, { stream: true }).replaceAll("\r\n", "\n");
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of event.split("\n")) {
        if (!line.startsWith("data:")) continue;
        const payload = line.slice(5).trim();
        if (payload !== "[DONE]") onData(payload);
      }
      end = buffer.indexOf("\n\n");
    }
  }
}

function onPayload(payload: string, state: StreamState, input: StreamedRequest): void {
  const nowMs = input.now();
  const json = JSON.parse(payload) as {
    choices?: {
      text?: string | null;
      delta?: { content?: string | null; reasoning_content?: string | null };
    }[];
    usage?: {
      prompt_tokens?: number;
      completion_tokens?: number;
      prompt_tokens_details?: { cached_tokens?: number } | null;
    } | null;
  };
  const choice = json.choices?.[0];
  const text = choice?.text ?? choice?.delta?.content ?? choice?.delta?.reasoning_content ?? "";
  if (choice !== undefined && text !== "") {
    state.chunks++;
    if (state.firstTokenMs === null) state.firstTokenMs = nowMs;
    else {
      const gapMs = nowMs - state.lastTokenMs;
      state.itlSumMs += gapMs;
      state.itlCount++;
      input.itl.record(gapMs);
    }
    state.lastTokenMs = nowMs;
  }
  const usage = json.usage;
  if (usage !== undefined && usage !== null) {
    state.promptTokens = usage.prompt_tokens ?? state.promptTokens;
    state.completionTokens = usage.completion_tokens ?? state.completionTokens;
    state.cachedTokens = usage.prompt_tokens_details?.cached_tokens ?? 0;
  }
}
