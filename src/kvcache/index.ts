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
