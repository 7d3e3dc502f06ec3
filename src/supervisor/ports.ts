// Port allocation for engine instances, overlap checks and a bind test. vLLM binds with
// SO_REUSEPORT, so a second engine on a taken port does not fail: llmux must allocate itself.
import { createServer } from "node:net";
import type { PlacementProblem, PlannedInstance } from "./types.ts";

export interface PortBases {
  readonly httpBasePort: number;
  readonly kvEventsBasePort: number;
  readonly nixlBasePort: number;
}

export interface InstancePorts {
  readonly port: number;
  readonly kvEventsPort: number;
  readonly replayPort: number;
  readonly nixlPort: number | null;
}

/** A port some other part of llmux (or the user) owns, e.g. the gateway's listen port. */
export interface ReservedPort {
  readonly port: number;
  readonly owner: string;
  readonly path: string;
}

/** `(host, port)` → null when free, else the reason (EADDRINUSE, EACCES, ...). */
export type PortProbe = (host: string, port: number) => Promise<string | null>;

const MAX_PORT = 65_535;

/**
 * Ports of the `index`-th instance: HTTP base+i, KV PUB kvBase+2i, replay kvBase+2i+1, and for
 * the `nixlIndex`-th prefill/decode instance NIXL nixlBase+j. Data parallelism (which offsets
 * these by rank, vllm-interfaces §1.7) is rejected in placement, so one port each suffices.
 */
export function allocatePorts(bases: PortBases, index: number, nixlIndex: number | null): InstancePorts {
  return {
    port: bases.httpBasePort + index,
    kvEventsPort: bases.kvEventsBasePort + 2 * index,
    replayPort: bases.kvEventsBasePort + 2 * index + 1,
    nixlPort: nixlIndex === null ? null : bases.nixlBasePort + nixlIndex,
  };
}

interface PortUse {
  readonly port: number;
  readonly owner: string;
  readonly path: string;
}

/** Every port the plan uses, labelled with who uses it and which base setting produced it. */
export function portUses(instances: readonly PlannedInstance[]): PortUse[] {
  return instances.flatMap((instance) => {
    const uses: PortUse[] = [
      { port: instance.port, owner: `${instance.id} HTTP`, path: "supervisor.base_port" },
      {
        port: instance.kvEventsPort,
        owner: `${instance.id} KV events`,
        path: "supervisor.kv_events_base_port",
      },
      {
        port: instance.replayPort,
        owner: `${instance.id} KV replay`,
        path: "supervisor.kv_events_base_port",
      },
    ];
    if (instance.nixlPort !== null) {
      uses.push({
        port: instance.nixlPort,
        owner: `${instance.id} NIXL side channel`,
        path: "supervisor.nixl_side_channel_base_port",
      });
    }
    return uses;
  });
}

/**
 * Ports above 65535, ports used twice and ports llmux reserves elsewhere, all at once. Clashes
 * are reported once per pair of settings (not once per port), with the ports they share.
 */
export function findPortProblems(
  instances: readonly PlannedInstance[],
  reserved: readonly ReservedPort[],
): PlacementProblem[] {
  const problems: PlacementProblem[] = [];
  const seen = new Map<number, PortUse>(reserved.map((use) => [use.port, use]));
  const clashes = new Map<string, { first: PortUse; second: PortUse; ports: number[] }>();
  for (const use of portUses(instances)) {
    if (use.port > MAX_PORT) {
      problems.push({
        path: use.path,
        message: `${use.owner} would get port ${use.port}, above ${MAX_PORT}`,
        fix: `lower ${use.path} so every instance's ports fit below ${MAX_PORT}`,
      });
      continue;
    }
    const earlier = seen.get(use.port);
    if (earlier === undefined) {
      seen.set(use.port, use);
      continue;
    }
    const key = `${earlier.path} ${use.path}`;
    const clash = clashes.get(key) ?? { first: earlier, second: use, ports: [] };
    clash.ports.push(use.port);
    clashes.set(key, clash);
  }
  return [...problems, ...[...clashes.values()].map(clashProblem)];
}

function clashProblem({
  first,
  second,
  ports,
}: {
  first: PortUse;
  second: PortUse;
  ports: number[];
}): PlacementProblem {
  const shown = ports.length > 4 ? `${ports.slice(0, 4).join(", ")}, ...` : ports.join(", ");
  return {
    path: second.path,
    message:
      ports.length === 1
        ? `port ${ports[0]} is needed by both ${first.owner} and ${second.owner}`
        : `${ports.length} ports (${shown}) are needed twice, e.g. ${ports[0]} by ${first.owner} and ${second.owner}`,
    fix:
      first.path === second.path
        ? `move ${first.path} so the ranges do not overlap (${RANGES})`
        : `move ${second.path} or ${first.path} so the ranges do not overlap (${RANGES})`,
  };
}

const RANGES =
  "N instances use base_port..base_port+N-1, kv_events_base_port..kv_events_base_port+2N-1, " +
  "and M prefill/decode instances nixl_side_channel_base_port..+M-1";

/**
 * Tries to bind each port once; reports every one that is taken. `ownedPorts` are held by this
 * llmux's own running engines (a reload re-planning next to them): they are busy by design and
 * are not probed; the roll frees each one before an engine that needs it starts.
 */
export async function findBusyPorts(
  instances: readonly PlannedInstance[],
  probe: PortProbe = probePort,
  ownedPorts: ReadonlySet<number> = new Set(),
): Promise<PlacementProblem[]> {
  const seen = new Set<number>(ownedPorts);
  const uses = portUses(instances).filter((use) => {
    const isNew = use.port <= MAX_PORT && !seen.has(use.port);
    seen.add(use.port);
    return isNew;
  });
  // 0.0.0.0 conflicts with a listener on any address: ZMQ endpoints bind tcp://*:port.
  const reasons = await Promise.all(uses.map((use) => probe("0.0.0.0", use.port)));
  return uses.flatMap((use, i) => {
    const reason = reasons[i];
    if (reason === null || reason === undefined) return [];
    return [
      {
        path: use.path,
        message: `port ${use.port} for ${use.owner} cannot be bound (${reason})`,
        fix: `find the owner with \`ss -ltnp 'sport = :${use.port}'\` and stop it (a leftover engine?), or move ${use.path}`,
      },
    ];
  });
}

/** Binds and closes a listener; resolves to null when the port was free. */
export function probePort(host: string, port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(null)));
  });
}
