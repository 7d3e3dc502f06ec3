// Ties a generation to an HTTP response: an SSE stream fed per engine step, or one JSON body when
// every choice is done. A client that goes away aborts the generation in the engine at once.
import type { Context } from "hono";
import type { SimEngineHandle, SimServerContext } from "./context.ts";
import { SimHttpError } from "./errors.ts";
import { type RunningGeneration, startGeneration } from "./generation.ts";
import type { ChoiceDelta, GenerationResult, GenerationSpec } from "./generation-types.ts";
import { createSseStream, SSE_HEADERS, type SseWriter } from "./sse.ts";

export interface StreamHandlers {
  onDeltas(writer: SseWriter, deltas: readonly ChoiceDelta[]): void;
  /** Writes the closing chunks; call writer.finish() or writer.end(). */
  onDone(writer: SseWriter, result: GenerationResult): void;
}

/** Starts the generation and answers with its event stream (engine refusals are HTTP errors). */
export async function respondStreaming(
  ctx: SimServerContext,
  c: Context,
  handle: SimEngineHandle,
  spec: GenerationSpec,
  handlers: StreamHandlers,
): Promise<Response> {
  let running: RunningGeneration | null = null;
  const { body, writer } = createSseStream(function onClientGone() {
    running?.abort();
  });
  running = await startGeneration(
    ctx,
    handle,
    spec,
    {
      onDeltas: (deltas) => handlers.onDeltas(writer, deltas),
      onDone: (result) => {
        if (result.error !== null) {
          writer.send(JSON.stringify(new SimHttpError(500, result.error).body()));
          writer.finish();
          return;
        }
        handlers.onDone(writer, result);
      },
    },
    c.req.raw.signal,
  );
  return new Response(body, { status: 200, headers: SSE_HEADERS });
}

/** Runs the generation to the end; an engine-side error becomes vLLM's 500. */
export function generateOnce(
  ctx: SimServerContext,
  c: Context,
  handle: SimEngineHandle,
  spec: GenerationSpec,
): Promise<GenerationResult> {
  return new Promise<GenerationResult>((resolve, reject) => {
    const onDone = (result: GenerationResult) => {
      if (result.error !== null) reject(new SimHttpError(500, result.error));
      else resolve(result);
    };
    startGeneration(ctx, handle, spec, { onDone }, c.req.raw.signal).catch(reject);
  });
}
