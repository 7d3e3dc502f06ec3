// GPU discovery: nvidia-smi's CSV query, filtered by CUDA_VISIBLE_DEVICES. Never throws: a host
// without GPUs is a normal outcome, described by the report string.
import type { Gpu, GpuDiscovery } from "./types.ts";

export const NVIDIA_SMI_ARGS = [
  "--query-gpu=index,uuid,name,memory.total,memory.used",
  "--format=csv,noheader,nounits",
] as const;

export interface DiscoverGpusOptions {
  /** Environment to read PATH and CUDA_VISIBLE_DEVICES from; process.env by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly timeoutMs?: number;
}

/** Parses `nvidia-smi --query-gpu=index,uuid,name,memory.total,memory.used --format=csv,noheader,nounits`. */
export function parseNvidiaSmiCsv(text: string): { gpus: Gpu[]; badLines: string[] } {
  const gpus: Gpu[] = [];
  const badLines: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    const fields = line.split(",").map((field) => field.trim());
    // A GPU name may contain a comma; index and uuid lead and the two memory fields close the line.
    const index = Number(fields[0]);
    const uuid = fields[1] ?? "";
    if (fields.length < 5 || !Number.isInteger(index) || index < 0 || uuid === "") {
      badLines.push(line);
      continue;
    }
    gpus.push({
      index,
      uuid,
      name: fields.slice(2, -2).join(", "),
      memoryTotalMiB: mebibytes(fields.at(-2)),
      memoryUsedMiB: mebibytes(fields.at(-1)),
    });
  }
  return { gpus, badLines };
}

/**
 * Keeps the GPUs CUDA_VISIBLE_DEVICES names, in its order, as CUDA does: entries are indices or
 * (prefixes of) UUIDs; an entry that matches nothing ends the list; "" hides every GPU.
 * Indices are read as nvidia-smi indices, which is why engines get CUDA_DEVICE_ORDER=PCI_BUS_ID.
 */
export function applyCudaVisibleDevices(
  gpus: readonly Gpu[],
  value: string | undefined,
): { gpus: Gpu[]; note: string | null } {
  if (value === undefined) return { gpus: [...gpus], note: null };
  const visible: Gpu[] = [];
  for (const entry of value.split(",").map((part) => part.trim())) {
    if (entry === "") break;
    const gpu = /^\d+$/.test(entry)
      ? gpus.find((candidate) => candidate.index === Number(entry))
      : uniqueUuidMatch(gpus, entry);
    if (gpu === undefined) {
      return {
        gpus: visible,
        note: `CUDA_VISIBLE_DEVICES entry "${entry}" matches no GPU; CUDA ignores it and the rest`,
      };
    }
    if (!visible.includes(gpu)) visible.push(gpu);
  }
  return { gpus: visible, note: `CUDA_VISIBLE_DEVICES=${value}` };
}

/** Runs nvidia-smi (found on PATH) with a timeout and returns the visible GPUs and a report. */
export async function discoverGpus(options: DiscoverGpusOptions = {}): Promise<GpuDiscovery> {
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const command = Bun.which("nvidia-smi", { PATH: env.PATH ?? "" });
  if (command === null) return { gpus: [], report: "no GPUs: nvidia-smi is not on PATH" };
  const result = await runWithTimeout([command, ...NVIDIA_SMI_ARGS], env, timeoutMs);
  if (result.kind === "timeout")
    return { gpus: [], report: `no GPUs: nvidia-smi did not answer within ${timeoutMs} ms` };
  if (result.kind === "spawn-error")
    return { gpus: [], report: `no GPUs: nvidia-smi could not run (${result.message})` };
  if (result.exitCode !== 0) {
    const reason = firstLine(result.stderr) ?? firstLine(result.stdout) ?? "no output";
    return { gpus: [], report: `no GPUs: nvidia-smi exited with code ${result.exitCode} (${reason})` };
  }
  const parsed = parseNvidiaSmiCsv(result.stdout);
  const filtered = applyCudaVisibleDevices(parsed.gpus, env.CUDA_VISIBLE_DEVICES);
  return { gpus: filtered.gpus, report: discoveryReport(parsed.gpus.length, filtered, parsed.badLines) };
}

function discoveryReport(
  total: number,
  filtered: { gpus: Gpu[]; note: string | null },
  badLines: string[],
): string {
  const parts = [
    filtered.gpus.length === 0
      ? `no GPUs visible (nvidia-smi listed ${total})`
      : `${filtered.gpus.length} GPU(s): ${filtered.gpus.map((gpu) => `${gpu.index} ${gpu.name}`).join("; ")}`,
  ];
  if (filtered.note !== null) parts.push(filtered.note);
  if (badLines.length > 0)
    parts.push(`${badLines.length} unparsable nvidia-smi line(s), first: "${badLines[0]}"`);
  return parts.join("; ");
}

type RunResult =
  | { kind: "exited"; exitCode: number; stdout: string; stderr: string }
  | { kind: "timeout" }
  | { kind: "spawn-error"; message: string };

async function runWithTimeout(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  timeoutMs: number,
): Promise<RunResult> {
  let child: ReturnType<typeof Bun.spawn<"ignore", "pipe", "pipe">>;
  try {
    child = Bun.spawn([...argv], {
      env: { ...env },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      timeout: timeoutMs,
      killSignal: "SIGKILL",
    });
  } catch (error) {
    // Converted: discovery reports failures instead of throwing (see GpuDiscovery).
    return { kind: "spawn-error", message: error instanceof Error ? error.message : String(error) };
  }
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (child.signalCode === "SIGKILL") return { kind: "timeout" };
  return { kind: "exited", exitCode, stdout, stderr };
}

function uniqueUuidMatch(gpus: readonly Gpu[], prefix: string): Gpu | undefined {
  const matches = gpus.filter((gpu) => gpu.uuid.startsWith(prefix));
  return matches.length === 1 ? matches[0] : undefined;
}

function mebibytes(field: string | undefined): number | null {
  const value = Number(field);
  return field === undefined || field === "" || !Number.isFinite(value) ? null : value;
}

function firstLine(text: string): string | undefined {
  return text
    .split("\n")
    .find((line) => line.trim() !== "")
    ?.trim();
}
