// The vLLM environment variables the sim honours, read once with vLLM's defaults (vllm/envs.py).
import { z } from "zod";
import { parseBoolText, SimArgsError } from "./cli-argv.ts";

export interface SimEnv {
  /** PYTHONHASHSEED; undefined means NONE_HASH is random, as in vLLM. */
  readonly pythonHashSeed: string | undefined;
  /** VLLM_KV_EVENTS_USE_INT_BLOCK_HASHES (default 1). */
  readonly useIntBlockHashes: boolean;
  /** VLLM_NIXL_SIDE_CHANNEL_HOST (default localhost). */
  readonly sideChannelHost: string;
  /** VLLM_NIXL_SIDE_CHANNEL_PORT (default 5600); rank r listens on port + r. */
  readonly sideChannelPort: number;
  /** VLLM_SERVER_DEV_MODE: mounts /sleep, /wake_up, /is_sleeping, /reset_prefix_cache. */
  readonly devMode: boolean;
}

const Port = z.coerce.number().int().min(1).max(65535);

/** Reads the env; a malformed value is an error naming the variable. */
export function readSimEnv(env: Readonly<Record<string, string | undefined>>): SimEnv {
  const port = Port.safeParse(env.VLLM_NIXL_SIDE_CHANNEL_PORT ?? "5600");
  if (!port.success) {
    throw new SimArgsError(
      `VLLM_NIXL_SIDE_CHANNEL_PORT: expected a port number, got "${env.VLLM_NIXL_SIDE_CHANNEL_PORT}"`,
    );
  }
  return Object.freeze({
    pythonHashSeed: env.PYTHONHASHSEED,
    useIntBlockHashes: envBool(env, "VLLM_KV_EVENTS_USE_INT_BLOCK_HASHES", true),
    sideChannelHost: env.VLLM_NIXL_SIDE_CHANNEL_HOST || "localhost",
    sideChannelPort: port.data,
    devMode: envBool(env, "VLLM_SERVER_DEV_MODE", false),
  });
}

function envBool(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: boolean,
): boolean {
  const text = env[name];
  if (text === undefined || text === "") return fallback;
  return parseBoolText(name, text);
}
