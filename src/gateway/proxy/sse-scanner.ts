// Incremental SSE framing for the relay: finds complete events in upstream chunks, parses their
// `data:` payloads for accounting, and hands the bytes to relay back unchanged, minus dropped events.
import { classifySseEvent, usageOfEvent } from "./sse-event.ts";
import type { UpstreamUsage } from "./types.ts";

export interface SseScanSink {
  /** Bytes for the client, in order: the pushed chunk itself or subarrays of it (no copies). */
  relay(bytes: Uint8Array): void;
  /** A content event completed (see classifySseEvent). */
  content(): void;
}

export interface SseScanner {
  /** Scans one upstream chunk; complete events are relayed, an incomplete last event is held. */
  push(chunk: Uint8Array): void;
  /** Bytes of the incomplete event held back (relaying them could cut a JSON line in half). */
  pendingBytes(): number;
  /** Hands over the held bytes (at upstream end) and forgets them. */
  takePending(): Uint8Array | null;
  /** `data: [DONE]` was seen. */
  hasSeenDone(): boolean;
  /** Usage folded from every event so far. */
  usage(): UpstreamUsage | null;
}

const LF = 0x0a;
const CR = 0x0d;
const DATA_FIELD = [0x64, 0x61, 0x74, 0x61, 0x3a]; // "data:"
const SPACE = 0x20;
const DONE_DATA = "[DONE]";

export interface SseScannerOptions {
  /** Drop the usage-only chunk (`choices: []` + `usage`) the gateway asked for on the client's behalf. */
  readonly isUsageOnlyDropped: boolean;
}

export function createSseScanner(options: SseScannerOptions, sink: SseScanSink): SseScanner {
  const decoder = new TextDecoder();
  let carry: Uint8Array | null = null;
  // The `data` of the event being scanned; multi-line data joins with "\n" (WHATWG SSE §9.2.6).
  let eventData: string | null = null;
  let isDoneSeen = false;
  let usage: UpstreamUsage | null = null;

  function push(chunk: Uint8Array): void {
    // An event split across chunks is rescanned from its start; vLLM writes whole events, so this
    // copy happens only when TCP splits one.
    const buffer = carry === null ? chunk : concatBytes(carry, chunk);
    carry = null;
    eventData = null;
    let relayFrom = 0;
    let eventStart = 0;
    let lineStart = 0;
    for (let lf = buffer.indexOf(LF); lf !== -1; lf = buffer.indexOf(LF, lineStart)) {
      const lineEnd = lf > lineStart && buffer[lf - 1] === CR ? lf - 1 : lf;
      if (lineEnd === lineStart) {
        if (!endEvent()) {
          relayRange(buffer, relayFrom, eventStart);
          relayFrom = lf + 1;
        }
        eventStart = lf + 1;
      } else if (isDataLine(buffer, lineStart, lineEnd)) {
        addData(buffer, lineStart + DATA_FIELD.length, lineEnd);
      }
      lineStart = lf + 1;
    }
    relayRange(buffer, relayFrom, eventStart);
    if (eventStart < buffer.length) carry = buffer.slice(eventStart);
  }

  function relayRange(buffer: Uint8Array, from: number, to: number): void {
    if (to <= from) return;
    sink.relay(from === 0 && to === buffer.length ? buffer : buffer.subarray(from, to));
  }

  function addData(buffer: Uint8Array, from: number, to: number): void {
    const start = buffer[from] === SPACE ? from + 1 : from;
    const text = decoder.decode(buffer.subarray(start, to));
    eventData = eventData === null ? text : `${eventData}\n${text}`;
  }

  /** Accounts for the finished event; false drops it from the relay. */
  function endEvent(): boolean {
    const data = eventData;
    eventData = null;
    if (data === null) return true;
    if (data === DONE_DATA) {
      isDoneSeen = true;
      return true;
    }
    const value = parseJson(data);
    if (value === undefined) return true;
    usage = usageOfEvent(value, usage);
    const kind = classifySseEvent(value);
    if (kind === "content") sink.content();
    return !(kind === "usage-only" && options.isUsageOnlyDropped);
  }

  return {
    push,
    pendingBytes: () => carry?.byteLength ?? 0,
    takePending() {
      const pending = carry;
      carry = null;
      return pending;
    },
    hasSeenDone: () => isDoneSeen,
    usage: () => usage,
  };
}

/** The parsed payload, or undefined for data that is not JSON (relayed untouched, not accounted). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isDataLine(buffer: Uint8Array, from: number, to: number): boolean {
  if (to - from < DATA_FIELD.length) return false;
  for (let i = 0; i < DATA_FIELD.length; i++) if (buffer[from + i] !== DATA_FIELD[i]) return false;
  return true;
}

function concatBytes(head: Uint8Array, tail: Uint8Array): Uint8Array {
  const joined = new Uint8Array(head.byteLength + tail.byteLength);
  joined.set(head, 0);
  joined.set(tail, head.byteLength);
  return joined;
}
