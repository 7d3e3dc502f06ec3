// Rate-limit store shared by several gateways through Redis: the same token buckets as token-bucket.ts,
// updated atomically by Lua scripts on Redis's own clock (gateway clocks may disagree). Both buckets of a
// key share a hash tag so they live in one cluster slot; keys expire once a bucket would be full again.
import { RedisClient } from "bun";
import type { KeyLimits, RateDecision, RateLimitStore } from "./store.ts";

/** What the store needs from a Redis client: Bun's RedisClient.send, or ioredis `call` wrapped. */
export interface RedisCommander {
  send(command: string, args: string[]): Promise<unknown>;
  close(): void;
}

// KEYS: request bucket, token bucket. ARGV: rpm, tpm (0 = no limit).
// Returns {1} admitted, or {0, 1|2 (requests|tokens), retryAfterMs}.
const ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function level(key, cap)
  local v = redis.call('HMGET', key, 'tokens', 'ts')
  if not v[1] then return cap end
  return math.min(cap, tonumber(v[1]) + math.max(0, now - tonumber(v[2])) * cap / 60000)
end
local rpm = tonumber(ARGV[1])
local tpm = tonumber(ARGV[2])
if tpm > 0 then
  local tl = level(KEYS[2], tpm)
  if tl <= 0 then return {0, 2, math.ceil((1 - tl) * 60000 / tpm)} end
end
if rpm > 0 then
  local rl = level(KEYS[1], rpm)
  if rl < 1 then return {0, 1, math.ceil((1 - rl) * 60000 / rpm)} end
  redis.call('HSET', KEYS[1], 'tokens', tostring(rl - 1), 'ts', tostring(now))
  redis.call('PEXPIRE', KEYS[1], 60000)
end
return {1}
`;

// KEYS: token bucket. ARGV: tpm, tokens used. Debt is capped at one minute's allowance.
const RECORD = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cap = tonumber(ARGV[1])
local v = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local lvl = cap
if v[1] then lvl = math.min(cap, tonumber(v[1]) + math.max(0, now - tonumber(v[2])) * cap / 60000) end
lvl = math.max(-cap, lvl - tonumber(ARGV[2]))
redis.call('HSET', KEYS[1], 'tokens', tostring(lvl), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((cap - lvl) * 60000 / cap) + 1000)
return 1
`;

export interface RedisStoreOptions {
  readonly client: RedisCommander;
  readonly keyPrefix: string;
}

export function createRedisRateLimitStore(options: RedisStoreOptions): RateLimitStore {
  const { client, keyPrefix } = options;
  const shas = new Map<string, string>();

  /** EVALSHA, loading the script on first use or after Redis lost it (restart, SCRIPT FLUSH). */
  async function run(script: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    const sha = shas.get(script);
    const tail = [String(keys.length), ...keys, ...args];
    if (sha !== undefined) {
      try {
        return await client.send("EVALSHA", [sha, ...tail]);
      } catch (error) {
        if (!(error instanceof Error && error.message.startsWith("NOSCRIPT"))) throw error;
      }
    }
    shas.set(script, String(await client.send("SCRIPT", ["LOAD", script])));
    return client.send("EVALSHA", [shas.get(script) as string, ...tail]);
  }

  function keysOf(key: string): [string, string] {
    const tag = `${keyPrefix}{${key}}`;
    return [`${tag}:rpm`, `${tag}:tpm`];
  }

  return {
    acquire: async function acquireRedis(key: string, limits: KeyLimits): Promise<RateDecision> {
      const reply = await run(ACQUIRE, keysOf(key), [String(limits.rpm ?? 0), String(limits.tpm ?? 0)]);
      if (!Array.isArray(reply)) throw new Error(`unexpected rate-limit reply from Redis: ${String(reply)}`);
      if (Number(reply[0]) === 1) return { ok: true };
      return {
        ok: false,
        limit: Number(reply[1]) === 2 ? "tokens" : "requests",
        retryAfterMs: Number(reply[2]),
      };
    },
    recordTokens: async function recordRedis(key: string, tpm: number, tokens: number): Promise<void> {
      await run(RECORD, [keysOf(key)[1]], [String(tpm), String(tokens)]);
    },
    close() {
      client.close();
    },
  };
}

/**
 * Connects Bun's built-in Redis client to `url` (redis:// or rediss://) and builds the store on it. Commands
 * fail at once while disconnected (no offline queue that could grow during an outage; the limiter admits
 * and counts them) and the client reconnects in the background. Resolves after the first connection
 * attempt; a failed one is reported to `onError`, not thrown, so a gateway starts while Redis is down.
 */
export async function connectRedisRateLimitStore(
  url: string,
  keyPrefix: string,
  onError?: (error: Error) => void,
  connectTimeoutMs = 2000,
): Promise<RateLimitStore> {
  const client = new RedisClient(url, { autoReconnect: true, enableOfflineQueue: false });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${connectTimeoutMs} ms`)), connectTimeoutMs);
  });
  try {
    await Promise.race([client.connect(), timedOut]);
  } catch (error) {
    onError?.(
      new Error(`rate-limit store: cannot connect to Redis at ${redactedUrl(url)}`, { cause: error }),
    );
  } finally {
    clearTimeout(timer);
  }
  return createRedisRateLimitStore({ client, keyPrefix });
}

/** The URL without its password, for messages. */
function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== "") parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparsable URL)";
  }
}
