// E2E helper for supervisor tests: runs a node (`llmux up` from source, the compiled binary, or a
// reload-capable entry) on a generated config file that tests may rewrite, and reads its admin API.
import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, MAIN_TS } from "../../helpers/cli-process.ts";
import { spawnDrained } from "../harness/drained-child.ts";
import { enginePortBlock } from "../harness/llmux-process.ts";

export interface AdminInstanceRow {
  readonly id: string;
  readonly model: string;
  readonly state: string;
  readonly port: number;
  readonly pid: number | null;
  readonly restarts: number;
  readonly uptimeMs: number;
  readonly inFlight: number;
  readonly lastError: string | null;
}

export interface NodeProcess {
  readonly pid: number;
  readonly url: string;
  readonly configPath: string;
  readonly exited: Promise<number>;
  logs(): string;
  /** Replaces the config file with `engines` and `extra` (same ports), e.g. before a SIGHUP. */
  writeConfig(engines: readonly object[], extra?: Record<string, unknown>): void;
  signal(signal: NodeJS.Signals): void;
  /** Signals, waits up to `graceMs`, then SIGKILLs; removes the config file. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<number>;
}

export interface StartNodeOptions {
  readonly engines: readonly object[];
  /** Top-level sections merged in; `supervisor` is merged over the test defaults. */
  readonly config?: Record<string, unknown>;
  readonly env?: Record<string, string>;
  /** The command in front of `up -c <file>`: llmux from source by default. */
  readonly command?: readonly string[];
  /** "ready": GET /ready is 200; "health": the gateway listens (engines may still fail). */
  readonly waitFor?: "ready" | "health";
  readonly timeoutMs?: number;
}

/** Fast sims on a port block of their own. */
function nodeConfig(
  port: number,
  basePort: number,
  engines: readonly object[],
  extra: Record<string, unknown>,
) {
  return {
    ...extra,
    gateway: { host: "127.0.0.1", port, ...(extra.gateway as object | undefined) },
    engines,
    supervisor: {
      engine: "sim",
      sim_args: ["--sim-startup-delay", "0"],
      base_port: basePort,
      kv_events_base_port: basePort + 40,
      nixl_side_channel_base_port: basePort + 80,
      readiness_timeout_s: 30,
      stop_grace_s: 3,
      state_dir: tmpdir(),
      ...(extra.supervisor as object | undefined),
    },
  };
}

export async function startNode(options: StartNodeOptions): Promise<NodeProcess> {
  const port = freePort();
  const basePort = enginePortBlock();
  const configPath = join(tmpdir(), `llmux-e2e-node-${process.pid}-${port}.yaml`);
  const writeConfig = (engines: readonly object[], extra: Record<string, unknown> = options.config ?? {}) =>
    writeFileSync(configPath, JSON.stringify(nodeConfig(port, basePort, engines, extra)));
  writeConfig(options.engines);
  const command = options.command ?? [process.execPath, MAIN_TS];
  const child = spawnDrained([...command, "up", "-c", configPath], options.env);
  const node: NodeProcess = {
    pid: child.pid,
    url: `http://127.0.0.1:${port}`,
    configPath,
    exited: child.exited,
    logs: child.logs,
    writeConfig,
    signal: (signal) => child.kill(signal),
    async stop(signal = "SIGTERM", graceMs = 20_000) {
      const code = await child.stop(signal, graceMs);
      rmSync(configPath, { force: true });
      return code;
    },
  };
  await waitUntilServing(node, options.waitFor ?? "ready", options.timeoutMs ?? 30_000, child.exitCode);
  return node;
}

async function waitUntilServing(
  node: NodeProcess,
  waitFor: "ready" | "health",
  timeoutMs: number,
  exitCode: () => number | null,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exitCode() !== null) throw new Error(`llmux exited ${exitCode()} before serving:\n${node.logs()}`);
    try {
      if ((await fetch(`${node.url}/${waitFor}`)).status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await node.stop("SIGKILL");
      throw new Error(`llmux not serving /${waitFor} in time:\n${node.logs()}`);
    }
    await Bun.sleep(50);
  }
}

/** GET /admin/instances of the node at `url` (an open gateway needs no admin key). */
export async function adminInstances(url: string, adminKey?: string): Promise<AdminInstanceRow[]> {
  const headers: Record<string, string> =
    adminKey === undefined ? {} : { authorization: `Bearer ${adminKey}` };
  const response = await fetch(`${url}/admin/instances`, { headers });
  if (response.status !== 200) throw new Error(`/admin/instances answered ${response.status}`);
  return ((await response.json()) as { instances: AdminInstanceRow[] }).instances;
}

/** Polls the admin API until `predicate` holds for the instance list; returns that list. */
export async function waitForInstances(
  url: string,
  predicate: (instances: AdminInstanceRow[]) => boolean,
  timeoutMs: number,
  what: string,
): Promise<AdminInstanceRow[]> {
  const deadline = Date.now() + timeoutMs;
  let last: AdminInstanceRow[] = [];
  while (Date.now() < deadline) {
    last = await adminInstances(url);
    if (predicate(last)) return last;
    await Bun.sleep(25);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${JSON.stringify(last)}`);
}

/** One short non-streaming completion through the gateway: status and serving instance. */
export async function complete(
  url: string,
  model: string,
  headers: Record<string, string> = {},
  prompt = "hello",
): Promise<{ status: number; endpoint: string | null; body: string }> {
  const response = await fetch(`${url}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ model, prompt, max_tokens: 4 }),
  });
  return {
    status: response.status,
    endpoint: response.headers.get("x-llmux-endpoint"),
    body: await response.text(),
  };
}

/** GET /ready is 200 once each model has one ready engine; this waits for every instance. */
export function waitForAllReady(url: string, count: number, timeoutMs = 20_000): Promise<AdminInstanceRow[]> {
  return waitForInstances(
    url,
    (list) => list.length === count && list.every((i) => i.state === "ready"),
    timeoutMs,
    `all ${count} instances ready`,
  );
}
