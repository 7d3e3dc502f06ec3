// Encodes KV event batches exactly as vLLM's msgspec encoder does (vllm-interfaces.md §1.4), in the
// positional "array" layout (before vLLM PR #42892) or the tagged "map" layout (v0.26+).
import { type MsgpackValue, MsgpackWriter } from "./msgpack-writer.ts";
import type { KvEvent, KvEventBatch, KvEventsLayout } from "./types.ts";

/**
 * One struct field in declaration order. `hasDefault` marks fields declared with `= None`: msgspec's
 * omit_defaults drops them when null (every field, in a map; only a trailing run, in an array).
 * Fields without a default are always written, even as nil.
 */
interface WireField {
  readonly key: string;
  readonly value: MsgpackValue;
  readonly hasDefault: boolean;
}

/**
 * Serialises one batch. The outer batch is `[ts, events, data_parallel_rank]` in both layouts (v0.26.0
 * keeps it positional); the rank is dropped when null, as omit_defaults does. `ts` is always float64.
 */
export function encodeKvEventBatch(batch: KvEventBatch, layout: KvEventsLayout): Uint8Array {
  const writer = new MsgpackWriter();
  const hasRank = batch.dataParallelRank !== null;
  writer.writeArrayHead(hasRank ? 3 : 2);
  writer.writeFloat64(batch.ts);
  writer.writeArrayHead(batch.events.length);
  for (const event of batch.events) {
    writeEvent(writer, event.type, eventFields(event), layout);
  }
  if (batch.dataParallelRank !== null) writer.writeInt(batch.dataParallelRank);
  return writer.toBytes();
}

function eventFields(event: KvEvent): readonly WireField[] {
  switch (event.type) {
    case "BlockStored":
      return [
        { key: "block_hashes", value: event.blockHashes, hasDefault: false },
        { key: "parent_block_hash", value: event.parentBlockHash, hasDefault: false },
        { key: "token_ids", value: event.tokenIds, hasDefault: false },
        { key: "block_size", value: event.blockSize, hasDefault: false },
        { key: "lora_id", value: event.loraId, hasDefault: false },
        { key: "medium", value: event.medium, hasDefault: false },
        { key: "lora_name", value: event.loraName, hasDefault: false },
        { key: "extra_keys", value: event.extraKeys, hasDefault: true },
        { key: "group_idx", value: event.groupIdx, hasDefault: true },
        { key: "kv_cache_spec_kind", value: event.kvCacheSpecKind, hasDefault: true },
        { key: "kv_cache_spec_sliding_window", value: event.kvCacheSpecSlidingWindow, hasDefault: true },
      ];
    case "BlockRemoved":
      return [
        { key: "block_hashes", value: event.blockHashes, hasDefault: false },
        { key: "medium", value: event.medium, hasDefault: false },
        { key: "group_idx", value: event.groupIdx, hasDefault: true },
      ];
    case "AllBlocksCleared":
      return [];
  }
}

/** A tagged struct: `[tag, ...fields]` (array) or `{type: tag, ...fields}` (map), tag first in both. */
function writeEvent(
  writer: MsgpackWriter,
  tag: string,
  fields: readonly WireField[],
  layout: KvEventsLayout,
): void {
  if (layout === "array") {
    let count = fields.length;
    while (count > 0 && isOmitted(fields[count - 1]!)) count--;
    writer.writeArrayHead(1 + count);
    writer.writeString(tag);
    for (let i = 0; i < count; i++) writer.writeValue(fields[i]!.value);
    return;
  }
  const present = fields.filter((field) => !isOmitted(field));
  writer.writeMapHead(1 + present.length);
  writer.writeString("type");
  writer.writeString(tag);
  for (const field of present) {
    writer.writeString(field.key);
    writer.writeValue(field.value);
  }
}

function isOmitted(field: WireField): boolean {
  return field.hasDefault && field.value === null;
}
