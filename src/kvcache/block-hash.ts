// vLLM prefix-cache block hashing for sha256_cbor and xxhash_cbor (vllm-interfaces.md §2), and the
// conversions between full digests and the 64-bit ints that KV events carry (§1.5).
import { createXXHash128 } from "hash-wasm";
import type { BlockHashContext, BlockHasher, PrefixHashAlgo } from "./block-hash-types.ts";
import { CborWriter } from "./cbor.ts";
import type { BlockExtraKey, WireBlockHash } from "./events/types.ts";

/** vLLM draws `os.urandom(32)` for NONE_HASH when PYTHONHASHSEED is unset, whatever the algorithm. */
const RANDOM_NONE_HASH_BYTES = 32;
const SHA256_DIGEST_BYTES = 32;
const UINT64_BYTES = 8;

/** A BlockHasher that can also hash a block straight out of a longer token array, without slicing. */
export interface RangeBlockHasher extends BlockHasher {
  /** Same as `hashBlock(parent, tokens.slice(start, end), extraKeys)`. */
  hashBlockRange(
    parent: Uint8Array | null,
    tokens: ArrayLike<number>,
    start: number,
    end: number,
    extraKeys: readonly BlockExtraKey[] | null,
  ): Uint8Array;
}

type DigestFn = (data: Uint8Array) => Uint8Array;

/**
 * Builds the hasher for `algo`. `pythonHashSeed` is the engine's PYTHONHASHSEED value: when set,
 * NONE_HASH = H(cbor(text string of the seed)) (§2.2); when undefined, NONE_HASH is 32 random bytes,
 * as vLLM does, so hashes match no engine. Async only because the xxhash wasm module loads once.
 */
export async function createBlockHasher(
  algo: PrefixHashAlgo,
  pythonHashSeed: string | undefined,
): Promise<RangeBlockHasher> {
  const digest = await createDigestFn(algo);
  const writer = new CborWriter();
  const noneHash =
    pythonHashSeed === undefined ? randomNoneHash() : digestCbor(writer, digest, pythonHashSeed);

  function hashBlockRange(
    parent: Uint8Array | null,
    tokens: ArrayLike<number>,
    start: number,
    end: number,
    extraKeys: readonly BlockExtraKey[] | null,
  ): Uint8Array {
    // vLLM: `if not parent_block_hash: parent_block_hash = NONE_HASH` (empty bytes are falsy too).
    const effectiveParent = parent === null || parent.length === 0 ? noneHash : parent;
    writer.reset();
    writer.writeArrayHead(3);
    writer.writeBytes(effectiveParent);
    writer.writeArrayHead(end - start);
    writer.writeIntRun(tokens, start, end);
    if (extraKeys === null) writer.writeNull();
    else writer.writeValue(extraKeys);
    return digest(writer.view());
  }

  return {
    algo,
    noneHash,
    hashBlockRange,
    hashBlock: function hashBlock(parent, tokens, extraKeys) {
      return hashBlockRange(parent, tokens, 0, tokens.length, extraKeys);
    },
  };
}

/**
 * Hashes every full block of `tokens` (a trailing partial block is never hashed, as in vLLM) and returns
 * the chain of full digests. `startParent` continues an existing chain: its blocks are then not the
 * sequence's first, so the cache_salt key is not applied. Without it the chain starts at NONE_HASH.
 */
export function hashBlockChain(
  hasher: BlockHasher,
  tokens: ArrayLike<number>,
  blockSize: number,
  context: BlockHashContext,
  startParent: Uint8Array | null = null,
): Uint8Array[] {
  if (!Number.isInteger(blockSize) || blockSize <= 0) {
    throw new RangeError(`blockSize must be a positive integer, got ${blockSize}`);
  }
  const blockCount = Math.floor(tokens.length / blockSize);
  const digests = new Array<Uint8Array>(blockCount);
  const isSequenceStart = startParent === null || startParent.length === 0;
  // Only block 0 of a sequence differs (cache_salt); every later block shares one key tuple.
  const laterKeys = extraKeysForBlock(1, context);
  const firstKeys = isSequenceStart ? extraKeysForBlock(0, context) : laterKeys;
  let parent = startParent;
  for (let block = 0; block < blockCount; block++) {
    const extraKeys = block === 0 ? firstKeys : laterKeys;
    const start = block * blockSize;
    parent = isRangeBlockHasher(hasher)
      ? hasher.hashBlockRange(parent, tokens, start, start + blockSize, extraKeys)
      : hasher.hashBlock(parent, Array.prototype.slice.call(tokens, start, start + blockSize), extraKeys);
    digests[block] = parent;
  }
  return digests;
}

/**
 * The extra keys of block `blockIndex` (0 = the sequence's first block), in vLLM's order: LoRA name on
 * every block, then cache_salt on block 0 only (§2.3). Null when none apply, which hashes as CBOR null.
 * Multimodal and prompt-embedding keys are not produced here: llmux routes text prompts.
 */
export function extraKeysForBlock(blockIndex: number, context: BlockHashContext): BlockExtraKey[] | null {
  const keys: BlockExtraKey[] = [];
  // vLLM tests `lora_request` (an object), so any adapter name counts, even "".
  if (context.loraName !== undefined && context.loraName !== null) keys.push(context.loraName);
  // vLLM tests `request.cache_salt` for truthiness, so "" adds no key.
  if (blockIndex === 0 && context.cacheSalt) keys.push(context.cacheSalt);
  return keys.length === 0 ? null : keys;
}

/** The KV-event int form of a digest: `int.from_bytes(digest, "big") & (2**64 - 1)` (§1.5). */
export function toWireInt(digest: Uint8Array): bigint {
  if (digest.length >= UINT64_BYTES) {
    const view = new DataView(digest.buffer, digest.byteOffset + digest.length - UINT64_BYTES, UINT64_BYTES);
    return view.getBigUint64(0);
  }
  let value = 0n;
  for (const byte of digest) value = (value << 8n) | BigInt(byte);
  return value;
}

/**
 * Normalises a wire hash to an unsigned 64-bit bigint: bytes → last 8 bytes big-endian (short byte
 * strings left-padded), ints → two's-complement uint64 (old `builtin` hashes could be negative).
 */
export function wireHashToBigInt(hash: WireBlockHash): bigint {
  return typeof hash === "bigint" ? BigInt.asUintN(64, hash) : toWireInt(hash);
}

function isRangeBlockHasher(hasher: BlockHasher): hasher is RangeBlockHasher {
  return typeof (hasher as Partial<RangeBlockHasher>).hashBlockRange === "function";
}

async function createDigestFn(algo: PrefixHashAlgo): Promise<DigestFn> {
  switch (algo) {
    case "sha256_cbor":
      return function sha256Digest(data) {
        const out = new Uint8Array(SHA256_DIGEST_BYTES);
        // Bun.SHA256.hash into a caller buffer: 1.3 ms per 8192 100-byte inputs vs 2.9 ms for a reused
        // Bun.CryptoHasher and 6.5 ms for node:crypto createHash (Bun 1.4.5, measured).
        Bun.SHA256.hash(data, out);
        return out;
      };
    case "xxhash_cbor": {
      // xxhash's xxh3_128_digest is the canonical (big-endian) form; hash-wasm's binary digest
      // uses the same byte order (checked against python3-xxhash in the tests).
      const xxh = await createXXHash128();
      return function xxh3Digest(data) {
        xxh.init();
        xxh.update(data);
        return xxh.digest("binary");
      };
    }
  }
}

function digestCbor(writer: CborWriter, digest: DigestFn, seed: string): Uint8Array {
  writer.reset();
  writer.writeText(seed);
  return digest(writer.view());
}

function randomNoneHash(): Uint8Array {
  const bytes = new Uint8Array(RANDOM_NONE_HASH_BYTES);
  crypto.getRandomValues(bytes);
  return bytes;
}
