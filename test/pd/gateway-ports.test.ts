import { describe, expect, test } from "bun:test";
import { PdSchema } from "../../src/config/schema/pd.ts";
import type { GatewayContext } from "../../src/gateway/index.ts";
import { PD_CONFIG_DEFAULTS, pdSettingsOf } from "../../src/pd/gateway-ports.ts";

describe("pd settings", () => {
  test("the fallback defaults are the pd: schema's defaults", () => {
    expect(PD_CONFIG_DEFAULTS).toEqual(PdSchema.parse({}));
  });

  test("the context's pd section wins when the composition root passes one", () => {
    const pd = { prefill_timeout_ms: 500, prefill_max_retries: 0, fallback_to_decode_only: false };
    const ctx = { pd } as unknown as GatewayContext;
    expect(pdSettingsOf(ctx)).toMatchObject({
      prefillTimeoutMs: 500,
      prefillMaxRetries: 0,
      isFallbackToDecodeOnly: false,
    });
    expect(pdSettingsOf({} as GatewayContext)).toMatchObject({
      prefillTimeoutMs: 30_000,
      prefillMaxRetries: 1,
    });
  });
});
