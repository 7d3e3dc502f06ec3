// Public surface of kvcache: vLLM block hashing, KV-event types and codec, ZMQ transport,
// tokenization and (later) the prefix index.
export type { BlockHashContext, BlockHasher, PrefixHashAlgo } from "./block-hash-types.ts";
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
export type { ChatContentPart, ChatMessage, ChatRenderOptions, PromptTokenizer } from "./tokenize/types.ts";
export type {
  Multipart,
  ZmqConnectOptions,
  ZmqDealer,
  ZmqPublisher,
  ZmqRouter,
  ZmqSubscriber,
} from "./zmq/types.ts";
