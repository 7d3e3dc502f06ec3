// Error catalogue of KV-event wire decoding (payload and sequence frames).

export const KV_EVENT_ERRORS = {
  kvcache_event_malformed: "the KV event payload is not a vLLM KV event batch",
  kvcache_event_seq_invalid: "the KV event sequence frame is not 8 bytes",
} as const;

export type KvEventErrorCode = keyof typeof KV_EVENT_ERRORS;

/** Raised at the ZMQ boundary for a frame that cannot be decoded; `path` locates the bad field. */
export class KvEventDecodeError extends Error {
  readonly code: KvEventErrorCode;
  /** JSON-path-like location in the payload, e.g. `$[1][0].block_hashes[2]`; `$` for the whole frame. */
  readonly path: string;

  constructor(code: KvEventErrorCode, path: string, detail: string, options?: ErrorOptions) {
    super(`${KV_EVENT_ERRORS[code]}: ${path}: ${detail}`, options);
    this.name = "KvEventDecodeError";
    this.code = code;
    this.path = path;
  }
}
