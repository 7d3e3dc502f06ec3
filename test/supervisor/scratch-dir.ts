// Temporary directories for supervisor tests, under one root that each test file removes in afterAll.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let root: string | null = null;

/** A fresh empty directory under this run's root. */
export function scratchDir(): string {
  root ??= mkdtempSync(join(tmpdir(), "llmux-supervisor-test-"));
  return mkdtempSync(join(root, "d-"));
}

/** Deletes every scratch directory made so far; call from afterAll. */
export function removeScratchDirs(): void {
  if (root !== null) rmSync(root, { recursive: true, force: true });
  root = null;
}
