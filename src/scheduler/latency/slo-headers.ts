// The request's latency objectives from headers: x-llmux-slo-ttft-ms / x-llmux-slo-tpot-ms, with llm-d's
// x-llm-d-slo-* names accepted too (the llmux name wins when both are sent).

export const SLO_TTFT_HEADERS = ["x-llmux-slo-ttft-ms", "x-llm-d-slo-ttft-ms"] as const;
export const SLO_TPOT_HEADERS = ["x-llmux-slo-tpot-ms", "x-llm-d-slo-tpot-ms"] as const;

export interface SloHeaders {
  readonly ttftMs: number | null;
  readonly tpotMs: number | null;
}

export type ParsedSloHeaders =
  | ({ readonly ok: true } & SloHeaders)
  | { readonly ok: false; readonly header: string; readonly message: string };

/** Longest objective accepted, ms (one hour). */
const MAX_SLO_MS = 3_600_000;

/** For the gateway's boundary: a present but malformed header is an error to answer with 400. */
export function parseSloHeaders(headers: Headers): ParsedSloHeaders {
  const ttft = firstValue(headers, SLO_TTFT_HEADERS);
  const tpot = firstValue(headers, SLO_TPOT_HEADERS);
  for (const found of [ttft, tpot]) {
    if (found !== null && found.value === null) {
      return { ok: false, header: found.header, message: `must be a number of ms in (0, ${MAX_SLO_MS}]` };
    }
  }
  return { ok: true, ttftMs: ttft?.value ?? null, tpotMs: tpot?.value ?? null };
}

/** For plugins, which cannot reject: a malformed header counts as absent (the gateway rejects it first). */
export function sloHeadersOf(headers: Headers): SloHeaders {
  const parsed = parseSloHeaders(headers);
  return parsed.ok ? parsed : { ttftMs: null, tpotMs: null };
}

function firstValue(
  headers: Headers,
  names: readonly string[],
): { readonly header: string; readonly value: number | null } | null {
  for (const header of names) {
    const raw = headers.get(header);
    if (raw === null) continue;
    const value = /^\s*\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : Number.NaN;
    return { header, value: value > 0 && value <= MAX_SLO_MS ? value : null };
  }
  return null;
}
