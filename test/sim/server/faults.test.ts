import { describe, expect, test } from "bun:test";
import { metricValue, startTestSim } from "./test-sim.ts";

const completion = { prompt: "fault", max_tokens: 2, ignore_eos: true };

describe("fault injection", () => {
  test("--sim-fail-after answers 500 after N requests", async () => {
    const sim = await startTestSim(["--sim-fail-after", "2"]);
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await sim.post("/v1/completions", completion)).status);
      expect(statuses).toEqual([200, 200, 500, 500]);
      const failed = await sim.post("/v1/completions", completion);
      expect(((await failed.json()) as { error: { type: string } }).error.type).toBe("InternalServerError");
    } finally {
      await sim.close();
    }
  });

  test("--sim-error-rate 1:503 fails every request with that status", async () => {
    const sim = await startTestSim(["--sim-error-rate", "1:503"]);
    try {
      const response = await sim.post("/v1/chat/completions", { messages: [{ role: "user", content: "x" }] });
      expect(response.status).toBe(503);
      expect((await sim.get("/health")).status).toBe(200);
    } finally {
      await sim.close();
    }
  });

  test("--sim-error-rate 0.5 fails about half, reproducibly for a seed", async () => {
    const run = async () => {
      const sim = await startTestSim(["--sim-error-rate", "0.5", "--sim-seed", "9"]);
      const statuses = [];
      for (let i = 0; i < 40; i++) statuses.push((await sim.post("/v1/completions", completion)).status);
      await sim.close();
      return statuses;
    };
    const first = await run();
    const failures = first.filter((s) => s === 500).length;
    expect(failures).toBeGreaterThan(8);
    expect(failures).toBeLessThan(32);
    expect(await run()).toEqual(first);
  });

  test("--sim-stall stops a stream after N tokens and keeps it open until the client leaves", async () => {
    const sim = await startTestSim(["--sim-stall", "3"]);
    try {
      const abort = new AbortController();
      const response = await sim.app.request("/v1/completions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ prompt: "stall", max_tokens: 50, ignore_eos: true, stream: true }),
        signal: abort.signal,
      });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      let text = "";
      const deadline = Date.now() + 400;
      while (Date.now() < deadline) {
        const next = await Promise.race([reader.read(), Bun.sleep(deadline - Date.now()).then(() => null)]);
        if (next === null || next.done) break;
        text += new TextDecoder().decode(next.value);
      }
      const events = text.split("\n\n").filter((e) => e.startsWith("data: "));
      expect(events.length).toBe(3);
      expect(text).not.toContain("[DONE]");
      await reader.cancel();
    } finally {
      await sim.close();
    }
  });
});

describe("client disconnect", () => {
  test("aborts the request in the engine at once", async () => {
    const sim = await startTestSim(["--sim-time-scale", "1"]);
    try {
      const response = await sim.post("/v1/completions", {
        prompt: "long",
        max_tokens: 5000,
        ignore_eos: true,
        stream: true,
      });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      await reader.cancel();
      await Bun.sleep(20);
      const text = await (await sim.get("/metrics")).text();
      expect(metricValue(text, "vllm:num_requests_running")).toBe(0);
      expect(metricValue(text, "vllm:request_success_total", { finished_reason: "abort" })).toBe(1);
    } finally {
      await sim.close();
    }
  });
});
