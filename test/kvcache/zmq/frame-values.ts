// Test helper: building and reading frame contents (text, hex, vLLM's 8-byte big-endian seq).

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function seq8(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value));
  return out;
}

export function readSeq8(frame: Uint8Array): bigint {
  return new DataView(frame.buffer, frame.byteOffset, 8).getBigInt64(0);
}
