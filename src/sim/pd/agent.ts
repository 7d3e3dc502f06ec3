// The sim's NixlConnector stand-in: every instance binds a side-channel ROUTER at
// VLLM_NIXL_SIDE_CHANNEL_HOST:PORT+dp (vllm-interfaces.md §4.1), holds finished prefills under a lease and
// serves decoders' pulls after the simulated transfer time; the decode side pulls through pull-client.ts.
import { bindRouter, type ZmqRouter } from "../../kvcache/index.ts";
import { createHeldBlocks, type HeldBlocks } from "./held-blocks.ts";
import { engineIdForRank, type KvTransferConfig } from "./kv-transfer-config.ts";
import { buildPrefillResponseParams } from "./params.ts";
import { connectHost, createPullClient, type PullResult } from "./pull-client.ts";
import {
  decodeSideChannelRequest,
  encodeSideChannelMessage,
  type SideChannelReply,
  type SideChannelRequest,
  transferDurationMs,
  transferPayload,
} from "./side-channel.ts";

export interface PdAgent {
  /** The bound side-channel port (the real one when 0 was asked for). */
  readonly sideChannelPort: number;
  /** The engine id this instance announces (with `_dp{rank}` under data parallelism). */
  readonly engineId: string;
  /**
   * Prefill side: holds a finished remote-decode request's blocks until a decoder reads them or the lease
   * expires; `release` runs exactly once either way. Returns the response's kv_transfer_params.
   */
  registerHeld(args: {
    requestId: string;
    blockIds: readonly (readonly number[])[];
    numTokens: number;
    release: () => void;
  }): Record<string, unknown>;
  /** Decode side: pulls the prompt's KV named by a request's kv_transfer_params. Never throws. */
  pull(params: Record<string, unknown>, promptTokens: number, signal: AbortSignal): Promise<PullResult>;
  close(): Promise<void>;
}

export interface PdAgentOptions {
  readonly config: KvTransferConfig;
  /** VLLM_NIXL_SIDE_CHANNEL_HOST; echoed to decoders as remote_host. */
  readonly sideChannelHost: string;
  /** VLLM_NIXL_SIDE_CHANNEL_PORT + data-parallel rank, already offset; 0 picks a free port. */
  readonly sideChannelPort: number;
  readonly tpSize: number;
  readonly kvBytesPerToken: number;
  readonly transferSetupMs: number;
  readonly transferGBps: number;
  /** Sim speed-up; transfer times and the lease are divided by it. */
  readonly timeScale: number;
  readonly dataParallelRank?: number;
  readonly dataParallelSize?: number;
  /** Wall-clock allowance of a pull on top of its expected transfer time. Default 10 s. */
  readonly pullTimeoutMs?: number;
  readonly now?: () => number;
  readonly onError?: (error: Error) => void;
}

const DEFAULT_PULL_TIMEOUT_MS = 10_000;

export async function startPdAgent(options: PdAgentOptions): Promise<PdAgent> {
  if (!(options.timeScale > 0)) throw new Error(`pd: timeScale must be > 0, got ${options.timeScale}`);
  const onError = options.onError ?? ignoreError;
  const now = options.now ?? (() => performance.now());
  const engineId = engineIdForRank(
    options.config.engineId,
    options.dataParallelRank ?? 0,
    options.dataParallelSize ?? 1,
  );
  const router = await bindRouter(
    `tcp://${connectHost(options.sideChannelHost)}:${options.sideChannelPort}`,
    {
      onError,
    },
  );
  const sideChannelPort = Number(router.endpoint.slice(router.endpoint.lastIndexOf(":") + 1));
  const held = createHeldBlocks({
    leaseMs: (options.config.kvLeaseDurationSeconds * 1000) / options.timeScale,
    now,
    onError,
  });
  router.onMessage(createPrefillServer({ options, engineId, router, held, onError }));
  const client = createPullClient({
    ...options,
    baseTimeoutMs: options.pullTimeoutMs ?? DEFAULT_PULL_TIMEOUT_MS,
    onError,
  });
  return {
    sideChannelPort,
    engineId,
    registerHeld(args) {
      held.hold(args.requestId, args.blockIds, args.numTokens, args.release);
      return buildPrefillResponseParams({
        blockIds: args.blockIds,
        engineId,
        requestId: args.requestId,
        host: options.sideChannelHost,
        port: sideChannelPort,
        tpSize: options.tpSize,
        numTokens: args.numTokens,
      });
    },
    pull: client.pull,
    async close() {
      held.clear();
      await Promise.all([client.close(), router.close()]);
    },
  };
}

interface PrefillServerDeps {
  readonly options: PdAgentOptions;
  readonly engineId: string;
  readonly router: ZmqRouter;
  readonly held: HeldBlocks;
  readonly onError: (error: Error) => void;
}

/** Serves the side channel's ROUTER: [identity, "", request]. */
function createPrefillServer(deps: PrefillServerDeps): (message: readonly Uint8Array[]) => void {
  const { router, held, engineId } = deps;
  function reply(identity: Uint8Array, body: SideChannelReply, payload?: Uint8Array): void {
    const frames = [identity, new Uint8Array(0), encodeSideChannelMessage(body)];
    router.send(payload === undefined ? frames : [...frames, payload]);
  }

  /** Why this engine cannot serve a pull, or null when it can. */
  function refusePull(request: PullRequest): string | null {
    if (request.engineId !== engineId) return `engine ${engineId} is not ${request.engineId}`;
    const entry = held.get(request.requestId);
    if (entry === undefined) return held.describeMissing(request.requestId);
    if (entry.transferXid !== null) return `request ${request.requestId} is already being transferred`;
    const heldIds = new Set(entry.blockIds.flat());
    const foreign = request.blockIds.flat().find((id) => !heldIds.has(id));
    return foreign === undefined ? null : `block ${foreign} is not held for ${request.requestId}`;
  }

  function servePull(identity: Uint8Array, request: PullRequest): void {
    const { xid, requestId } = request;
    const refusal = refusePull(request);
    const entry = held.get(requestId);
    if (refusal !== null || entry === undefined) {
      reply(identity, { t: "error", xid, error: refusal ?? held.describeMissing(requestId) });
      return;
    }
    const numTokens = Math.min(request.numTokens, entry.numTokens);
    const delayMs = transferDurationMs({ ...deps.options, numTokens });
    const timer = setTimeout(function transferComplete() {
      const payload = transferPayload(request.blockIds);
      const done = { t: "done", xid, requestId, blockIds: request.blockIds, numTokens } as const;
      reply(identity, { ...done, payloadBytes: payload.length }, payload);
      held.finish(requestId);
    }, delayMs);
    held.startTransfer(requestId, xid, timer);
  }

  return function onSideChannelMessage(message) {
    const [identity, delimiter, body] = message;
    if (identity === undefined || delimiter?.length !== 0 || body === undefined || message.length !== 3) {
      deps.onError(new Error(`pd side channel: ignored a request of ${message.length} frames`));
      return;
    }
    let request: SideChannelRequest;
    try {
      request = decodeSideChannelRequest(body);
    } catch (error) {
      deps.onError(new Error("pd side channel: bad request", { cause: error }));
      return;
    }
    if (request.t === "meta")
      reply(identity, { t: "meta", xid: request.xid, engineId, tpSize: deps.options.tpSize });
    else if (request.t === "pull") servePull(identity, request);
    // A decoder that gave up will never read the blocks: free them now rather than at lease expiry.
    else if (held.get(request.requestId)?.transferXid === request.xid) held.finish(request.requestId);
  };
}

type PullRequest = Extract<SideChannelRequest, { t: "pull" }>;

function ignoreError(_error: Error): void {}
