// The dashboard in a real browser: Debian's chromium loads /dashboard of a running `llmux up` with three
// sims, is asked for the admin key, shows every engine, and its numbers move while load flows. A
// full-page screenshot is saved to a temporary folder (its path is printed).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { type LlmuxProcess, startLlmux } from "../harness/llmux-process.ts";
import { type Browser, launchChromium } from "./browser.ts";

const ADMIN_KEY = "dashboard-admin-key";
const ENGINES = 3;
/** A system prompt per client, so each client's later requests hit one engine's prefix cache. */
const system = (client: number) => `Client ${client}: you are a terse assistant. `.repeat(12);

let llmux: LlmuxProcess;
let browser: Browser;
beforeAll(async () => {
  llmux = await startLlmux({
    engines: [
      {
        model: "e2e-model",
        replicas: ENGINES,
        extra_args: ["--sim-profile", "tiny-cpu", "--enable-prompt-tokens-details"],
      },
    ],
    config: { auth: { admin_key: ADMIN_KEY } },
  });
  browser = await launchChromium();
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await llmux?.stop();
});

/** One streamed chat completion, read to the end; returns the HTTP status. */
async function chat(client: number, i: number): Promise<number> {
  const response = await fetch(`${llmux.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: "e2e-model",
      stream: true,
      max_tokens: 24,
      ignore_eos: true,
      messages: [
        { role: "system", content: system(client) },
        { role: "user", content: `Question number ${i}: what is ${i} squared?` },
      ],
    }),
  });
  await response.text();
  return response.status;
}

/** `workers` clients sending back to back for `durationMs`; bounded in time and count. */
async function sendLoad(workers: number, durationMs: number, maxRequests = 2000): Promise<number[]> {
  const statuses: number[] = [];
  const deadline = Date.now() + durationMs;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; Date.now() < deadline && statuses.length < maxRequests; i++) {
        statuses.push(await chat(w, i));
      }
    }),
  );
  return statuses;
}

async function servedTotal(page: Page): Promise<number> {
  const cells = await page.locator('#engines td[data-field="served"]').allTextContents();
  return cells.reduce((sum, text) => sum + Number(text), 0);
}

describe("GET /dashboard in chromium", () => {
  test("asks for the admin key, shows every engine and live numbers under load", async () => {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    page.on("console", (message) => {
      // The first poll goes out without a key; its 401 is what makes the page ask for one.
      if (message.type() === "error" && !message.text().includes("401")) problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));

    await page.goto(`${llmux.url}/dashboard`);
    await page.locator("#auth-key").waitFor({ state: "visible", timeout: 10_000 });
    await page.locator("#auth-key").fill(ADMIN_KEY);
    await page.locator("#auth-form button").click();

    // Supervised engines are listed from the start; wait until every one is ready.
    await page.waitForFunction(
      (count) => {
        const pills = [...document.querySelectorAll("#engines .pill")];
        return pills.length === count && pills.every((pill) => pill.textContent === "ready");
      },
      ENGINES,
      { timeout: 30_000 },
    );
    const ids = await page
      .locator("#engines tr[data-engine-id]")
      .evaluateAll((rows) => rows.map((row) => row.getAttribute("data-engine-id")));
    const instances = (await (
      await fetch(`${llmux.url}/admin/instances`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })
    ).json()) as { instances: { id: string }[] };
    expect(ids.sort()).toEqual(instances.instances.map((i) => i.id).sort());
    expect(await servedTotal(page)).toBe(0);
    expect(await page.locator('[data-kpi="rps"] .value').textContent()).toBe("0/s");

    await page.locator('#window button[data-window="60"]').click();
    const statuses = await sendLoad(4, 8_000);
    expect(statuses.length).toBeGreaterThan(10);
    expect(statuses.every((s) => s === 200)).toBe(true);

    await page.waitForFunction(
      (sent) => {
        const cells = [...document.querySelectorAll('#engines td[data-field="served"]')];
        return cells.reduce((sum, cell) => sum + Number(cell.textContent), 0) === sent;
      },
      statuses.length,
      { timeout: 10_000 },
    );
    expect(await servedTotal(page)).toBe(statuses.length);
    expect(await page.locator('[data-kpi="rps"] .value').textContent()).not.toBe("0/s");
    expect(await page.locator('[data-kpi="ttft"] .value').textContent()).toMatch(/\d+(\.\d+)? m?s$/);
    expect(await page.locator("#decisions .decision").count()).toBeGreaterThan(0);
    expect(await page.locator("#pd").textContent()).toContain("Not configured");

    // A little more traffic while the screenshot is taken, so the charts' right edge is live.
    const tail = sendLoad(2, 2_500);
    await Bun.sleep(2_000);
    const folder = mkdtempSync(join(tmpdir(), "llmux-dashboard-"));
    const path = join(folder, "dashboard.png");
    await page.screenshot({ path, fullPage: true });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: join(folder, "dashboard-dark.png"), fullPage: true });
    console.log(`dashboard screenshots: ${path} and dashboard-dark.png beside it`);
    await tail;
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);
});
