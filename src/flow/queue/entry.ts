// A queued request as admission holds it: the policy-visible item plus its heap positions and the
// callbacks that settle its promise.
import type { AdmissionRequest, AdmitResult, QueuedItem } from "../types.ts";

export class QueueEntry implements QueuedItem {
  /** Position in its flow's ordering heap (-1 when out). */
  flowIndex = -1;
  /** Position in the controller's deadline heap (-1 when out). */
  deadlineIndex = -1;
  isSettled = false;
  /** Detaches the abort listener; set when one was attached. */
  detach: () => void = () => {};

  constructor(
    readonly request: AdmissionRequest,
    readonly enqueuedAtMs: number,
    readonly deadlineMs: number,
    readonly seq: number,
    readonly settle: (result: AdmitResult) => void,
  ) {}
}
