// Token-level scanning of Prometheus text lines: names, blanks, escapes and float values, with an
// allocation-free fast path for the integer-valued samples (`12.0`, bucket counts) that fill a vLLM page.

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// 15 digits stay below 2^53, so the running integer is exact.
const MAX_FAST_DIGITS = 15;

/** The number written in text[start, end): decimal, exponent, `NaN`, `+Inf`, `-Inf`; null when invalid. */
export function parseValue(text: string, start: number, end: number): number | null {
  if (start >= end) return null;
  let pos = start;
  let code = text.charCodeAt(pos);
  const isNegative = code === 45;
  if (isNegative || code === 43) pos++;
  let integer = 0;
  let digits = 0;
  while (pos < end) {
    code = text.charCodeAt(pos);
    if (code < 48 || code > 57) break;
    integer = integer * 10 + (code - 48);
    digits++;
    pos++;
  }
  if (digits > 0 && digits <= MAX_FAST_DIGITS) {
    if (pos === end) return isNegative ? -integer : integer;
    if (code === 46) {
      let after = pos + 1;
      while (after < end && text.charCodeAt(after) === 48) after++;
      if (after === end) return isNegative ? -integer : integer;
    }
  }
  return parseSlow(text.slice(start, end));
}

function parseSlow(token: string): number | null {
  if (DECIMAL.test(token)) return Number(token);
  // Go's strconv.ParseFloat, which Prometheus uses, accepts these spellings in any case.
  switch (token.toLowerCase()) {
    case "nan":
    case "+nan":
    case "-nan":
      return Number.NaN;
    case "inf":
    case "+inf":
    case "infinity":
    case "+infinity":
      return Number.POSITIVE_INFINITY;
    case "-inf":
    case "-infinity":
      return Number.NEGATIVE_INFINITY;
    default:
      return null;
  }
}

/** True when a metric name ending at `pos` is complete: the line ends or labels or blanks follow. */
export function isNameEnd(text: string, pos: number, end: number): boolean {
  if (pos >= end) return pos === end;
  const code = text.charCodeAt(pos);
  return code === 123 || code === 32 || code === 9;
}

/** Label values escape `\\`, `\"` and `\n`; any other escape is kept as written. */
export function unescapeLabel(raw: string): string {
  return raw.replace(/\\([\\"n])/g, (_match, char: string) => (char === "n" ? "\n" : char));
}

/** HELP text escapes only `\\` and `\n`. */
export function unescapeHelp(raw: string): string {
  return raw.replace(/\\([\\n])/g, (_match, char: string) => (char === "n" ? "\n" : char));
}

export function skipBlanks(text: string, pos: number, end: number): number {
  while (pos < end) {
    const code = text.charCodeAt(pos);
    if (code !== 32 && code !== 9) break;
    pos++;
  }
  return pos;
}

export function scanToken(text: string, pos: number, end: number): number {
  while (pos < end) {
    const code = text.charCodeAt(pos);
    if (code === 32 || code === 9) break;
    pos++;
  }
  return pos;
}

/** End of a metric or label name `[a-zA-Z_:][a-zA-Z0-9_:]*` starting at `pos` (== pos when none). */
export function scanName(text: string, pos: number, end: number): number {
  const first = pos;
  while (pos < end) {
    const code = text.charCodeAt(pos);
    const isLetter = (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || code === 58;
    if (!isLetter && (pos === first || code < 48 || code > 57)) break;
    pos++;
  }
  return pos;
}
