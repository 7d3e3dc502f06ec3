import { describe, expect, test } from "bun:test";
import { Writable } from "node:stream";
import { createLogger, flushLogger } from "../../src/telemetry/index.ts";

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join("") };
}

describe("createLogger", () => {
  test("writes one JSON object per line with level label, ISO time and base fields", async () => {
    const out = sink();
    const logger = createLogger({
      level: "info",
      format: "json",
      base: { svc: "llmux" },
      destination: out.stream,
    });
    logger.info({ instance: "e0" }, "ready");
    logger.debug("hidden");
    await flushLogger(logger);
    const lines = out.text().trim().split("\n");
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0] ?? "{}") as Record<string, unknown>;
    expect(record).toMatchObject({ level: "info", svc: "llmux", instance: "e0", msg: "ready" });
    expect(String(record.time)).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  test("pretty format renders in-process without JSON braces", async () => {
    const out = sink();
    const logger = createLogger({ level: "info", format: "pretty", destination: out.stream });
    logger.warn({ port: 8000 }, "listening");
    await flushLogger(logger);
    expect(out.text()).toContain("WARN");
    expect(out.text()).toContain("listening");
    expect(out.text()).toContain("port: 8000");
  });
});
