import { describe, expect, test } from "bun:test";
import { forEachLine } from "../../src/telemetry/index.ts";

function streamOf(chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks)
        controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
      controller.close();
    },
  });
}

async function collect(chunks: (string | Uint8Array)[], max?: number): Promise<string[]> {
  const lines: string[] = [];
  await forEachLine(streamOf(chunks), (line) => lines.push(line), max);
  return lines;
}

describe("forEachLine", () => {
  test("splits lines across chunk boundaries and emits a trailing partial line", async () => {
    expect(await collect(["INFO loading", " weights\nWARN x\r\npar", "tial"])).toEqual([
      "INFO loading weights",
      "WARN x",
      "partial",
    ]);
  });

  test("decodes a multi-byte character split between chunks", async () => {
    const bytes = new TextEncoder().encode("héllo\n");
    expect(await collect([bytes.slice(0, 2), bytes.slice(2)])).toEqual(["héllo"]);
  });

  test("cuts a line longer than the cap into pieces instead of buffering it", async () => {
    expect(await collect(["a".repeat(25)], 10)).toEqual(["a".repeat(10), "a".repeat(10), "a".repeat(5)]);
  });
});
