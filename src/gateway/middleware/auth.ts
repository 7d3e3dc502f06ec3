// API-key and admin-key authentication: keys from config (plain or SHA-256), compared in constant time, and
// the per-key model allow-list. Keys are never logged, echoed or kept in plain text after construction.
import { createHash, timingSafeEqual } from "node:crypto";
import type { ApiKeyConfig, AuthConfig } from "../../config/index.ts";
import { errorResponse, modelForbiddenResponse } from "../openai/errors.ts";

/** The identity a request authenticated as: what flow control and usage accounting need. */
export interface AuthenticatedKey {
  readonly name: string;
  /** Models this key may use; null = all. */
  readonly models: readonly string[] | null;
  readonly priority: number;
  readonly rpm: number | null;
  readonly tpm: number | null;
  /** The key's requests may set flow control's priority and fairness headers (auth.api_keys[].trust_flow_headers). */
  readonly canSetFlowHeaders: boolean;
}

export type AuthResult =
  | { readonly ok: true; readonly key: AuthenticatedKey | null }
  | { readonly ok: false; readonly response: Response };

export interface Authenticator {
  /** Client routes; key null means the gateway is open (no API keys configured). */
  authenticate(request: Request): AuthResult;
  /**
   * /admin/*: with auth.admin_key set, only that key passes. Without it, admin is open only on an open
   * gateway (no API keys); once clients need keys, an unset admin key locks /admin rather than opening it.
   */
  authenticateAdmin(request: Request): boolean;
  /** No API keys configured: every client request is accepted. */
  readonly isOpen: boolean;
}

interface StoredKey {
  readonly digest: Buffer;
  readonly identity: AuthenticatedKey;
}

/** Builds the authenticator; plain keys are hashed here so only digests stay in memory. */
export function createAuthenticator(auth: AuthConfig): Authenticator {
  const keys = auth.api_keys.map(toStoredKey);
  const adminDigest = auth.admin_key === undefined ? null : sha256(auth.admin_key);
  const isOpen = keys.length === 0;
  return {
    isOpen,
    authenticate: function authenticate(request: Request): AuthResult {
      if (isOpen) return { ok: true, key: null };
      const tokens = presentedTokens(request);
      if (tokens.length === 0) {
        return {
          ok: false,
          response: errorResponse("gateway_unauthorized", {
            detail: "Missing API key: send it as `Authorization: Bearer <key>` or in the `x-api-key` header.",
          }),
        };
      }
      const match = findKey(keys, tokens);
      if (match === null) return { ok: false, response: errorResponse("gateway_unauthorized") };
      return { ok: true, key: match.identity };
    },
    authenticateAdmin: function authenticateAdmin(request: Request): boolean {
      if (adminDigest === null) return isOpen;
      return presentedTokens(request).some((token) => digestEquals(sha256(token), adminDigest));
    },
  };
}

/** 403 when `key` has an allow-list without `model`; null when the request may proceed. */
export function checkModelAllowed(
  key: AuthenticatedKey | null,
  model: string,
  options: { readonly requestId?: string } = {},
): Response | null {
  if (key === null || key.models === null || key.models.includes(model)) return null;
  return modelForbiddenResponse(model, options);
}

/** Tokens from `Authorization: Bearer` and `x-api-key` (Anthropic SDKs send the latter). */
export function presentedTokens(request: Request): string[] {
  const tokens: string[] = [];
  const authorization = request.headers.get("authorization");
  if (authorization !== null) {
    const match = /^bearer\s+(.+)$/i.exec(authorization.trim());
    if (match?.[1] !== undefined) tokens.push(match[1].trim());
  }
  const apiKey = request.headers.get("x-api-key")?.trim();
  if (apiKey !== undefined && apiKey !== "") tokens.push(apiKey);
  return tokens;
}

/** Compares every token with every key, without an early exit, so timing reveals no position. */
function findKey(keys: readonly StoredKey[], tokens: readonly string[]): StoredKey | null {
  let found: StoredKey | null = null;
  for (const token of tokens) {
    const digest = sha256(token);
    for (const key of keys) {
      if (digestEquals(digest, key.digest) && found === null) found = key;
    }
  }
  return found;
}

/** Both sides are 32-byte SHA-256 digests, so timingSafeEqual never sees a length difference. */
function digestEquals(a: Buffer, b: Buffer): boolean {
  return timingSafeEqual(a, b);
}

function sha256(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

function toStoredKey(config: ApiKeyConfig): StoredKey {
  // The config schema guarantees exactly one of key and key_sha256 (a 64-char lowercase hex string).
  const digest = config.key === undefined ? Buffer.from(config.key_sha256 ?? "", "hex") : sha256(config.key);
  if (digest.length !== 32) throw new Error(`auth key "${config.name}" has no valid key or key_sha256`);
  return {
    digest,
    identity: {
      name: config.name,
      models: config.models === undefined ? null : Object.freeze([...config.models]),
      priority: config.priority,
      rpm: config.rpm ?? null,
      tpm: config.tpm ?? null,
      canSetFlowHeaders: config.trust_flow_headers,
    },
  };
}
