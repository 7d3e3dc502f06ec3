// KV event batches shared by the codec tests. V026_* reproduces the vLLM v0.26.0 payload quoted in
// vllm-interfaces.md §1.4 (from volcano-sh/kthena#1535); its 16 token ids are elided there, so the last 14
// here are made up.
import type { KvEventBatch } from "../../../src/kvcache/events/types.ts";

/** A uint64 block hash above 2^63, as vLLM 0.26 sent it. */
export const BIG_HASH = 15760518052499183552n;

export const V026_TOKENS = [
  151644, 872, 198, 9707, 11, 1246, 525, 498, 3730, 30, 151645, 198, 151644, 77091, 198, 40,
];

export const V026_BATCH: KvEventBatch = {
  ts: 1789095808.8378847,
  events: [
    {
      type: "BlockStored",
      blockHashes: [BIG_HASH],
      parentBlockHash: null,
      tokenIds: V026_TOKENS,
      blockSize: 16,
      loraId: null,
      medium: "GPU",
      loraName: null,
      extraKeys: [null],
      groupIdx: 0,
      kvCacheSpecKind: "full_attention",
      kvCacheSpecSlidingWindow: null,
    },
  ],
  dataParallelRank: 0,
};

/** The same payload as Python prints it (msgpack-python decoding of the v0.26.0 wire bytes). */
export const V026_PYTHON_LITERAL =
  "[1789095808.8378847, [{'type': 'BlockStored', 'block_hashes': [15760518052499183552], " +
  `'parent_block_hash': None, 'token_ids': [${V026_TOKENS.join(", ")}], 'block_size': 16, ` +
  "'lora_id': None, 'medium': 'GPU', 'lora_name': None, 'extra_keys': [None], 'group_idx': 0, " +
  "'kv_cache_spec_kind': 'full_attention'}], 0]";

/** Every event kind and field shape: GPU int hashes with a parent, LoRA, multimodal and embeds keys,
 * sliding window, CPU-offload byte hashes, removals on both media, and a clear. */
export const FULL_BATCH: KvEventBatch = {
  ts: 1_700_000_000,
  events: [
    {
      type: "BlockStored",
      blockHashes: [1n, 2n ** 40n, BIG_HASH, 2n ** 64n - 1n],
      parentBlockHash: 3236607068019569386n,
      tokenIds: Array.from({ length: 64 }, (_, i) => i * 4099),
      blockSize: 16,
      loraId: 7,
      medium: "GPU",
      loraName: "sql-adapter",
      extraKeys: [
        ["sql-adapter", ["img-1", -3], "salt"],
        ["sql-adapter"],
        ["sql-adapter", Uint8Array.of(1, 2, 3)],
        null,
      ],
      groupIdx: 1,
      kvCacheSpecKind: "sliding_window",
      kvCacheSpecSlidingWindow: 4096,
    },
    {
      type: "BlockStored",
      blockHashes: [new Uint8Array(32).fill(0xab), new Uint8Array(16).fill(0x01)],
      parentBlockHash: null,
      tokenIds: [],
      blockSize: 0,
      loraId: null,
      medium: "CPU",
      loraName: null,
      extraKeys: null,
      groupIdx: null,
      kvCacheSpecKind: null,
      kvCacheSpecSlidingWindow: null,
    },
    { type: "BlockRemoved", blockHashes: [BIG_HASH], medium: "GPU", groupIdx: 0 },
    { type: "BlockRemoved", blockHashes: [new Uint8Array(32).fill(0xab)], medium: "CPU", groupIdx: null },
    { type: "AllBlocksCleared" },
  ],
  dataParallelRank: 3,
};
