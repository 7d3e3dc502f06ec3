// Server-sent events exactly as vLLM's StreamingResponse writes them: `data: {json}\n\n` per chunk,
// `data: [DONE]\n\n` last, content type text/event-stream; charset=utf-8. Cancel = client gone.

const encoder = new TextEncoder();
const DONE = encoder.encode("data: [DONE]\n\n");

export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
};

export interface SseWriter {
  /** Sends one `data:` event; `json` is already serialized. */
  send(json: string): void;
  /** Sends a named event (`event: name\ndata: json\n\n`), as the Responses API streams. */
  sendEvent(name: string, json: string): void;
  /** Sends `data: [DONE]` and ends the body. */
  finish(): void;
  /** Ends the body without [DONE]. */
  end(): void;
  readonly isOpen: boolean;
}

/** A streaming body plus its writer; `onCancel` runs once if the client goes away first. */
export function createSseStream(onCancel: () => void): {
  body: ReadableStream<Uint8Array>;
  writer: SseWriter;
} {
  let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  let isOpen = true;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel() {
      if (!isOpen) return;
      isOpen = false;
      onCancel();
    },
  });
  const write = (bytes: Uint8Array) => {
    if (isOpen) controller?.enqueue(bytes);
  };
  const close = () => {
    if (!isOpen) return;
    isOpen = false;
    controller?.close();
  };
  const writer: SseWriter = {
    send: (json) => write(encoder.encode(`data: ${json}\n\n`)),
    sendEvent: (name, json) => write(encoder.encode(`event: ${name}\ndata: ${json}\n\n`)),
    finish() {
      write(DONE);
      close();
    },
    end: close,
    get isOpen() {
      return isOpen;
    },
  };
  return { body, writer };
}
