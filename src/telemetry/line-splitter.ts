// Splits a byte stream (a child's stdout or stderr) into lines without unbounded buffering.

/** Longest line kept whole; longer runs are emitted in pieces of this size. */
export const MAX_LINE_CHARS = 16 * 1024;

/**
 * Reads `stream` to its end, calling `onLine` for each line (without the newline, `\r` trimmed).
 * A trailing partial line is emitted at end of stream. Always drains the stream, so a chatty child
 * can never fill the parent's memory through an unread pipe.
 */
export async function forEachLine(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
  maxLineChars: number = MAX_LINE_CHARS,
): Promise<void> {
  const decoder = new TextDecoder("utf-8", { fatal: false });
  let pending = "";
  const emit = (line: string) => onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  for await (const chunk of stream) {
    pending += decoder.decode(chunk, { stream: true });
    let newline = pending.indexOf("\n");
    while (newline !== -1) {
      emit(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf("\n");
    }
    while (pending.length > maxLineChars) {
      emit(pending.slice(0, maxLineChars));
      pending = pending.slice(maxLineChars);
    }
  }
  pending += decoder.decode();
  if (pending !== "") emit(pending);
}
