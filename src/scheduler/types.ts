// Contracts of the scheduler (endpoint picker): what a request looks like to it and what it decides.
import type { EndpointSnapshot } from "../pool/index.ts";

/** The facts about one request that routing may use. Read-only; never mutated by plugins. */
export interface SchedulingRequest {
  readonly requestId: string;
  /** Base model whose engines are candidates. */
  readonly model: string;
  /** LoRA adapter requested, if any. */
  readonly loraName: string | null;
  /** The API route, e.g. /v1/chat/completions. */
  readonly path: string;
  /** The validated request body (unknown fields included). */
  readonly body: Readonly<Record<string, unknown>>;
  readonly headers: Headers;
  /** Rough prompt size in tokens (bytes / 4 until a tokenizer is wired). */
  readonly promptTokenEstimate: number;
}

/** Why an endpoint won: scores per plugin per endpoint, for `x-llmux-route` and /admin/decisions. */
export interface DecisionExplanation {
  readonly profile: string;
  readonly picker: string;
  readonly winner: string;
  /** endpoint id → plugin name → score in [0,1] (weighted total under "total"). */
  readonly scores: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Endpoints removed by filters: endpoint id → filter name. */
  readonly filteredOut: Readonly<Record<string, string>>;
}

export type ScheduleResult =
  | { readonly ok: true; readonly endpoint: EndpointSnapshot; readonly explanation: DecisionExplanation }
  | { readonly ok: false; readonly code: "scheduler_no_endpoints"; readonly message: string };

/** Picks one endpoint among candidates. Synchronous and free of I/O: it reads snapshots only. */
export interface Scheduler {
  schedule(request: SchedulingRequest, candidates: readonly EndpointSnapshot[]): ScheduleResult;
}
