// Per-decision scratch space: producers write typed data once, filters and scorers read it.
import type { CycleState, DataKey } from "./types.ts";

/** One per decision; owned by the scheduler and handed to every plugin of that decision. */
export class MapCycleState implements CycleState {
  private readonly values = new Map<DataKey<unknown>, unknown>();

  get<T>(key: DataKey<T>): T | undefined {
    return this.values.get(key) as T | undefined;
  }

  set<T>(key: DataKey<T>, value: T): void {
    this.values.set(key, value);
  }
}
