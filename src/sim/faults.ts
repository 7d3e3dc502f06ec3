// Fault injection of `llmux sim` (--sim-fail-after, --sim-error-rate, --sim-stall, --sim-crash-after):
// the failures a router must survive, reproducible from --sim-seed.
import { createRng, mixSeeds } from "./engine/rng.ts";

/** An injected failure: the HTTP status and message the request gets instead of a completion. */
export interface InjectedFault {
  readonly status: number;
  readonly message: string;
}

export interface FaultInjector {
  /** Called once per inference request before it reaches an engine; null lets it through. */
  admit(): InjectedFault | null;
  /** Streams stop producing after this many tokens (connection kept open); null = never. */
  readonly stallAfterTokens: number | null;
}

export interface FaultOptions {
  readonly failAfterRequests: number | null;
  readonly errorRate: { readonly fraction: number; readonly status: number } | null;
  readonly stallAfterTokens: number | null;
  readonly seed: number;
}

export function createFaultInjector(options: FaultOptions): FaultInjector {
  const random = createRng(mixSeeds(options.seed >>> 0, 0x66617574));
  let admitted = 0;
  return {
    stallAfterTokens: options.stallAfterTokens,
    admit() {
      admitted++;
      if (options.failAfterRequests !== null && admitted > options.failAfterRequests) {
        return { status: 500, message: `simulated failure: more than ${options.failAfterRequests} requests` };
      }
      const rate = options.errorRate;
      if (rate !== null && random() < rate.fraction) {
        return { status: rate.status, message: `simulated error (--sim-error-rate ${rate.fraction})` };
      }
      return null;
    },
  };
}

/**
 * Exits the process with `exitCode` after `afterS` seconds (--sim-crash-after): an engine dying
 * without a clean shutdown. `onCrash` runs first (it logs); the timer does not keep the process alive.
 */
export function scheduleCrash(afterS: number, onCrash: () => Promise<void> | void, exitCode = 1): () => void {
  const timer = setTimeout(async function simulatedCrash() {
    // Let the crash line reach the log (an async destination loses it on an immediate exit), but
    // never let a stuck flush keep the "crashed" process alive.
    await Promise.race([onCrash(), Bun.sleep(1000)]);
    process.exit(exitCode);
  }, afterS * 1000);
  timer.unref?.();
  return () => clearTimeout(timer);
}
