// The endpoint snapshot types the Scheduler contract takes, derived from it: bench may import the
// scheduler but not the pool (DESIGN.md arrows), and these stay identical to what the gateway passes.
import type { Scheduler } from "../../scheduler/index.ts";

export type EndpointSnapshot = Parameters<Scheduler["schedule"]>[1][number];
export type EndpointDescriptor = EndpointSnapshot["descriptor"];
export type EngineMetrics = NonNullable<EndpointSnapshot["metrics"]>;
export type InFlightLoad = EndpointSnapshot["inFlight"];
