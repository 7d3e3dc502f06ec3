// `llmux status`: asks a running llmux for its engines (GET /admin/instances with the admin key)
// and prints one table row per instance: model, GPUs, role, state, uptime, restarts, load, last error.
import { z } from "zod";
import type { Config } from "../../config/index.ts";
import { commonSets, type OptionSpecs, parseCommandArgs, UsageError } from "../args.ts";
import { loadConfigForCommand } from "../config-loading.ts";
import { commandUsage } from "../usage.ts";

const OPTIONS = { url: { type: "string" } } as const satisfies OptionSpecs;
const REQUEST_TIMEOUT_MS = 5_000;

export const HELP = commandUsage(
  `Usage: llmux status [--url http://127.0.0.1:8000] [-c config.yaml]

Shows the engines of a running llmux: state, uptime, restarts and in-flight requests.
The address comes from --url, else from the config's gateway.host and gateway.port.
The admin key comes from LLMUX_ADMIN_KEY, else from the config's auth.admin_key.
Exits 1 when llmux cannot be reached or refuses the key.`,
  `Flags:
      --url <url>            base URL of the running llmux gateway`,
);

const InstancesSchema = z.object({
  instances: z.array(
    z.object({
      id: z.string(),
      model: z.string(),
      role: z.string(),
      gpus: z.array(z.number()),
      state: z.string(),
      uptimeMs: z.number(),
      restarts: z.number(),
      inFlight: z.number(),
      lastError: z.string().nullable(),
    }),
  ),
});

type InstanceRow = z.infer<typeof InstancesSchema>["instances"][number];

export async function run(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, OPTIONS);
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const loaded = loadConfigForCommand("status", values, commonSets(values));
  if (typeof loaded === "number") return loaded;
  const base = typeof values.url === "string" ? urlFlag(values.url) : gatewayUrl(loaded.config);
  const fetched = await fetchInstances(base, loaded.config.auth.admin_key);
  if (typeof fetched === "string") {
    process.stderr.write(`llmux status: ${fetched}\n`);
    return 1;
  }
  process.stdout.write(renderStatus(base, fetched));
  return 0;
}

/** The table; exported for tests. */
export function renderStatus(base: string, instances: readonly InstanceRow[]): string {
  const ready = instances.filter((i) => i.state === "ready").length;
  const header = `llmux at ${base}: ${instances.length} instance(s), ${ready} ready\n`;
  if (instances.length === 0) return `${header}no supervised engines (a gateway-only node?)\n`;
  const rows = [
    ["INSTANCE", "MODEL", "GPUS", "ROLE", "STATE", "UPTIME", "RESTARTS", "LOAD", "LAST ERROR"],
    ...instances.map((i) => [
      i.id,
      i.model,
      i.gpus.length === 0 ? "-" : i.gpus.join(","),
      i.role,
      i.state,
      formatUptime(i.uptimeMs),
      String(i.restarts),
      String(i.inFlight),
      i.lastError ?? "-",
    ]),
  ];
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  const lines = rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join("  "),
  );
  return `${header}\n${lines.join("\n")}\n`;
}

/** "-" when no process runs, else the two largest units: 45s, 3m05s, 2h07m, 3d04h. */
export function formatUptime(uptimeMs: number): string {
  if (uptimeMs <= 0) return "-";
  const s = Math.floor(uptimeMs / 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h${pad(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86_400)}d${pad(Math.floor(s / 3600) % 24)}h`;
}

/** The instances, or a one-line reason the running llmux could not tell us. */
async function fetchInstances(base: string, adminKey: string | undefined): Promise<InstanceRow[] | string> {
  const url = `${base}/admin/instances`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: adminKey === undefined ? {} : { authorization: `Bearer ${adminKey}` },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `cannot reach llmux at ${base} (${reason}); is \`llmux up\` running? Point at it with --url or -c`;
  }
  if (response.status === 401) {
    const sent = adminKey === undefined ? "no admin key was sent" : "the admin key was refused";
    return `${base} requires the admin key and ${sent}: set LLMUX_ADMIN_KEY or auth.admin_key in the config`;
  }
  if (response.status !== 200) return `${url} answered HTTP ${response.status}; is this an llmux gateway?`;
  const parsed = InstancesSchema.safeParse(await response.json().catch(() => null));
  if (!parsed.success) return `${url} did not answer with an instance list; is this an llmux gateway?`;
  return parsed.data.instances;
}

function urlFlag(value: string): string {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new UsageError(`--url: expected an http(s) URL, got "${value}"`);
  }
  return value.replace(/\/+$/, "");
}

/** The gateway's own address as a client reaches it: a wildcard listen address means loopback. */
function gatewayUrl(config: Config): string {
  const { host, port } = config.gateway;
  const reachable = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return `http://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}`;
}
