import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestSim, type TestSim, textOfTokens } from "./test-sim.ts";

let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim(["--max-model-len", "512", "--api-key", "secret"]);
});
afterAll(() => sim.close());

const auth = { authorization: "Bearer secret" };
const chat = (extra: Record<string, unknown>) => ({ messages: [{ role: "user", content: "hi" }], ...extra });

async function errorBody(response: Response): Promise<Record<string, unknown>> {
  return ((await response.json()) as { error: Record<string, unknown> }).error;
}

describe("vLLM error responses", () => {
  test("an unknown model is a 404 NotFoundError naming the model", async () => {
    const response = await sim.post("/v1/chat/completions", chat({ model: "gpt-4" }), auth);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: {
        message: "The model `gpt-4` does not exist.",
        type: "NotFoundError",
        param: "model",
        code: 404,
      },
    });
  });

  test("stream_options without stream is a 400", async () => {
    const response = await sim.post(
      "/v1/chat/completions",
      chat({ stream_options: { include_usage: true } }),
      auth,
    );
    expect(response.status).toBe(400);
    const error = await errorBody(response);
    expect(error.param).toBe("stream_options");
    expect(String(error.message)).toContain("Stream options can only be defined when `stream=True`.");
    expect(error.code).toBe(400);
  });

  test("a prompt longer than max-model-len is a 400", async () => {
    const response = await sim.post("/v1/completions", { prompt: textOfTokens(600), max_tokens: 1 }, auth);
    expect(response.status).toBe(400);
    const error = await errorBody(response);
    expect(error.type).toBe("BadRequestError");
    expect(String(error.message)).toContain("maximum context length is 512 tokens");
  });

  test("max_tokens beyond the context left by the prompt is a 400", async () => {
    const response = await sim.post("/v1/completions", { prompt: textOfTokens(500), max_tokens: 100 }, auth);
    expect(response.status).toBe(400);
    expect(String((await errorBody(response)).message)).toContain(
      "'max_tokens' or 'max_completion_tokens' is too large: 100",
    );
  });

  test("malformed JSON is a 400", async () => {
    const response = await sim.post("/v1/chat/completions", "{not json", auth);
    expect(response.status).toBe(400);
    expect((await errorBody(response)).code).toBe(400);
  });

  test("a body of the wrong shape is a 400 naming the field", async () => {
    const response = await sim.post("/v1/chat/completions", { messages: "hi" }, auth);
    expect(response.status).toBe(400);
    expect((await errorBody(response)).param).toBe("messages");
  });

  test("a non-zero priority needs --scheduling-policy priority", async () => {
    const response = await sim.post("/v1/chat/completions", chat({ priority: 5 }), auth);
    expect(response.status).toBe(400);
    expect(String((await errorBody(response)).message)).toContain("Priority scheduling is not enabled");
  });

  test("an unknown route is FastAPI's 404", async () => {
    const response = await sim.get("/nope");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ detail: "Not Found" });
  });
});

describe("--api-key", () => {
  test("guards /v1 with 401 Unauthorized", async () => {
    const missing = await sim.get("/v1/models");
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ error: "Unauthorized" });
    expect((await sim.get("/v1/models", { authorization: "Bearer wrong" })).status).toBe(401);
    expect((await sim.get("/v1/models", auth)).status).toBe(200);
  });

  test("leaves /health, /metrics, /tokenize and /version open", async () => {
    expect((await sim.get("/health")).status).toBe(200);
    expect((await sim.get("/metrics")).status).toBe(200);
    expect((await sim.get("/version")).status).toBe(200);
    expect((await sim.post("/tokenize", { prompt: "abc" })).status).toBe(200);
  });
});
