// The life of one engine instance: starting → ready (GET /health 200) → draining → stopped, with
// crashed (waiting to restart) and failed (crash loop; no more restarts) on the way.
import type { Logger } from "../telemetry/index.ts";
import { type Clock, delay, type Timers } from "./clock.ts";
import { errorText } from "./errors.ts";
import { type HealthProbe, healthUrl } from "./health-probe.ts";
import { createOutputTail } from "./output-tail.ts";
import type { EngineProcess, ExitInfo, SpawnEngine } from "./process.ts";
import type { RestartPolicy } from "./restart-policy.ts";
import { killLeftovers, terminateGroup } from "./terminate.ts";
import type {
  InstanceChangeListener,
  InstanceSnapshot,
  InstanceState,
  LaunchSpec,
  PlannedInstance,
} from "./types.ts";

export interface InstanceTimings {
  readonly readinessTimeoutMs: number;
  readonly stopGraceMs: number;
  readonly pollIntervalMs: number;
  readonly probeTimeoutMs: number;
  readonly progressLogIntervalMs: number;
}

/** Counts of events worth a metric; owned by the supervisor, incremented here. */
export interface SupervisorCounters {
  spawnFailures: number;
  crashes: number;
  readinessTimeouts: number;
  restarts: number;
  outputReadErrors: number;
  drainHookErrors: number;
  listenerErrors: number;
  pidFileErrors: number;
}

export interface InstanceDeps {
  readonly spawn: SpawnEngine;
  readonly probe: HealthProbe;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly logger: Logger;
  readonly policy: RestartPolicy;
  readonly counters: SupervisorCounters;
  readonly onChange: InstanceChangeListener;
}

/** Runs before SIGTERM while the instance is draining (e.g. waits for its in-flight requests). */
export type DrainHook = (instance: InstanceSnapshot) => Promise<void>;

export interface EngineInstance {
  readonly id: string;
  /** Launches the engine and keeps it alive until stop() or a crash loop. Once only. */
  start(): void;
  /** Drains, then stops the process group; resolves when nothing of it runs. Idempotent. */
  stop(drain?: DrainHook): Promise<void>;
  snapshot(): InstanceSnapshot;
}

export function createInstance(
  planned: PlannedInstance,
  launch: LaunchSpec,
  host: string,
  deps: InstanceDeps,
  timings: InstanceTimings,
): EngineInstance {
  return new ManagedInstance(planned, launch, host, deps, timings);
}

type Readiness = "ready" | "exited" | "timeout" | "stopping";

class ManagedInstance implements EngineInstance {
  readonly id: string;
  private readonly log: Logger;
  private readonly url: string;
  private readonly tail = createOutputTail();
  private readonly stopping = new AbortController();
  private readonly stopRequested: Promise<void>;
  private state: InstanceState = "stopped";
  private proc: EngineProcess | null = null;
  private exitInfo: ExitInfo | null = null;
  private startedAtMs = 0;
  private readySinceMs: number | null = null;
  private restarts = 0;
  private lastError: string | null = null;
  private loop: Promise<void> = Promise.resolve();
  private stopped: Promise<void> | null = null;

  constructor(
    private readonly planned: PlannedInstance,
    private readonly launch: LaunchSpec,
    private readonly host: string,
    private readonly deps: InstanceDeps,
    private readonly timings: InstanceTimings,
  ) {
    this.id = planned.id;
    this.log = deps.logger.child({ instance: planned.id });
    this.url = healthUrl(host, planned.port);
    this.stopRequested = new Promise((resolve) => {
      this.stopping.signal.addEventListener("abort", () => resolve(), { once: true });
    });
  }

  start(): void {
    if (this.state !== "stopped" || this.stopping.signal.aborted) return;
    this.loop = this.run();
  }

  stop(drain?: DrainHook): Promise<void> {
    this.stopped ??= this.stopNow(drain);
    return this.stopped;
  }

  snapshot(): InstanceSnapshot {
    const { planned } = this;
    const isRunning = this.proc !== null && this.exitInfo === null;
    return {
      id: planned.id,
      model: planned.model,
      servedModelNames: planned.servedModelNames,
      role: planned.role,
      engine: planned.engine,
      gpus: planned.gpus,
      host: this.host,
      port: planned.port,
      kvEventsPort: planned.kvEventsPort,
      replayPort: planned.replayPort,
      state: this.state,
      pid: isRunning ? (this.proc?.pid ?? null) : null,
      restarts: this.restarts,
      uptimeMs: isRunning ? this.deps.clock.now() - this.startedAtMs : 0,
      lastOutputLine: this.tail.last(),
      lastError: this.lastError,
    };
  }

  private setState(next: InstanceState): void {
    if (next === this.state) return;
    const previousState = this.state;
    this.state = next;
    const instance = this.snapshot();
    this.log.info({ state: next, previousState, pid: instance.pid }, `engine ${next}`);
    this.deps.onChange({ instance, previousState });
  }

  /** Restarts after each crash, with the policy's backoff, until stopped or given up. */
  private async run(): Promise<void> {
    for (;;) {
      const outcome = await this.runProcess();
      if (outcome === "stopping" || this.stopping.signal.aborted) return;
      this.deps.counters.crashes += 1;
      const decision = this.deps.policy.onCrash(this.deps.clock.now(), this.readySinceMs);
      if (decision.action === "give-up") {
        this.lastError = errorText("supervisor_crash_loop", `${decision.reason}, last: ${this.lastError}`);
        this.log.error(this.lastError);
        this.setState("failed");
        return;
      }
      this.setState("crashed");
      this.log.warn({ delayMs: decision.delayMs }, "restarting engine after backoff");
      await delay(this.deps.timers, decision.delayMs, this.stopping.signal);
      if (this.stopping.signal.aborted) return;
      this.restarts += 1;
      this.deps.counters.restarts += 1;
    }
  }

  /** One process from spawn to its end: "crashed", or "stopping" when stop() took over. */
  private async runProcess(): Promise<"crashed" | "stopping"> {
    const child = this.launchProcess();
    this.setState("starting");
    if (child === null) return "crashed";
    const readiness = await this.waitReady(child);
    if (readiness === "stopping") return "stopping";
    if (readiness === "timeout") return this.onReadinessTimeout(child);
    if (readiness === "ready") {
      this.readySinceMs = this.deps.clock.now();
      this.setState("ready");
      await Promise.race([child.exited, this.stopRequested]);
      if (this.stopping.signal.aborted) return "stopping";
    }
    const info = await child.exited;
    killLeftovers(child, this.log);
    const phase = this.readySinceMs === null ? " while starting" : "";
    this.lastError = errorText("supervisor_engine_exited", `${describeExit(info)}${phase}`);
    this.log.error({ exit: info, lastOutput: this.tail.lines() }, this.lastError);
    return "crashed";
  }

  private launchProcess(): EngineProcess | null {
    this.exitInfo = null;
    this.readySinceMs = null;
    this.tail.clear();
    try {
      const child = this.deps.spawn({
        argv: this.launch.argv,
        env: this.launch.env,
        logger: this.log,
        onLine: (_stream, line) => this.tail.push(line),
        onReadError: () => {
          this.deps.counters.outputReadErrors += 1;
        },
      });
      this.proc = child;
      this.startedAtMs = this.deps.clock.now();
      child.exited.then((info) => {
        if (this.proc === child) this.exitInfo = info;
      });
      return child;
    } catch (error) {
      this.proc = null;
      this.deps.counters.spawnFailures += 1;
      this.lastError = errorText(
        "supervisor_spawn_failed",
        error instanceof Error ? error.message : String(error),
      );
      this.log.error({ err: error }, "engine could not be started");
      return null;
    }
  }

  /** Polls /health until 200, exit, stop or the readiness deadline, logging progress meanwhile. */
  private async waitReady(child: EngineProcess): Promise<Readiness> {
    const deadlineMs = this.startedAtMs + this.timings.readinessTimeoutMs;
    let nextProgressMs = this.startedAtMs + this.timings.progressLogIntervalMs;
    for (;;) {
      const isHealthy = await this.deps.probe(this.url, this.timings.probeTimeoutMs);
      if (this.stopping.signal.aborted) return "stopping";
      if (this.exitInfo !== null) return "exited";
      if (isHealthy) return "ready";
      const nowMs = this.deps.clock.now();
      if (nowMs >= deadlineMs) return "timeout";
      if (nowMs >= nextProgressMs) {
        nextProgressMs += this.timings.progressLogIntervalMs;
        const elapsedS = Math.round((nowMs - this.startedAtMs) / 1000);
        this.log.info({ elapsedS, lastOutputLine: this.tail.last() }, "engine still starting");
      }
      await Promise.race([
        delay(this.deps.timers, this.timings.pollIntervalMs, this.stopping.signal),
        child.exited,
      ]);
    }
  }

  private async onReadinessTimeout(child: EngineProcess): Promise<"crashed" | "stopping"> {
    this.deps.counters.readinessTimeouts += 1;
    const seconds = this.timings.readinessTimeoutMs / 1000;
    this.lastError = errorText(
      "supervisor_readiness_timeout",
      `no 200 from GET /health within ${seconds} s (raise supervisor.readiness_timeout_s for big models)`,
    );
    this.log.error({ lastOutput: this.tail.lines() }, this.lastError);
    await terminateGroup(child, this.timings.stopGraceMs, { ...this.deps, logger: this.log });
    return this.stopping.signal.aborted ? "stopping" : "crashed";
  }

  private async stopNow(drain: DrainHook | undefined): Promise<void> {
    this.stopping.abort();
    const child = this.proc;
    if (child !== null && this.exitInfo === null && this.state !== "failed") {
      this.setState("draining");
      if (drain !== undefined) {
        await drain(this.snapshot()).catch((error: unknown) => {
          this.deps.counters.drainHookErrors += 1;
          this.log.error({ err: error }, "drain hook failed; stopping the engine anyway");
        });
      }
      const how = await terminateGroup(child, this.timings.stopGraceMs, { ...this.deps, logger: this.log });
      this.log.info({ how }, "engine process group ended");
    }
    await this.loop;
    if (this.state !== "failed") this.setState("stopped");
  }
}

function describeExit(info: ExitInfo): string {
  return info.signal !== null ? `killed by ${info.signal}` : `exited with code ${info.code}`;
}
