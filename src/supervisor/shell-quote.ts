// POSIX shell quoting for printing command lines that can be pasted into a shell as they are.

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one word for sh: unchanged when safe, else single-quoted with ' written as '\''. */
export function shellQuote(word: string): string {
  if (SAFE.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Quotes and joins a command line. */
export function shellJoin(words: readonly string[]): string {
  return words.map(shellQuote).join(" ");
}
