// What admission has let through per model and not yet seen released. Detectors add it to the snapshot's
// in-flight load: a request admitted a moment ago is not yet leased on any endpoint.
import type { DispatchLedgerView } from "./types.ts";

export class DispatchLedger implements DispatchLedgerView {
  requests = 0;
  tokens = 0;

  admit(tokens: number): void {
    this.requests++;
    this.tokens += tokens;
  }

  release(tokens: number): void {
    this.requests = Math.max(0, this.requests - 1);
    this.tokens = Math.max(0, this.tokens - tokens);
  }
}
