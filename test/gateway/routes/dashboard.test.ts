// GET /dashboard: one self-contained page (no request but /admin/stats), served without the admin
// key, whose inline scripts are exactly the ones its Content-Security-Policy allows by hash.
import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { createTestGateway } from "../app-fixture.ts";

async function dashboard(): Promise<Response> {
  const { app } = createTestGateway({ auth: { admin_key: "admin-secret", api_keys: [] } });
  return app.request(new Request("http://gateway/dashboard"));
}

describe("GET /dashboard", () => {
  test("serves the HTML page without the admin key", async () => {
    const response = await dashboard();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    const html = await response.text();
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).not.toContain("llmux:scripts");
    expect(html.match(/<script>/g)?.length).toBe(3);
  });

  test("references nothing outside the page: no CDN, no fonts, no other origin", async () => {
    const html = await (await dashboard()).text();
    expect(html).not.toMatch(/\s(src|href)\s*=/i);
    expect(html).not.toMatch(/@import|@font-face|url\(/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect([...html.matchAll(/fetch\(([^,)]+)/g)].map((m) => m[1])).toEqual(["url"]);
    expect(html).toContain("`/admin/stats?window_s=");
  });

  test("its CSP allows exactly its inline scripts, by hash, and only same-origin requests", async () => {
    const response = await dashboard();
    const html = await response.text();
    const csp = response.headers.get("content-security-policy") ?? "";
    const hashes = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
      (m) =>
        `'sha256-${createHash("sha256")
          .update(m[1] ?? "")
          .digest("base64")}'`,
    );
    expect(csp).toContain(`script-src ${hashes.join(" ")};`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  test("keeps the key in sessionStorage and sends it as a Bearer token", async () => {
    const html = await (await dashboard()).text();
    expect(html).toContain("sessionStorage.setItem(KEY_STORAGE, key)");
    expect(html).toMatch(/authorization: `Bearer \$\{key\}`/);
    expect(html).not.toContain("localStorage.setItem(KEY_STORAGE");
  });
});
