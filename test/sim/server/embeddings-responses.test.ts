import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestSim, type TestSim } from "./test-sim.ts";

let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(() => sim.close());

interface EmbeddingBody {
  object: string;
  data: { index: number; object: string; embedding: number[] }[];
  usage: { prompt_tokens: number; completion_tokens: number };
}

const embed = async (body: Record<string, unknown>) =>
  (await (await sim.post("/v1/embeddings", body)).json()) as EmbeddingBody;

describe("POST /v1/embeddings", () => {
  test("returns one unit vector per input, the same for the same tokens", async () => {
    const body = await embed({ input: ["same text", "same text", "other text"] });
    expect(body.object).toBe("list");
    expect(body.data.map((d) => [d.index, d.object])).toEqual([
      [0, "embedding"],
      [1, "embedding"],
      [2, "embedding"],
    ]);
    const [a, b, c] = body.data.map((d) => d.embedding);
    expect(a?.length).toBe(384);
    expect(Math.hypot(...(a ?? []))).toBeCloseTo(1, 5);
    expect(b).toEqual(a as number[]);
    expect(c).not.toEqual(a as number[]);
    expect(body.usage.completion_tokens).toBe(0);
  });

  test("honours dimensions and base64 encoding", async () => {
    expect((await embed({ input: "x", dimensions: 16 })).data[0]?.embedding.length).toBe(16);
    const response = await sim.post("/v1/embeddings", {
      input: "x",
      dimensions: 16,
      encoding_format: "base64",
    });
    const encoded = ((await response.json()) as { data: { embedding: string }[] }).data[0]?.embedding ?? "";
    expect(Buffer.from(encoded, "base64").length).toBe(16 * 4);
  });
});

describe("POST /v1/responses", () => {
  test("answers with a completed response object and usage", async () => {
    const response = await sim.post("/v1/responses", {
      input: "Hello",
      instructions: "Be brief.",
      max_output_tokens: 50,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.object).toBe("response");
    expect(String(body.id)).toMatch(/^resp_/);
    expect(["completed", "incomplete"]).toContain(String(body.status));
    const [message] = body.output as {
      type: string;
      role: string;
      content: { type: string; text: string }[];
    }[];
    expect(message?.type).toBe("message");
    expect(message?.role).toBe("assistant");
    expect(message?.content[0]?.type).toBe("output_text");
    const usage = body.usage as { input_tokens: number; output_tokens: number; total_tokens: number };
    expect(usage.total_tokens).toBe(usage.input_tokens + usage.output_tokens);
    expect(body.kv_transfer_params).toBeNull();
  });

  test("a length-capped response is incomplete", async () => {
    const response = await sim.post("/v1/responses", {
      input: [{ role: "user", content: "go" }],
      max_output_tokens: 1,
    });
    const body = (await response.json()) as { status: string; incomplete_details: unknown };
    expect(body.status).toBe("incomplete");
    expect(body.incomplete_details).toEqual({ reason: "max_output_tokens" });
  });

  test("streams named response.* events ending with the final response", async () => {
    const response = await sim.post("/v1/responses", { input: "stream", max_output_tokens: 4, stream: true });
    const blocks = (await response.text()).split("\n\n").filter((b) => b !== "");
    const names = blocks.map((b) => b.split("\n")[0]?.replace("event: ", ""));
    expect(names.slice(0, 4)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
    ]);
    expect(names).toContain("response.output_text.delta");
    expect(names.at(-1)).toBe("response.incomplete");
    const sequence = blocks.map(
      (b) => (JSON.parse(b.split("\n")[1]?.slice(6) ?? "{}") as { sequence_number: number }).sequence_number,
    );
    expect(sequence).toEqual(sequence.map((_, i) => i));
  });
});
