// The last lines an engine printed: shown as loading progress and attached to crash reports.

export interface OutputTail {
  push(line: string): void;
  /** Oldest first. */
  lines(): string[];
  last(): string | null;
  clear(): void;
}

export function createOutputTail(maxLines = 20): OutputTail {
  let buffer: string[] = [];
  return {
    push(line) {
      buffer.push(line);
      if (buffer.length > maxLines) buffer = buffer.slice(-maxLines);
    },
    lines: () => [...buffer],
    last: () => buffer.at(-1) ?? null,
    clear() {
      buffer = [];
    },
  };
}
