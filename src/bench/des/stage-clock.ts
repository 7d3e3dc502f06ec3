// Stage timing of a run: schedules each stage's arrivals from its start, and starts the next stage
// either on the ladder's clock or, when draining, once every request of the stage has finished.
import type { Workload, WorkloadRequest } from "../types.ts";

export class StageClock {
  readonly startMs = new Map<number, number>();
  /** Called at each request's arrival time. */
  onArrival: (request: WorkloadRequest) => void = () => {};
  private readonly byStage: WorkloadRequest[][];
  private readonly remaining: number[];
  private finishedStages = 0;

  constructor(
    private readonly workload: Workload,
    private readonly isDraining: boolean,
    private readonly schedule: (atMs: number, run: () => void) => void,
  ) {
    this.byStage = workload.stages.map(() => []);
    for (const request of workload.requests) this.byStage[request.stage]!.push(request);
    this.remaining = this.byStage.map((requests) => requests.length);
  }

  get isFinished(): boolean {
    return this.finishedStages >= this.workload.stages.length;
  }

  start(atMs: number): void {
    if (this.workload.stages.length === 0) return;
    this.startStage(0, atMs);
  }

  /** A request of `stage` finished at `nowMs`. */
  requestDone(stage: number, nowMs: number): void {
    this.remaining[stage]!--;
    if (this.remaining[stage] === 0) this.stageDone(stage, nowMs);
  }

  private startStage(stage: number, atMs: number): void {
    this.startMs.set(stage, atMs);
    const clock = this;
    for (const request of this.byStage[stage]!) {
      this.schedule(atMs + request.offsetMs, function arriveRequest() {
        clock.onArrival(request);
      });
    }
    const durationMs = this.workload.stages[stage]!.durationMs;
    if (!this.isDraining && stage + 1 < this.workload.stages.length) {
      this.schedule(atMs + durationMs, () => this.startStage(stage + 1, atMs + durationMs));
    }
    if (this.remaining[stage] === 0) this.stageDone(stage, atMs);
  }

  private stageDone(stage: number, nowMs: number): void {
    this.finishedStages++;
    if (!this.isDraining || stage + 1 >= this.workload.stages.length) return;
    // The next rung starts when this one has drained, but never before this one's scheduled end.
    const nextMs = Math.max(nowMs, this.startMs.get(stage)! + this.workload.stages[stage]!.durationMs);
    this.schedule(nextMs, () => this.startStage(stage + 1, nextMs));
  }
}
