import { describe, expect, test } from "bun:test";
import { Writable } from "node:stream";
import { logEngineLine } from "../../src/supervisor/engine-log-line.ts";
import { createLogger, flushLogger } from "../../src/telemetry/index.ts";

async function logged(line: string): Promise<Record<string, unknown>> {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ level: "debug", format: "json", destination }).child({ instance: "e0" });
  logEngineLine(logger, "stdout", line);
  await flushLogger(logger);
  return JSON.parse(chunks.join("").trim()) as Record<string, unknown>;
}

describe("logEngineLine", () => {
  test("a plain line is logged as the message, tagged with the instance and stream", async () => {
    expect(await logged("INFO Loading weights took 31.46 seconds")).toMatchObject({
      level: "info",
      instance: "e0",
      stream: "stdout",
      msg: "INFO Loading weights took 31.46 seconds",
    });
  });

  test("a JSON log record from the engine is merged, keeping its level, message and fields", async () => {
    const record = await logged(
      '{"level":"warn","time":"x","svc":"llmux-sim","msg":"slow step","stepMs":12}',
    );
    expect(record).toMatchObject({ level: "warn", instance: "e0", msg: "slow step", stepMs: 12 });
    expect(record.svc).toBeUndefined();
  });

  test("a line that only looks like JSON stays text", async () => {
    expect((await logged("{not json")).msg).toBe("{not json");
  });
});
