// SIGHUP with changed engines: `llmux up` with two sims of one model under steady traffic rolls them
// one at a time (new pids, never both down: /ready stays 200 and no request fails), and a third
// replica in the config file is added without touching the two running engines; a layout that cannot
// be placed is rejected with its problems and touches nothing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  type AdminInstanceRow,
  adminInstances,
  complete,
  type NodeProcess,
  startNode,
  waitForAllReady,
  waitForInstances,
} from "./node-process.ts";

const ENGINE = { model: "e2e-model", replicas: 2, extra_args: ["--sim-profile", "tiny-cpu"] };
const SEEDED = { ...ENGINE, extra_args: [...ENGINE.extra_args, "--sim-seed", "5"] };
const CLIENTS = 3;

let node: NodeProcess;
beforeAll(async () => {
  node = await startNode({ engines: [ENGINE] });
  await waitForAllReady(node.url, 2);
});
afterAll(async () => {
  await node?.stop();
});

interface Observed {
  readonly requests: { status: number; endpoint: string | null }[];
  readonly readyStatuses: number[];
  readonly samples: AdminInstanceRow[][];
}

/** Runs `body` while clients send completions and /ready and /admin/instances are polled. */
async function underTraffic(body: (observed: Observed) => Promise<void>): Promise<Observed> {
  const observed: Observed = { requests: [], readyStatuses: [], samples: [] };
  let isRunning = true;
  const clients = Array.from({ length: CLIENTS }, async (_, client) => {
    for (let i = 0; isRunning; i++) {
      const result = await complete(node.url, "e2e-model", {}, `client ${client} request ${i}`);
      observed.requests.push({ status: result.status, endpoint: result.endpoint });
    }
  });
  const watcher = (async () => {
    while (isRunning) {
      observed.readyStatuses.push((await fetch(`${node.url}/ready`)).status);
      observed.samples.push(await adminInstances(node.url));
      await Bun.sleep(20);
    }
  })();
  try {
    await body(observed);
  } finally {
    isRunning = false;
    await Promise.all([...clients, watcher]);
  }
  return observed;
}

function waitForLogCount(pattern: RegExp, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return (async () => {
    while (
      node
        .logs()
        .split("\n")
        .filter((line) => pattern.test(line)).length < count
    ) {
      if (Date.now() > deadline) throw new Error(`no ${count}× ${pattern} in time:\n${node.logs()}`);
      await Bun.sleep(25);
    }
  })();
}

const pidOf = (rows: readonly AdminInstanceRow[], id: string) => rows.find((r) => r.id === id)?.pid;

describe("reload with changed engines", () => {
  test("a new engine flag rolls both engines one at a time; /ready and every request stay OK", async () => {
    const before = await adminInstances(node.url);
    const [old0, old1] = [pidOf(before, "e2e-model-0"), pidOf(before, "e2e-model-1")];
    const observed = await underTraffic(async () => {
      await Bun.sleep(200);
      node.writeConfig([SEEDED]);
      node.signal("SIGHUP");
      await waitForLogCount(/"msg":"engine roll finished"/, 1, 30_000);
      await Bun.sleep(200);
    });

    const after = await adminInstances(node.url);
    expect(after.map((r) => r.state)).toEqual(["ready", "ready"]);
    expect(pidOf(after, "e2e-model-0")).not.toBe(old0);
    expect(pidOf(after, "e2e-model-1")).not.toBe(old1);
    // One at a time: a moment with the first engine relaunched and the second still on its old pid,
    // and no moment without a ready engine.
    const isHalfway = (rows: AdminInstanceRow[]) =>
      pidOf(rows, "e2e-model-0") === pidOf(after, "e2e-model-0") && pidOf(rows, "e2e-model-1") === old1;
    expect(observed.samples.some(isHalfway)).toBe(true);
    expect(observed.samples.filter((rows) => !rows.some((r) => r.state === "ready"))).toEqual([]);
    expect(observed.readyStatuses.filter((status) => status !== 200)).toEqual([]);
    expect(observed.requests.filter((r) => r.status !== 200)).toEqual([]);
    expect(observed.requests.length).toBeGreaterThan(20);
    expect(node.logs()).toContain("config reloaded; rolling the engines in the background (2 step(s))");
  });

  test("replicas 2 → 3 adds one engine and leaves the two running ones alone", async () => {
    const before = await adminInstances(node.url);
    const observed = await underTraffic(async (sofar) => {
      node.writeConfig([{ ...SEEDED, replicas: 3 }]);
      node.signal("SIGHUP");
      await waitForInstances(
        node.url,
        (rows) => rows.length === 3 && rows.every((r) => r.state === "ready"),
        30_000,
        "three ready engines",
      );
      const deadline = Date.now() + 5_000;
      while (!sofar.requests.some((r) => r.endpoint === "e2e-model-2") && Date.now() < deadline) {
        await Bun.sleep(25);
      }
    });
    const after = await adminInstances(node.url);
    expect(after.slice(0, 2).map((r) => [r.id, r.pid])).toEqual(before.map((r) => [r.id, r.pid]));
    expect(after[2]?.port).toBe((before[1]?.port ?? 0) + 1);
    expect(observed.requests.some((r) => r.endpoint === "e2e-model-2")).toBe(true);
    expect(observed.requests.filter((r) => r.status !== 200)).toEqual([]);
  });

  test("POST /admin/reload with an engine layout that cannot be placed is rejected; the engines keep running", async () => {
    const before = await adminInstances(node.url);
    node.writeConfig([{ ...SEEDED, replicas: 3, role: "prefill" }]);
    const response = await fetch(`${node.url}/admin/reload`, { method: "POST" });
    const body = (await response.json()) as {
      outcome: string;
      problems: { path: string; message: string }[];
    };
    expect(response.status).toBe(422);
    expect(body.outcome).toBe("rejected");
    expect(body.problems.map((p) => p.path)).toEqual(["engines[0].role"]);
    expect(body.problems[0]?.message).toContain("fix: add an entry for e2e-model with role: decode");
    expect(await adminInstances(node.url)).toEqual(
      before.map((row) => expect.objectContaining({ id: row.id, pid: row.pid, state: "ready" })),
    );
    expect((await fetch(`${node.url}/ready`)).status).toBe(200);
  });

  test("counts reloads and rolls by outcome", async () => {
    await waitForLogCount(/"msg":"engine roll finished"/, 2, 10_000);
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    expect(metrics).toContain('llmux_supervisor_engine_rolls_total{outcome="completed"} 2');
    expect(metrics).toContain('llmux_config_reloads_total{outcome="applied"} 2');
    expect(metrics).toContain('llmux_config_reloads_total{outcome="rejected"} 1');
  });
});
