// E2E harness: runs `llmux up -c <generated config>` (from source) with simulated engines on free
// ports, waits for /ready, collects logs, and stops it by pid.
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, MAIN_TS } from "../../helpers/cli-process.ts";
import { spawnDrained } from "./drained-child.ts";

export interface LlmuxProcess {
  readonly pid: number;
  readonly url: string;
  readonly port: number;
  /** First engine HTTP port (engine i listens on basePort + i). */
  readonly basePort: number;
  logs(): string;
  readonly exited: Promise<number>;
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number>;
}

export interface StartLlmuxOptions {
  /** Engine entries (YAML-able objects); default: 2 tiny-cpu sims of "e2e-model". */
  readonly engines?: readonly Record<string, unknown>[];
  /** Extra top-level config sections merged in (gateway, auth, ...). */
  readonly config?: Record<string, unknown>;
  readonly readyTimeoutMs?: number;
  readonly env?: Record<string, string>;
}

/**
 * A block of 100 ports for one node's engines (HTTP base+i, KV events base+40.., NIXL base+80..),
 * below Linux's ephemeral range (32768-60999) so client sockets and port-0 listeners of other
 * tests never hold them.
 */
export function enginePortBlock(): number {
  return 10000 + Math.floor(Math.random() * 220) * 100;
}

export async function startLlmux(options: StartLlmuxOptions = {}): Promise<LlmuxProcess> {
  const port = freePort();
  const basePort = enginePortBlock();
  const engines = options.engines ?? [
    {
      model: "e2e-model",
      replicas: 2,
      extra_args: ["--sim-profile", "tiny-cpu", "--enable-prompt-tokens-details"],
    },
  ];
  const config = {
    ...options.config,
    gateway: { host: "127.0.0.1", port, ...(options.config?.gateway as object | undefined) },
    engines,
    supervisor: {
      engine: "sim",
      base_port: basePort,
      kv_events_base_port: basePort + 40,
      nixl_side_channel_base_port: basePort + 80,
      readiness_timeout_s: 60,
      stop_grace_s: 3,
      state_dir: tmpdir(),
      ...(options.config?.supervisor as object | undefined),
    },
  };
  const path = join(tmpdir(), `llmux-e2e-${process.pid}-${port}.yaml`);
  writeFileSync(path, JSON.stringify(config));
  const child = spawnDrained([process.execPath, MAIN_TS, "up", "-c", path], options.env);
  const llmux: LlmuxProcess = {
    pid: child.pid,
    url: `http://127.0.0.1:${port}`,
    port,
    basePort,
    logs: child.logs,
    exited: child.exited,
    stop: (signal = "SIGTERM", graceMs = 15_000) => child.stop(signal, graceMs),
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (child.hasExited()) throw new Error(`llmux exited ${child.exitCode()} before ready:\n${child.logs()}`);
    try {
      // /ready needs one engine per model; tests also talk to each engine, so wait for all of them.
      if ((await fetch(`${llmux.url}/ready`)).status === 200 && (await allInstancesReady(llmux.url)))
        return llmux;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await llmux.stop("SIGKILL");
      throw new Error(`llmux not ready in time:\n${child.logs()}`);
    }
    await Bun.sleep(100);
  }
}

/** True when every supervised instance is ready (or /admin is locked by the test's auth config). */
async function allInstancesReady(url: string): Promise<boolean> {
  const response = await fetch(`${url}/admin/instances`);
  if (response.status === 401) return true;
  const body = (await response.json()) as { instances: { state: string }[] };
  return body.instances.every((instance) => instance.state === "ready");
}
