// Decode side of the sim's NIXL stand-in: one DEALER per prefill side channel (host:port), a metadata
// handshake per remote engine, then a pull of the held blocks (vllm-interfaces.md §4.1, §4.2 step 4).
import { connectDealer, type ZmqDealer } from "../../kvcache/index.ts";
import { parseKvTransferParams, type RemotePrefillSource } from "./params.ts";
import {
  decodeSideChannelReply,
  encodeSideChannelMessage,
  type SideChannelReply,
  type SideChannelRequest,
  transferDurationMs,
} from "./side-channel.ts";

export interface PullResult {
  readonly ok: boolean;
  readonly error?: string;
}

export interface PullClientOptions {
  readonly kvBytesPerToken: number;
  readonly transferSetupMs: number;
  readonly transferGBps: number;
  readonly timeScale: number;
  /** Wall-clock allowance on top of the expected transfer time. */
  readonly baseTimeoutMs: number;
  readonly onError: (error: Error) => void;
}

export interface PullClient {
  pull(params: Record<string, unknown>, promptTokens: number, signal: AbortSignal): Promise<PullResult>;
  close(): Promise<void>;
}

type CallOutcome =
  | { readonly kind: "reply"; readonly reply: SideChannelReply; readonly payload: Uint8Array | undefined }
  | { readonly kind: "timeout" }
  | { readonly kind: "aborted" };

interface Pending {
  settle(outcome: CallOutcome): void;
}

interface Peer {
  readonly dealer: ZmqDealer;
  /** Engine id learnt by the handshake; re-asked when a request names another id (a restarted P). */
  engineId: string | null;
}

export function createPullClient(options: PullClientOptions): PullClient {
  const peers = new Map<string, Peer>();
  const pending = new Map<number, Pending>();
  let nextXid = 0;

  function onReply(message: readonly Uint8Array[]): void {
    const [delimiter, body, payload] = message;
    if (delimiter === undefined || delimiter.length !== 0 || body === undefined) {
      options.onError(new Error(`pd side channel: ignored a reply of ${message.length} frames`));
      return;
    }
    try {
      const reply = decodeSideChannelReply(body);
      pending.get(reply.xid)?.settle({ kind: "reply", reply, payload });
    } catch (error) {
      options.onError(new Error("pd side channel: bad reply", { cause: error }));
    }
  }

  function peerFor(source: RemotePrefillSource): Peer {
    const key = `${source.host}:${source.port}`;
    let peer = peers.get(key);
    if (peer === undefined) {
      const endpoint = `tcp://${connectHost(source.host)}:${source.port}`;
      const dealer = connectDealer(endpoint, { onError: options.onError });
      dealer.onMessage(onReply);
      peer = { dealer, engineId: null };
      peers.set(key, peer);
    }
    return peer;
  }

  function call(peer: Peer, request: SideChannelRequest, timeoutMs: number, signal: AbortSignal) {
    return new Promise<CallOutcome>(function awaitReply(resolve) {
      const timer = setTimeout(() => settle({ kind: "timeout" }), Math.max(0, timeoutMs));
      const onAbort = (): void => settle({ kind: "aborted" });
      function settle(outcome: CallOutcome): void {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        pending.delete(request.xid);
        resolve(outcome);
      }
      if (signal.aborted) return settle({ kind: "aborted" });
      signal.addEventListener("abort", onAbort, { once: true });
      pending.set(request.xid, { settle });
      peer.dealer.send([new Uint8Array(0), encodeSideChannelMessage(request)]);
    });
  }

  async function handshake(peer: Peer, source: RemotePrefillSource, deadlineMs: number, signal: AbortSignal) {
    if (peer.engineId === source.engineId) return null;
    const outcome = await call(peer, { t: "meta", xid: nextXid++ }, deadlineMs - performance.now(), signal);
    if (outcome.kind !== "reply") return failure(outcome, "handshake", source);
    if (outcome.reply.t !== "meta") return replyError(outcome.reply, "handshake");
    peer.engineId = outcome.reply.engineId;
    if (peer.engineId === source.engineId) return null;
    return {
      ok: false,
      error: `remote engine id mismatch: expected ${source.engineId}, got ${peer.engineId}`,
    };
  }

  async function pull(params: Record<string, unknown>, promptTokens: number, signal: AbortSignal) {
    const parsed = parseKvTransferParams(params);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    if (parsed.intent.kind !== "remote_prefill") {
      return { ok: false, error: "kv_transfer_params do not ask for a remote prefill" };
    }
    const source = parsed.intent.source;
    const expectedMs = transferDurationMs({ ...options, numTokens: promptTokens });
    const deadlineMs = performance.now() + options.baseTimeoutMs + expectedMs;
    const peer = peerFor(source);
    const handshakeFailure = await handshake(peer, source, deadlineMs, signal);
    if (handshakeFailure !== null) return handshakeFailure;
    const request: SideChannelRequest = {
      t: "pull",
      xid: nextXid++,
      engineId: source.engineId,
      requestId: source.requestId,
      blockIds: source.blockIds,
      numTokens: promptTokens,
    };
    const outcome = await call(peer, request, deadlineMs - performance.now(), signal);
    if (outcome.kind !== "reply") {
      peer.dealer.send([
        new Uint8Array(0),
        encodeSideChannelMessage({ t: "cancel", xid: request.xid, requestId: source.requestId }),
      ]);
      return failure(outcome, "pull", source);
    }
    return checkDone(outcome.reply, outcome.payload);
  }

  return {
    pull,
    async close() {
      for (const entry of pending.values()) entry.settle({ kind: "aborted" });
      await Promise.all([...peers.values()].map((peer) => peer.dealer.close()));
      peers.clear();
    },
  };
}

/** libzmq resolves "localhost" to IPv4 unless ZMQ_IPV6 is set; vLLM does not set it (§4.1 default host). */
export function connectHost(host: string): string {
  if (host === "localhost") return "127.0.0.1";
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}

function checkDone(reply: SideChannelReply, payload: Uint8Array | undefined): PullResult {
  if (reply.t !== "done") return replyError(reply, "pull");
  if (payload === undefined || payload.length !== reply.payloadBytes) {
    return {
      ok: false,
      error: `pull: payload of ${payload?.length ?? 0} bytes, expected ${reply.payloadBytes}`,
    };
  }
  return { ok: true };
}

function replyError(reply: SideChannelReply, stage: string): PullResult {
  if (reply.t === "error") return { ok: false, error: reply.error };
  return { ok: false, error: `${stage}: unexpected "${reply.t}" reply` };
}

function failure(outcome: CallOutcome, stage: string, source: RemotePrefillSource): PullResult {
  const where = `${source.host}:${source.port}`;
  if (outcome.kind === "aborted") return { ok: false, error: `${stage} from ${where} aborted` };
  return { ok: false, error: `${stage} from ${where} timed out` };
}
