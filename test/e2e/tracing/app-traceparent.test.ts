// Through the app: the engine sees the request span's traceparent, and a client's trace continues.
// Passes once generation.ts creates the observer with the client's headers and spreads its traceHeaders.
import { expect, test } from "bun:test";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace";
import { createGatewayApp } from "../../../src/gateway/index.ts";
import { createLogger, createMetricsRegistry, createTracing } from "../../../src/telemetry/index.ts";
import { createTestGateway, descriptor, post } from "../../gateway/app-fixture.ts";

const CLIENT_TRACE = "0af7651916cd43dd8448eb211c80319c";

test("the engine sees the request span's traceparent, continuing the client's trace", async () => {
  const seen: Headers[] = [];
  const engine = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch(request) {
      seen.push(request.headers);
      const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };
      return Response.json({ id: "c", object: "chat.completion", choices: [], usage });
    },
  });
  const exporter = new InMemorySpanExporter();
  const settings = { isEnabled: true, url: "http://127.0.0.1:1/v1/traces", serviceName: "t", sampleRatio: 1 };
  const logger = createLogger({ level: "silent", format: "json" });
  const tracing = createTracing(settings, {
    logger,
    registry: createMetricsRegistry(),
    version: "t",
    exporter,
  });
  const base = createTestGateway();
  base.pool.upsert(descriptor("e0", `http://127.0.0.1:${engine.port}`, ["m"]));
  const app = createGatewayApp({ ...base.ctx, tracing });
  const response = await app.request(
    post(
      "/v1/chat/completions",
      { model: "m", messages: [{ role: "user", content: "hi" }] },
      { traceparent: `00-${CLIENT_TRACE}-b7ad6b7169203331-01` },
    ),
  );
  expect(response.status).toBe(200);
  await tracing.forceFlush();
  engine.stop(true);
  const root = exporter.getFinishedSpans().find((s) => s.name === "llmux.request");
  expect(root?.spanContext().traceId).toBe(CLIENT_TRACE);
  expect(seen[0]?.get("traceparent")).toBe(`00-${CLIENT_TRACE}-${root?.spanContext().spanId}-01`);
});
