// `llmux sim` as a child process: readiness, /metrics families, API keys, data parallelism, shutdown.
import { describe, expect, test } from "bun:test";
import { probe, scrape, startSim, waitForHealth } from "../harness/sim-process.ts";

const FAST = ["--sim-profile", "tiny-cpu", "--sim-startup-delay", "0"];

const FAMILIES: readonly [string, string][] = [
  ["vllm:num_requests_running", "gauge"],
  ["vllm:num_requests_waiting", "gauge"],
  ["vllm:num_requests_waiting_by_reason", "gauge"],
  ["vllm:kv_cache_usage_perc", "gauge"],
  ["vllm:prefix_cache_queries_total", "counter"],
  ["vllm:prefix_cache_hits_total", "counter"],
  ["vllm:external_prefix_cache_queries_total", "counter"],
  ["vllm:external_prefix_cache_hits_total", "counter"],
  ["vllm:num_preemptions_total", "counter"],
  ["vllm:prompt_tokens_total", "counter"],
  ["vllm:generation_tokens_total", "counter"],
  ["vllm:prompt_tokens_by_source_total", "counter"],
  ["vllm:prompt_tokens_cached_total", "counter"],
  ["vllm:request_success_total", "counter"],
  ["vllm:time_to_first_token_seconds", "histogram"],
  ["vllm:inter_token_latency_seconds", "histogram"],
  ["vllm:e2e_request_latency_seconds", "histogram"],
  ["vllm:request_queue_time_seconds", "histogram"],
  ["vllm:request_prefill_time_seconds", "histogram"],
  ["vllm:request_decode_time_seconds", "histogram"],
  ["vllm:request_prompt_tokens", "histogram"],
  ["vllm:request_generation_tokens", "histogram"],
  ["vllm:iteration_tokens_total", "histogram"],
  ["vllm:cache_config_info", "gauge"],
  ["vllm:lora_requests_info", "gauge"],
];

describe("llmux sim process", () => {
  test("serves vLLM's metric families with their types and exits 0 on SIGTERM", async () => {
    const sim = await startSim([...FAST, "--enable-lora", "--lora-modules", "a=/tmp/a"]);
    try {
      expect(sim.logs()).toContain(`Starting vLLM server on ${sim.url}`);
      await fetch(`${sim.url}/v1/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ prompt: "warm up", max_tokens: 3 }),
      });
      const text = await scrape(sim);
      for (const [name, type] of FAMILIES) expect(text).toContain(`# TYPE ${name} ${type}\n`);
      expect(text).toMatch(
        /vllm:cache_config_info\{[^}]*block_size="16"[^}]*num_gpu_blocks="\d+"[^}]*engine="0"\} 1\.0/,
      );
    } finally {
      expect(await sim.stop("SIGTERM")).toBe(0);
    }
  });

  test("refuses connections during the startup delay, then becomes ready", async () => {
    const started = Date.now();
    const sim = await startSim(["--sim-profile", "tiny-cpu", "--sim-startup-delay", "1.5"], {
      waitHealthy: false,
    });
    try {
      await Bun.sleep(500);
      expect(await probe(`${sim.url}/health`)).toBe("refused");
      await waitForHealth(sim, 10_000);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
      expect(await probe(`${sim.url}/health`)).toBe(200);
    } finally {
      await sim.stop();
    }
  });

  test("SIGTERM during the startup delay exits 0 without ever listening", async () => {
    const sim = await startSim(["--sim-profile", "tiny-cpu", "--sim-startup-delay", "30"], {
      waitHealthy: false,
    });
    await Bun.sleep(700);
    expect(await sim.stop("SIGTERM")).toBe(0);
    expect(sim.logs()).not.toContain("Starting vLLM server");
  });

  test("--api-key guards /v1 only", async () => {
    const sim = await startSim([...FAST, "--api-key", "k1", "k2"]);
    try {
      expect(await probe(`${sim.url}/v1/models`)).toBe(401);
      const ok = await fetch(`${sim.url}/v1/models`, { headers: { authorization: "Bearer k2" } });
      expect(ok.status).toBe(200);
      expect(await probe(`${sim.url}/health`)).toBe(200);
      expect(await probe(`${sim.url}/metrics`)).toBe(200);
    } finally {
      await sim.stop();
    }
  });

  test("VLLM_API_KEY is the fallback key", async () => {
    const sim = await startSim(FAST, { env: { VLLM_API_KEY: "from-env" } });
    try {
      expect(await probe(`${sim.url}/v1/models`)).toBe(401);
      const ok = await fetch(`${sim.url}/v1/models`, { headers: { authorization: "Bearer from-env" } });
      expect(ok.status).toBe(200);
    } finally {
      await sim.stop();
    }
  });

  test("--data-parallel-size 2 exposes engine 0 and engine 1", async () => {
    const sim = await startSim([...FAST, "--data-parallel-size", "2"]);
    try {
      const text = await scrape(sim);
      expect(text).toContain('vllm:num_requests_running{model_name="e2e-model",engine="0"}');
      expect(text).toContain('vllm:num_requests_running{model_name="e2e-model",engine="1"}');
    } finally {
      await sim.stop();
    }
  });

  test("a bad flag exits 2 naming it", async () => {
    const sim = await startSim(["--block-size", "zero"], { waitHealthy: false });
    expect(await sim.exited).toBe(2);
    expect(sim.logs()).toContain("--block-size: expected a whole number");
  });

  test("--sim-crash-after exits non-zero", async () => {
    const sim = await startSim([...FAST, "--sim-crash-after", "0.5"]);
    expect(await sim.exited).not.toBe(0);
    expect(sim.logs()).toContain("simulated crash");
  });
});
