// Who a request is for flow control: its priority and fairness id, from the API key by default and from
// the configured headers only when the caller decided the source is trusted (a configured key or network;
// llm-d §4: these headers must come from a trusted upstream, never from clients).

export interface FlowIdentityInput {
  /** The authenticated key, or null on an open gateway. */
  readonly key: { readonly name: string; readonly priority: number } | null;
  readonly headers: Headers;
  /** The gateway's trust decision for this request's source. */
  readonly isTrusted: boolean;
  readonly priorityHeader: string;
  readonly fairnessHeader: string;
  readonly defaultFairnessId: string;
}

export type FlowIdentity =
  | { readonly ok: true; readonly priority: number; readonly fairnessId: string }
  | { readonly ok: false; readonly header: string; readonly message: string };

/** Priorities outside this range are rejected (the same bound as api_keys[].priority). */
export const MAX_PRIORITY = 1000;
const MAX_FAIRNESS_ID_CHARS = 128;

/** Resolves priority and fairness id; a trusted but malformed header is an error, never ignored. */
export function resolveFlowIdentity(input: FlowIdentityInput): FlowIdentity {
  let priority = input.key?.priority ?? 0;
  let fairnessId = input.key?.name ?? input.defaultFairnessId;
  if (!input.isTrusted) return { ok: true, priority, fairnessId };
  const rawPriority = input.headers.get(input.priorityHeader);
  if (rawPriority !== null) {
    const value = /^[+-]?\d{1,4}$/.test(rawPriority.trim()) ? Number(rawPriority.trim()) : Number.NaN;
    if (!(Math.abs(value) <= MAX_PRIORITY)) {
      return {
        ok: false,
        header: input.priorityHeader,
        message: `must be an integer from -${MAX_PRIORITY} to ${MAX_PRIORITY}`,
      };
    }
    priority = value;
  }
  const rawFairness = input.headers.get(input.fairnessHeader);
  if (rawFairness !== null) {
    const value = rawFairness.trim();
    if (value === "" || value.length > MAX_FAIRNESS_ID_CHARS) {
      return {
        ok: false,
        header: input.fairnessHeader,
        message: `must be 1 to ${MAX_FAIRNESS_ID_CHARS} characters`,
      };
    }
    fairnessId = value;
  }
  return { ok: true, priority, fairnessId };
}
