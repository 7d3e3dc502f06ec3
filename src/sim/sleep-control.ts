// Dev-mode sleep of the sim (/sleep, /wake_up): a state for /is_sleeping and vllm:engine_sleep_state,
// and a gate that holds new requests until the engine wakes. Requests already running finish
// (vLLM's mode=wait).
import type { SleepState } from "./metrics.ts";
import type { SleepControl } from "./server/context.ts";

export function createSleepControl(): SleepControl {
  let state: SleepState = "awake";
  let waiters: (() => void)[] = [];
  return {
    get state() {
      return state;
    },
    sleep(level) {
      state = level === 1 ? "weights_offloaded" : "discard_all";
    },
    wakeUp() {
      state = "awake";
      const ready = waiters;
      waiters = [];
      for (const resolve of ready) resolve();
    },
    whenAwake() {
      if (state === "awake") return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}
