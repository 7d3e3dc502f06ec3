// The root zod schema of config.yaml. Every default lives in the section schemas, nowhere else.
import { z } from "zod";
import { AuthSchema } from "./schema/auth.ts";
import { EnginesSchema } from "./schema/engines.ts";
import { FlowSchema } from "./schema/flow.ts";
import { GatewaySchema } from "./schema/gateway.ts";
import { KvCacheSchema } from "./schema/kvcache.ts";
import { PdSchema } from "./schema/pd.ts";
import { PredictorSchema } from "./schema/predictor.ts";
import { SchedulerSchema } from "./schema/scheduler.ts";
import { SupervisorSchema } from "./schema/supervisor.ts";
import { TelemetrySchema } from "./schema/telemetry.ts";

export const ConfigSchema = z.strictObject({
  gateway: GatewaySchema.prefault({}),
  auth: AuthSchema.prefault({}),
  scheduler: SchedulerSchema.prefault({}),
  pd: PdSchema.prefault({}),
  flow: FlowSchema.prefault({}),
  predictor: PredictorSchema.prefault({}),
  engines: EnginesSchema.default([]),
  supervisor: SupervisorSchema.prefault({}),
  kvcache: KvCacheSchema.prefault({}),
  telemetry: TelemetrySchema.prefault({}),
});

/** The validated, deep-frozen configuration. */
export type Config = Readonly<z.infer<typeof ConfigSchema>>;
