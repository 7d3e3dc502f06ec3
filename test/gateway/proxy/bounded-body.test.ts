// Bounded whole-body reads.
import { describe, expect, test } from "bun:test";
import { readBoundedBody } from "../../../src/gateway/proxy/bounded-body.ts";

function streamOf(parts: readonly string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(encoder.encode(part));
      controller.close();
    },
  });
}

describe("readBoundedBody", () => {
  test("joins the chunks", async () => {
    const body = await readBoundedBody(streamOf(["ab", "cd", "é"]), 100);
    expect(body.kind === "ok" ? new TextDecoder().decode(body.bytes) : body.kind).toBe("abcdé");
  });

  test("accepts exactly maxBytes and rejects one more", async () => {
    expect((await readBoundedBody(streamOf(["12345", "67890"]), 10)).kind).toBe("ok");
    expect((await readBoundedBody(streamOf(["12345", "678901"]), 10)).kind).toBe("too-large");
  });

  test("a null body is empty", async () => {
    const body = await readBoundedBody(null, 10);
    expect(body.kind === "ok" ? body.bytes.byteLength : -1).toBe(0);
  });

  test("a failing body reports the failure", async () => {
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error("reset"));
      },
    });
    expect((await readBoundedBody(failing, 10)).kind).toBe("failed");
  });
});
