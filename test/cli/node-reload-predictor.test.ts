import { describe, expect, test } from "bun:test";
import { liveSettings, reloadConfig } from "../../src/cli/node-reload.ts";
import { buildScheduler } from "../../src/cli/scheduler-setup.ts";
import { type Config, ConfigSchema } from "../../src/config/index.ts";
import { EndpointPool } from "../../src/pool/index.ts";
import type { LatencyPredictorReader } from "../../src/predictor/index.ts";
import { createLogger } from "../../src/telemetry/index.ts";
import { endpoint, request } from "../scheduler/builders.ts";

const logger = createLogger({ level: "silent", format: "json" });
/** A reload sets the logger's level from the new config. */
const QUIET = { telemetry: { log_level: "silent" } };

/** Counts predictions; answers a fixed one. */
function countingPredictor() {
  const counter = { calls: 0 };
  const reader: LatencyPredictorReader = {
    predict() {
      counter.calls++;
      return { ttftMs: 100, ttftP90Ms: 150, tpotMs: 10, tpotP90Ms: 12 };
    },
  };
  return { reader, counter };
}

function start(config: Config, reader: LatencyPredictorReader) {
  const now = () => 0;
  const built = buildScheduler(config.scheduler, now, { latencyPredictor: reader });
  if (!built.ok) throw new Error("invalid scheduler");
  return { live: liveSettings(config, built.scheduler), pool: new EndpointPool({ now }), now };
}

describe("reloads and the latency predictor", () => {
  test("a scheduler rebuilt on reload reads the node's predictor", () => {
    const { reader, counter } = countingPredictor();
    const node = start(ConfigSchema.parse(QUIET), reader);
    const next = ConfigSchema.parse({ ...QUIET, scheduler: { plugins: [{ type: "latency-scorer" }] } });
    const outcome = reloadConfig({ ...node, logger, load: () => next, latencyPredictor: reader });
    expect(outcome.outcome).toBe("applied");
    const result = node.live.scheduler.schedule(request(), [endpoint("a"), endpoint("b")]);
    expect(result.ok).toBe(true);
    expect(counter.calls).toBe(2);
  });

  test("predictor.mode applies at once; its training settings need a restart", () => {
    const { reader } = countingPredictor();
    const node = start(ConfigSchema.parse(QUIET), reader);
    const next = ConfigSchema.parse({
      ...QUIET,
      predictor: { mode: "on", family: "gbdt", retrain_interval_ms: 500 },
    });
    const outcome = reloadConfig({ ...node, logger, load: () => next, latencyPredictor: reader });
    expect(outcome.needRestart).toEqual(["predictor.family", "predictor.retrain_interval_ms"]);
    expect(node.live.config.predictor).toEqual({ mode: "on" });
  });
});
