// GET /dashboard: the live dashboard, one self-contained page (inline CSS and scripts, no external
// requests) embedded in the binary. The page is static; it reads /admin/stats with the admin key.
import { createHash } from "node:crypto";
import type { Hono } from "hono";
import page from "../dashboard/dashboard.html" with { type: "text" };
import appScript from "../dashboard/dashboard-app.html" with { type: "text" };
import libScript from "../dashboard/dashboard-lib.html" with { type: "text" };
import tablesScript from "../dashboard/dashboard-tables.html" with { type: "text" };

const SCRIPTS_MARKER = "<!-- llmux:scripts -->";

/** The page as served: the scripts are kept in their own files for review and joined once at load. */
export const DASHBOARD_HTML = asText(page).replace(SCRIPTS_MARKER, () =>
  [libScript, tablesScript, appScript].map(asText).join(""),
);

/**
 * Only the page's own inline scripts may run (by hash, so no 'unsafe-inline' for scripts); styles
 * stay inline because bars and charts are sized with style attributes. The page may talk only to
 * this origin, and nothing may frame it (the admin key is typed into it).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${scriptHashes(DASHBOARD_HTML)}`,
  "style-src 'unsafe-inline'",
  "connect-src 'self'",
  "img-src data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/html; charset=utf-8",
  "cache-control": "no-cache",
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

export function registerDashboardRoutes(app: Hono): void {
  app.get("/dashboard", () => new Response(DASHBOARD_HTML, { headers: HEADERS }));
}

/**
 * bun-types declares `*.html` imports as HTML bundles (for Bun.serve routes); with `type: "text"`
 * Bun hands over the file's text, which this checks rather than casts.
 */
function asText(imported: unknown): string {
  if (typeof imported !== "string") throw new Error("dashboard asset was not imported as text");
  return imported;
}

/** CSP source list of the sha256 of every inline `<script>` body (CSP Level 3 §8.1 hash-source). */
function scriptHashes(html: string): string {
  const blocks = html.matchAll(/<script>([\s\S]*?)<\/script>/g);
  const hashes = [...blocks].map(
    (m) =>
      `'sha256-${createHash("sha256")
        .update(m[1] ?? "")
        .digest("base64")}'`,
  );
  return hashes.length === 0 ? "'none'" : hashes.join(" ");
}
