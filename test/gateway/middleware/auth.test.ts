// API keys (bearer and x-api-key, plain and SHA-256), the model allow-list, and the admin-key rule,
// both on the authenticator and through the front-door test app.
import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { AuthSchema } from "../../../src/config/schema/auth.ts";
import {
  checkModelAllowed,
  createAuthenticator,
  presentedTokens,
} from "../../../src/gateway/middleware/auth.ts";
import { createTestApp, jsonPost } from "../openai/gateway-test-app.ts";

const ALICE_KEY = "sk-alice-0123456789";
const BOB_KEY = "sk-bob-9876543210";
const ADMIN_KEY = "admin-key-secret-1";

const AUTH = {
  api_keys: [
    { name: "alice", key: ALICE_KEY, models: ["llama"], rpm: 60, priority: 5 },
    { name: "bob", key_sha256: createHash("sha256").update(BOB_KEY).digest("hex"), tpm: 1000 },
  ],
  admin_key: ADMIN_KEY,
};

function request(headers: Record<string, string>, path = "/v1/chat/completions"): Request {
  return new Request(`http://gateway.test${path}`, { method: "POST", headers });
}

function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

async function errorOf(response: Response) {
  const body = (await response.json()) as { error: { code: string; message: string; type: string } };
  return { status: response.status, ...body.error };
}

describe("createAuthenticator", () => {
  const authenticator = createAuthenticator(AuthSchema.parse(AUTH));

  test("is closed when API keys are configured", () => {
    expect(authenticator.isOpen).toBe(false);
  });

  test("accepts a plain key as a bearer token and returns its identity", () => {
    const result = authenticator.authenticate(request(bearer(ALICE_KEY)));
    expect(result).toEqual({
      ok: true,
      key: { name: "alice", models: ["llama"], priority: 5, rpm: 60, tpm: null, canSetFlowHeaders: false },
    });
  });

  test("accepts a key configured by its SHA-256", () => {
    const result = authenticator.authenticate(request(bearer(BOB_KEY)));
    expect(result.ok && result.key?.name).toBe("bob");
    expect(result.ok && result.key).toMatchObject({ models: null, priority: 0, rpm: null, tpm: 1000 });
  });

  test("accepts the key in x-api-key, as Anthropic SDKs send it", () => {
    const result = authenticator.authenticate(request({ "x-api-key": ALICE_KEY }, "/v1/messages"));
    expect(result.ok && result.key?.name).toBe("alice");
  });

  test("accepts any casing of the Bearer scheme", () => {
    expect(authenticator.authenticate(request({ authorization: `bearer  ${ALICE_KEY}` })).ok).toBe(true);
  });

  test.each([
    ["no credentials", {}, "Missing API key"],
    ["a wrong key", bearer("sk-wrong-000000000"), "Invalid API key."],
    ["a prefix of a real key", bearer(ALICE_KEY.slice(0, -1)), "Invalid API key."],
    ["a real key plus a suffix", bearer(`${ALICE_KEY}x`), "Invalid API key."],
    [
      "the key_sha256 itself as the token",
      bearer(createHash("sha256").update(BOB_KEY).digest("hex")),
      "Invalid API key.",
    ],
    ["the admin key", bearer(ADMIN_KEY), "Invalid API key."],
    ["a Basic credential", { authorization: `Basic ${btoa(`u:${ALICE_KEY}`)}` }, "Missing API key"],
    ["an empty bearer", { authorization: "Bearer " }, "Missing API key"],
  ] as const)("refuses %s with 401", async (_name, headers, message) => {
    const result = authenticator.authenticate(request(headers));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const error = await errorOf(result.response);
    expect(error).toMatchObject({ status: 401, code: "gateway_unauthorized", type: "authentication_error" });
    expect(error.message).toStartWith(message);
    expect(result.response.headers.get("www-authenticate")).toContain("Bearer");
  });

  test("never echoes the presented key", async () => {
    const result = authenticator.authenticate(request(bearer("sk-leaked-token-123")));
    if (result.ok) throw new Error("expected a refusal");
    expect(await result.response.text()).not.toContain("sk-leaked-token-123");
  });

  test("admin requires the admin key when it is set", () => {
    expect(authenticator.authenticateAdmin(request(bearer(ADMIN_KEY), "/admin/state"))).toBe(true);
    expect(authenticator.authenticateAdmin(request({}, "/admin/state"))).toBe(false);
    expect(authenticator.authenticateAdmin(request(bearer(ALICE_KEY), "/admin/state"))).toBe(false);
    expect(authenticator.authenticateAdmin(request(bearer(`${ADMIN_KEY}!`), "/admin/state"))).toBe(false);
  });
});

describe("the open gateway and the admin rule", () => {
  test("with no keys at all, clients and admin are open", () => {
    const authenticator = createAuthenticator(AuthSchema.parse({}));
    expect(authenticator.isOpen).toBe(true);
    expect(authenticator.authenticate(request({}))).toEqual({ ok: true, key: null });
    expect(authenticator.authenticateAdmin(request({}, "/admin/state"))).toBe(true);
  });

  test("with an admin key but no API keys, clients are open and admin is not", () => {
    const authenticator = createAuthenticator(AuthSchema.parse({ admin_key: ADMIN_KEY }));
    expect(authenticator.authenticate(request({})).ok).toBe(true);
    expect(authenticator.authenticateAdmin(request({}, "/admin/state"))).toBe(false);
    expect(authenticator.authenticateAdmin(request(bearer(ADMIN_KEY), "/admin/state"))).toBe(true);
  });

  test("with API keys but no admin key, admin is locked, even for client keys", () => {
    const authenticator = createAuthenticator(AuthSchema.parse({ api_keys: AUTH.api_keys }));
    expect(authenticator.authenticateAdmin(request({}, "/admin/state"))).toBe(false);
    expect(authenticator.authenticateAdmin(request(bearer(ALICE_KEY), "/admin/state"))).toBe(false);
  });
});

describe("checkModelAllowed", () => {
  const key = {
    name: "alice",
    models: ["llama"],
    priority: 0,
    rpm: null,
    tpm: null,
    canSetFlowHeaders: false,
  };

  test("lets an open gateway and an unrestricted key use any model", () => {
    expect(checkModelAllowed(null, "anything")).toBeNull();
    expect(checkModelAllowed({ ...key, models: null }, "anything")).toBeNull();
  });

  test("lets a key use a listed model", () => {
    expect(checkModelAllowed(key, "llama")).toBeNull();
  });

  test("answers an unlisted model with 403", async () => {
    const response = checkModelAllowed(key, "qwen", { requestId: "r1" });
    if (response === null) throw new Error("expected a 403");
    expect(response.headers.get("x-request-id")).toBe("r1");
    expect(await errorOf(response)).toMatchObject({
      status: 403,
      code: "gateway_model_forbidden",
      type: "permission_error",
    });
  });
});

describe("presentedTokens", () => {
  test("collects the bearer token and x-api-key, trimmed", () => {
    expect(presentedTokens(request({ authorization: "Bearer  a b ", "x-api-key": " k " }))).toEqual([
      "a b",
      "k",
    ]);
  });
});

describe("auth through the front door", () => {
  const app = createTestApp({ auth: AUTH });
  const chat = (headers: Record<string, string>, model = "llama") =>
    app.request(
      "/v1/chat/completions",
      jsonPost({ model, messages: [{ role: "user", content: "hi" }] }, headers),
    );

  test("no key: 401", async () => {
    expect(await errorOf(await chat({}))).toMatchObject({ status: 401, code: "gateway_unauthorized" });
  });

  test("wrong key: 401", async () => {
    expect(await errorOf(await chat(bearer("sk-nope-12345678")))).toMatchObject({ status: 401 });
  });

  test("right key: the request goes through with the key's name", async () => {
    const response = await chat(bearer(ALICE_KEY));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { keyName: string }).keyName).toBe("alice");
  });

  test("key_sha256: the request goes through", async () => {
    expect((await chat(bearer(BOB_KEY), "qwen")).status).toBe(200);
  });

  test("key not allowed for the model: 403", async () => {
    expect(await errorOf(await chat(bearer(ALICE_KEY), "qwen"))).toMatchObject({
      status: 403,
      code: "gateway_model_forbidden",
    });
  });

  test("auth runs before the body is read: a bad body without a key is a 401", async () => {
    const response = await app.request("/v1/chat/completions", jsonPost("{not json"));
    expect(response.status).toBe(401);
  });

  test("admin path without the admin key: 401 gateway_admin_unauthorized", async () => {
    const response = await app.request("/admin/state", { headers: bearer(ALICE_KEY) });
    expect(await errorOf(response)).toMatchObject({ status: 401, code: "gateway_admin_unauthorized" });
  });

  test("admin path with the admin key: 200", async () => {
    const response = await app.request("/admin/state", { headers: bearer(ADMIN_KEY) });
    expect(response.status).toBe(200);
  });
});
