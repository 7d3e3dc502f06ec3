// Test builder: a supervised instance's snapshot as the supervisor reports it, with only what a test varies.
import type { InstanceSnapshot } from "../../src/supervisor/index.ts";

export function instanceSnapshot(
  id: string,
  state: InstanceSnapshot["state"],
  overrides: Partial<InstanceSnapshot> = {},
): InstanceSnapshot {
  return {
    id,
    model: "m",
    servedModelNames: ["m"],
    role: "both",
    engine: "sim",
    gpus: [],
    host: "127.0.0.1",
    port: 9100,
    kvEventsPort: 9140,
    replayPort: 9141,
    state,
    pid: null,
    restarts: 0,
    uptimeMs: 0,
    lastOutputLine: null,
    lastError: null,
    ...overrides,
  };
}
