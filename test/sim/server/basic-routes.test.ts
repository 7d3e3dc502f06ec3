import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { metricValue, startTestSim, type TestSim } from "./test-sim.ts";

let sim: TestSim;
beforeAll(async () => {
  sim = await startTestSim([
    "--served-model-name",
    "base",
    "alias",
    "--enable-lora",
    "--lora-modules",
    "sql=/loras/sql",
    '{"name":"chat","path":"/loras/chat","base_model_name":"alias"}',
    "--max-loras",
    "2",
    "--max-model-len",
    "4096",
    "--enable-server-load-tracking",
  ]);
});
afterAll(() => sim.close());

describe("always-on routes", () => {
  test("/health and /ping answer 200 with an empty body", async () => {
    for (const response of [await sim.get("/health"), await sim.get("/ping"), await sim.post("/ping", {})]) {
      expect(response.status).toBe(200);
      expect(await response.text()).toBe("");
    }
  });

  test("/version reports the vLLM release whose KV-event layout the sim speaks", async () => {
    expect(await (await sim.get("/version")).json()).toEqual({ version: "0.26.0+llmux.sim" });
  });

  test("/load counts requests in flight", async () => {
    expect(await (await sim.get("/load")).json()).toEqual({ server_load: 0 });
  });

  test("/v1/models lists a card per served name and per LoRA adapter with its parent", async () => {
    const body = (await (await sim.get("/v1/models")).json()) as {
      object: string;
      data: Record<string, unknown>[];
    };
    expect(body.object).toBe("list");
    const cards = body.data.map((card) => [
      card.id,
      card.root,
      card.parent,
      card.max_model_len,
      card.owned_by,
    ]);
    expect(cards).toEqual([
      ["base", "sim-model", null, 4096, "vllm"],
      ["alias", "sim-model", null, 4096, "vllm"],
      ["sql", "/loras/sql", "base", null, "vllm"],
      ["chat", "/loras/chat", "alias", null, "vllm"],
    ]);
    expect((body.data[0]?.permission as { object: string }[] | undefined)?.[0]?.object).toBe(
      "model_permission",
    );
  });

  test("a LoRA adapter is selected through the model name and answers under its own name", async () => {
    const response = await sim.post("/v1/completions", { model: "sql", prompt: "select", max_tokens: 1 });
    expect(((await response.json()) as { model: string }).model).toBe("sql");
  });
});

describe("/metrics", () => {
  test("serves the Prometheus text format with vLLM's families and types", async () => {
    const response = await sim.get("/metrics");
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await response.text();
    const types = new Map(
      text
        .split("\n")
        .filter((line) => line.startsWith("# TYPE "))
        .map((line) => line.slice(7).split(" ") as [string, string]),
    );
    expect(types.get("vllm:num_requests_running")).toBe("gauge");
    expect(types.get("vllm:num_requests_waiting")).toBe("gauge");
    expect(types.get("vllm:kv_cache_usage_perc")).toBe("gauge");
    expect(types.get("vllm:prefix_cache_queries_total")).toBe("counter");
    expect(types.get("vllm:prefix_cache_hits_total")).toBe("counter");
    expect(types.get("vllm:num_preemptions_total")).toBe("counter");
    expect(types.get("vllm:request_success_total")).toBe("counter");
    expect(types.get("vllm:time_to_first_token_seconds")).toBe("histogram");
    expect(types.get("vllm:iteration_tokens_total")).toBe("histogram");
    expect(types.get("vllm:cache_config_info")).toBe("gauge");
    expect(types.get("vllm:lora_requests_info")).toBe("gauge");
    expect(metricValue(text, "vllm:num_requests_running", { model_name: "base", engine: "0" })).toBe(0);
    expect(text).toContain('block_size="16"');
    expect(text).toContain('max_lora="2"');
  });

  test("counts finished requests by reason and their tokens", async () => {
    await sim.post("/v1/completions", { prompt: "count me", max_tokens: 4, ignore_eos: true });
    const text = await (await sim.get("/metrics")).text();
    expect(
      metricValue(text, "vllm:request_success_total", { finished_reason: "length" }),
    ).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, "vllm:generation_tokens_total")).toBeGreaterThanOrEqual(4);
    expect(metricValue(text, "vllm:time_to_first_token_seconds_count")).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, "vllm:request_generation_tokens_bucket", { le: "+Inf" })).toBeGreaterThanOrEqual(
      1,
    );
  });
});
