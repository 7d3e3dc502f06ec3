import { describe, expect, test } from "bun:test";
import { metricValue, readSseJson, startTestSim, textOfTokens } from "./test-sim.ts";

describe("data parallelism", () => {
  test("--data-parallel-size 2 runs two engines labelled engine 0 and 1", async () => {
    const sim = await startTestSim(["-dp", "2"]);
    try {
      const text = await (await sim.get("/metrics")).text();
      expect(metricValue(text, "vllm:num_requests_running", { engine: "0" })).toBe(0);
      expect(metricValue(text, "vllm:num_requests_running", { engine: "1" })).toBe(0);
      expect(text).toContain('engine="1"} 1.0');
    } finally {
      await sim.close();
    }
  });

  test("X-data-parallel-rank pins the engine; a bad rank is a 400", async () => {
    const sim = await startTestSim(["-dp", "2"]);
    try {
      for (let i = 0; i < 3; i++) {
        await sim.post(
          "/v1/completions",
          { prompt: "pinned", max_tokens: 1 },
          { "x-data-parallel-rank": "1" },
        );
      }
      const text = await (await sim.get("/metrics")).text();
      expect(
        metricValue(text, "vllm:request_success_total", { engine: "1", finished_reason: "length" }),
      ).toBe(3);
      expect(
        metricValue(text, "vllm:request_success_total", { engine: "0", finished_reason: "length" }),
      ).toBe(0);
      const bad = await sim.post("/v1/completions", { prompt: "x" }, { "x-data-parallel-rank": "7" });
      expect(bad.status).toBe(400);
    } finally {
      await sim.close();
    }
  });

  test("unpinned concurrent requests spread over the least-loaded engines", async () => {
    const sim = await startTestSim(["-dp", "2"]);
    try {
      const requests = Array.from({ length: 6 }, () =>
        sim.post("/v1/completions", { prompt: "spread", max_tokens: 20, ignore_eos: true }),
      );
      await Promise.all(requests);
      const text = await (await sim.get("/metrics")).text();
      expect(
        metricValue(text, "vllm:request_success_total", { engine: "0", finished_reason: "length" }),
      ).toBe(3);
      expect(
        metricValue(text, "vllm:request_success_total", { engine: "1", finished_reason: "length" }),
      ).toBe(3);
    } finally {
      await sim.close();
    }
  });
});

describe("prompt-cache accounting", () => {
  test("--enable-prompt-tokens-details reports cached_tokens once a prefix is cached", async () => {
    const sim = await startTestSim(["--enable-prompt-tokens-details"]);
    try {
      const messages = [
        { role: "system", content: textOfTokens(200) },
        { role: "user", content: "question" },
      ];
      const first = (await (await sim.post("/v1/chat/completions", { messages, max_tokens: 1 })).json()) as {
        usage: { prompt_tokens_details: unknown };
      };
      expect(first.usage.prompt_tokens_details).toBeNull();
      const second = await sim.post("/v1/chat/completions", {
        messages,
        max_tokens: 1,
        stream: true,
        stream_options: { include_usage: true },
      });
      const usage = (await readSseJson(second)).at(-1)?.usage as {
        prompt_tokens: number;
        prompt_tokens_details: { cached_tokens: number };
      };
      expect(usage.prompt_tokens_details.cached_tokens).toBeGreaterThanOrEqual(192);
      expect(usage.prompt_tokens_details.cached_tokens % 16).toBe(0);
      expect(usage.prompt_tokens_details.cached_tokens).toBeLessThan(usage.prompt_tokens);
      const text = await (await sim.get("/metrics")).text();
      expect(metricValue(text, "vllm:prefix_cache_hits_total")).toBe(
        usage.prompt_tokens_details.cached_tokens,
      );
    } finally {
      await sim.close();
    }
  });

  test("--enable-force-include-usage adds the usage chunk without stream_options", async () => {
    const sim = await startTestSim(["--enable-force-include-usage"]);
    try {
      const response = await sim.post("/v1/completions", { prompt: "forced", max_tokens: 2, stream: true });
      const chunks = await readSseJson(response);
      expect(chunks.at(-1)?.choices).toEqual([]);
      expect(chunks.at(-1)?.usage).toBeDefined();
    } finally {
      await sim.close();
    }
  });

  test("--scheduling-policy priority accepts request priorities", async () => {
    const sim = await startTestSim(["--scheduling-policy", "priority"]);
    try {
      const response = await sim.post("/v1/completions", { prompt: "urgent", max_tokens: 1, priority: -5 });
      expect(response.status).toBe(200);
    } finally {
      await sim.close();
    }
  });
});

describe("dev mode (VLLM_SERVER_DEV_MODE=1)", () => {
  test("sleep, is_sleeping, wake_up and reset_prefix_cache", async () => {
    const sim = await startTestSim(["--enable-sleep-mode"], { env: { VLLM_SERVER_DEV_MODE: "1" } });
    try {
      expect(await (await sim.get("/is_sleeping")).json()).toEqual({ is_sleeping: false });
      expect((await sim.post("/sleep?level=1", {})).status).toBe(200);
      expect(await (await sim.get("/is_sleeping")).json()).toEqual({ is_sleeping: true });
      const metrics = await (await sim.get("/metrics")).text();
      expect(metricValue(metrics, "vllm:engine_sleep_state", { sleep_state: "weights_offloaded" })).toBe(1);
      const held = sim.post("/v1/completions", { prompt: "wait", max_tokens: 1 });
      const race = await Promise.race([held.then(() => "answered"), Bun.sleep(100).then(() => "held")]);
      expect(race).toBe("held");
      expect((await sim.post("/wake_up", {})).status).toBe(200);
      expect((await held).status).toBe(200);
      expect((await sim.post("/reset_prefix_cache", {})).status).toBe(200);
    } finally {
      await sim.close();
    }
  });

  test("the dev routes do not exist without dev mode", async () => {
    const sim = await startTestSim();
    try {
      expect((await sim.get("/is_sleeping")).status).toBe(404);
      expect((await sim.post("/reset_prefix_cache", {})).status).toBe(404);
    } finally {
      await sim.close();
    }
  });
});

describe("request ids and cache salts", () => {
  test("X-Request-Id is the base of the response id and is echoed with --enable-request-id-headers", async () => {
    const sim = await startTestSim(["--enable-request-id-headers"]);
    try {
      const response = await sim.post(
        "/v1/chat/completions",
        { messages: [{ role: "user", content: "id" }], max_tokens: 1 },
        { "x-request-id": "req-123" },
      );
      expect(((await response.json()) as { id: string }).id).toBe("chatcmpl-req-123");
      expect(response.headers.get("x-request-id")).toBe("req-123");
      const other = await sim.post("/v1/completions", { prompt: "x", max_tokens: 1, request_id: "body-id" });
      expect(((await other.json()) as { id: string }).id).toBe("cmpl-body-id");
    } finally {
      await sim.close();
    }
  });

  test("a different cache_salt misses the prefix cache; the same salt hits it", async () => {
    const sim = await startTestSim();
    try {
      const prompt = textOfTokens(128);
      const hits = async (salt: string) => {
        await sim.post("/v1/completions", { prompt, max_tokens: 1, cache_salt: salt });
        return metricValue(await (await sim.get("/metrics")).text(), "vllm:prefix_cache_hits_total") ?? 0;
      };
      expect(await hits("a")).toBe(0);
      expect(await hits("b")).toBe(0);
      expect(await hits("a")).toBeGreaterThan(0);
      expect((await sim.post("/v1/completions", { prompt, cache_salt: "" })).status).toBe(400);
    } finally {
      await sim.close();
    }
  });
});
