// Reads a whole upstream body into memory with a size cap, for non-streaming responses: the engine's
// JSON is relayed as the same bytes once usage has been read from it.

export type BoundedBody =
  | { readonly kind: "ok"; readonly bytes: Uint8Array<ArrayBuffer> }
  | { readonly kind: "too-large" }
  | { readonly kind: "failed"; readonly cause: unknown };

/**
 * Reads a response fully. A declared Content-Length under the cap takes Bun's native whole-body
 * read (HTTP framing bounds it); otherwise the capped stream reader below.
 */
export async function readBoundedResponse(response: Response, maxBytes: number): Promise<BoundedBody> {
  const declared = Number(response.headers.get("content-length") ?? Number.NaN);
  if (!Number.isFinite(declared) || declared > maxBytes) return readBoundedBody(response.body, maxBytes);
  try {
    return { kind: "ok", bytes: new Uint8Array(await response.arrayBuffer()) };
  } catch (error) {
    return { kind: "failed", cause: error };
  }
}

/** Reads `body` fully; past `maxBytes` it cancels the body and reports too-large. */
export async function readBoundedBody(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<BoundedBody> {
  if (body === null) return { kind: "ok", bytes: new Uint8Array(0) };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let totalBytes = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      totalBytes += value.byteLength;
      if (totalBytes > maxBytes) {
        await reader.cancel();
        return { kind: "too-large" };
      }
      chunks.push(value);
    }
  } catch (error) {
    return { kind: "failed", cause: error };
  }
  const only = chunks.length === 1 ? chunks[0] : undefined;
  // One chunk (the usual case for a small JSON answer) is handed over without a copy.
  if (only !== undefined && only.buffer instanceof ArrayBuffer) {
    return { kind: "ok", bytes: new Uint8Array(only.buffer, only.byteOffset, only.byteLength) };
  }
  return { kind: "ok", bytes: joinChunks(chunks, totalBytes) };
}

function joinChunks(chunks: readonly Uint8Array[], totalBytes: number): Uint8Array<ArrayBuffer> {
  const joined = new Uint8Array(totalBytes);
  let offset = 0;
  for (const chunk of chunks) {
    joined.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return joined;
}
