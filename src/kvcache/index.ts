// Public surface of kvcache: vLLM block hashing, KV-event types and wire codec, the ZMTP
// transport, tokenization as vLLM does it, and (later) the prefix index.

export {
  createBlockHasher,
  extraKeysForBlock,
  hashBlockChain,
  type RangeBlockHasher,
  toWireInt,
  wireHashToBigInt,
} from "./block-hash.ts";
export type { BlockHashContext, BlockHasher, PrefixHashAlgo } from "./block-hash-types.ts";
export { type CborValue, CborWriter, encodeCbor } from "./cbor.ts";
export { type DecodeKvEventBatchOptions, decodeKvEventBatch } from "./events/decode.ts";
export { encodeKvEventBatch } from "./events/encode.ts";
export { KV_EVENT_ERRORS, KvEventDecodeError, type KvEventErrorCode } from "./events/errors.ts";
export { decodeSeq, encodeSeq, REPLAY_END_SEQ } from "./events/seq.ts";
export type {
  AllBlocksClearedEvent,
  BlockExtraKey,
  BlockRemovedEvent,
  BlockStoredEvent,
  KvEvent,
  KvEventBatch,
  KvEventsLayout,
  WireBlockHash,
} from "./events/types.ts";
export type { EngineKeyMode } from "./index-engine-keys.ts";
export { type KvCacheMetricSources, registerKvCacheMetrics } from "./index-metrics.ts";
export {
  type ApplyOutcome,
  CPU_BLOCK_WEIGHT,
  DEFAULT_MAX_ENTRIES,
  DEFAULT_SPECULATIVE_TTL_MS,
  GPU_BLOCK_WEIGHT,
  PrefixIndex,
  type PrefixIndexOptions,
  type PrefixIndexStats,
  type PrefixMatch,
} from "./prefix-index.ts";
export {
  computeRequestKeys,
  DEFAULT_WORKER_MIN_CHARS,
  type RequestKeys,
  type RequestKeysDeps,
  type RequestKeysFailure,
  type RequestKeysInput,
  type RequestKeysResult,
} from "./request-keys.ts";
export type { PromptSpec, RequestKind } from "./request-keys-prompt.ts";
export {
  createRequestKeysWorker,
  type RequestKeysWorker,
  type RequestKeysWorkerOptions,
} from "./request-keys-worker-client.ts";
export {
  type KvEventPoolView,
  type KvEventSink,
  type KvEventSubscriber,
  type KvEventSubscriberOptions,
  type KvEventSubscriberStats,
  type KvEventSubscriptions,
  type KvEventSubscriptionsOptions,
  type KvEventSubscriptionsStats,
  kvEngineId,
  offsetEndpointPort,
  startKvEventSubscriber,
  startKvEventSubscriptions,
} from "./subscriber/index.ts";
export {
  BUILTIN_EOS_TOKEN_ID,
  BUILTIN_SPECIAL_TOKENS,
  BUILTIN_VOCAB_SIZE,
  type BuiltinTokenizerOptions,
  createBuiltinTokenizer,
  type LoadTokenizerOptions,
  loadTokenizer,
  TOKENIZE_ERRORS,
  TokenizeError,
  type TokenizeErrorCode,
} from "./tokenize/index.ts";
export type { ChatContentPart, ChatMessage, ChatRenderOptions, PromptTokenizer } from "./tokenize/types.ts";
export {
  bindPublisher,
  bindRouter,
  connectDealer,
  connectSubscriber,
  type Multipart,
  ZMTP_ERROR_CODES,
  type ZmqBindOptions,
  type ZmqConnectOptions,
  type ZmqDealer,
  type ZmqDealerOptions,
  type ZmqPublisher,
  type ZmqRouter,
  type ZmqSubscriber,
  ZmtpError,
  type ZmtpErrorCode,
} from "./zmq/index.ts";
