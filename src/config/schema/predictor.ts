// `predictor:` section: when the node's latency predictor learns, and the few training settings worth
// changing. Unset training settings keep the predictor's own defaults (src/predictor/options.ts).
import { z } from "zod";

export const PredictorSchema = z.strictObject({
  mode: z
    .enum(["auto", "on", "off"])
    .default("auto")
    .describe(
      "auto: learn while the scheduler uses predicted-latency-producer or latency-scorer, or enabled flow uses " +
        "latency-slo-admitter; on: always learn (to watch its accuracy first); off: never",
    ),
  family: z
    .enum(["auto", "gbdt", "linear", "hybrid"])
    .optional()
    .describe("model family; auto fits each and serves the one most accurate on held-back samples"),
  min_samples_for_training: z
    .number()
    .int()
    .min(10)
    .optional()
    .describe("finished requests before the first model"),
  retrain_interval_ms: z.number().int().min(100).optional().describe("least time between training runs"),
});

export type PredictorConfig = z.infer<typeof PredictorSchema>;
