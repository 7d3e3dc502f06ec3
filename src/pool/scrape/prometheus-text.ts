// Parser of the Prometheus text exposition format 0.0.4 and the OpenMetrics subset prometheus_client emits.
// Hand-written (prom-client only writes this format): it runs every 100 ms per engine, so it scans by
// char code, allocates only what it returns, skips unwanted families unparsed, and never throws.

import type {
  MetricFamily,
  MetricSample,
  MetricType,
  ParsedExposition,
  ParsePrometheusOptions,
} from "./prometheus-exposition.ts";
import {
  isNameEnd,
  parseValue,
  scanName,
  scanToken,
  skipBlanks,
  unescapeHelp,
  unescapeLabel,
} from "./prometheus-lexer.ts";

interface MutableFamily {
  readonly name: string;
  type: MetricType;
  help: string | null;
  readonly samples: MetricSample[];
  readonly isWanted: boolean;
  /** Full sample names per allowed suffix, built once so suffixed samples share one string. */
  readonly suffixNames: (string | undefined)[];
}

const NO_LABELS: readonly string[] = Object.freeze([]);
// Sample-name suffixes each family type owns (OpenMetrics 1.0 §4.4; prometheus_client's 0.0.4 writer).
const SUFFIXES: Readonly<Record<MetricType, readonly string[]>> = {
  counter: ["_total", "_created"],
  gauge: [],
  histogram: ["_bucket", "_sum", "_count", "_created"],
  gaugehistogram: ["_bucket", "_gsum", "_gcount"],
  summary: ["_sum", "_count", "_created"],
  info: ["_info"],
  stateset: [],
  untyped: [],
  unknown: [],
};

/** Parses one exposition page. Never throws: bad lines are dropped and counted in `problemCount`. */
export function parsePrometheusText(text: string, options: ParsePrometheusOptions = {}): ParsedExposition {
  return new ExpositionParser(text, options).run();
}

/** The value of label `name` of a sample, or undefined. */
export function labelValue(sample: MetricSample, name: string): string | undefined {
  const labels = sample.labels;
  for (let i = 0; i < labels.length; i += 2) if (labels[i] === name) return labels[i + 1];
  return undefined;
}

class ExpositionParser {
  private readonly families = new Map<string, MutableFamily>();
  private current: MutableFamily | null = null;
  private sampleCount = 0;
  private skippedSampleCount = 0;
  private problemCount = 0;
  private firstProblem: string | null = null;
  private lineNumber = 0;
  private nextBackslash = -1;
  private readonly timestampScale: number;

  constructor(
    private readonly text: string,
    private readonly options: ParsePrometheusOptions,
  ) {
    this.timestampScale = options.isOpenMetrics === true ? 1000 : 1;
  }

  run(): ParsedExposition {
    const text = this.text;
    let pos = 0;
    while (pos < text.length) {
      let end = text.indexOf("\n", pos);
      if (end < 0) end = text.length;
      const next = end + 1;
      if (end > pos && text.charCodeAt(end - 1) === 13) end--;
      this.lineNumber++;
      const start = skipBlanks(text, pos, end);
      if (start < end) {
        if (text.charCodeAt(start) === 35) {
          if (this.comment(start + 1, end)) break;
        } else this.sample(start, end);
      }
      pos = next;
    }
    const families = new Map<string, MetricFamily>();
    for (const [name, family] of this.families) {
      // A family that only a dropped line named (no TYPE, HELP or sample) is not part of the page.
      const isPhantom = family.type === "untyped" && family.help === null && family.samples.length === 0;
      if (family.isWanted && !isPhantom) families.set(name, family);
    }
    return {
      families,
      sampleCount: this.sampleCount,
      skippedSampleCount: this.skippedSampleCount,
      problemCount: this.problemCount,
      firstProblem: this.firstProblem,
    };
  }

  /** `# HELP`, `# TYPE`, `# UNIT`, `# EOF` or a free comment; returns true at `# EOF`. */
  private comment(from: number, end: number): boolean {
    const text = this.text;
    const at = skipBlanks(text, from, end);
    const keyword = scanToken(text, at, end);
    if (keyword - at === 3 && text.startsWith("EOF", at)) return true;
    if (keyword - at !== 4) return false;
    const isHelp = text.startsWith("HELP", at);
    if (!isHelp && !text.startsWith("TYPE", at)) return false;
    const nameStart = skipBlanks(text, keyword, end);
    const nameEnd = scanName(text, nameStart, end);
    if (nameEnd === nameStart) return this.problem(`# ${isHelp ? "HELP" : "TYPE"} without a metric name`);
    const family = this.familyNamed(text.slice(nameStart, nameEnd));
    this.current = family;
    const restStart = skipBlanks(text, nameEnd, end);
    if (isHelp) {
      if (!family.isWanted) return false;
      const help = text.slice(restStart, end);
      family.help = help.includes("\\") ? unescapeHelp(help) : help;
      return false;
    }
    const type = text.slice(restStart, scanToken(text, restStart, end));
    if (!Object.hasOwn(SUFFIXES, type)) return this.problem(`unknown metric type "${type}"`);
    if (family.type !== "untyped" && family.type !== type)
      return this.problem(`second TYPE for ${family.name}`);
    family.type = type as MetricType;
    return false;
  }

  private sample(start: number, end: number): void {
    const text = this.text;
    let family = this.current;
    // Most lines belong to the family of the last TYPE line: match it in place before scanning the name.
    let sampleName = family === null ? null : matchFamily(text, start, end, family);
    if (sampleName === null || family === null) {
      const nameEnd = scanName(text, start, end);
      if (nameEnd === start) {
        this.problem("not a sample line");
        return;
      }
      const name = text.slice(start, nameEnd);
      family = this.familyOfSample(name);
      this.current = family;
      sampleName = matchFamily(text, start, end, family) ?? name;
    }
    const nameEnd = start + sampleName.length;
    if (!family.isWanted) {
      this.skippedSampleCount++;
      return;
    }
    let pos = nameEnd;
    let labels = NO_LABELS;
    if (pos < end && text.charCodeAt(pos) === 123) {
      const parsed = this.labels(pos + 1, end);
      if (parsed === null) {
        this.problem(`bad label set in ${sampleName}`);
        return;
      }
      labels = parsed.labels;
      pos = parsed.end;
    }
    const valueStart = skipBlanks(text, pos, end);
    if (valueStart === pos) {
      this.problem(`no space before the value of ${sampleName}`);
      return;
    }
    const valueEnd = scanToken(text, valueStart, end);
    const value = parseValue(text, valueStart, valueEnd);
    if (value === null) {
      this.problem(`bad value in ${sampleName}`);
      return;
    }
    let timestampMs: number | null = null;
    const stampStart = skipBlanks(text, valueEnd, end);
    // `#` starts an OpenMetrics exemplar, which carries nothing we route on.
    if (stampStart < end && text.charCodeAt(stampStart) !== 35) {
      const stampEnd = scanToken(text, stampStart, end);
      const stamp = parseValue(text, stampStart, stampEnd);
      if (stamp === null || !Number.isFinite(stamp) || skipBlanks(text, stampEnd, end) < end) {
        this.problem(`bad timestamp in ${sampleName}`);
        return;
      }
      timestampMs = stamp * this.timestampScale;
    }
    family.samples.push({ name: sampleName, labels, value, timestampMs });
    this.sampleCount++;
  }

  /** The family a sample line belongs to when it is not the current one (interleaved or untyped). */
  private familyOfSample(name: string): MutableFamily {
    const exact = this.families.get(name);
    if (exact !== undefined) return exact;
    const cut = name.lastIndexOf("_");
    if (cut > 0) {
      const base = this.families.get(name.slice(0, cut));
      if (base !== undefined && SUFFIXES[base.type].includes(name.slice(cut))) return base;
    }
    return this.familyNamed(name);
  }

  private familyNamed(name: string): MutableFamily {
    let family = this.families.get(name);
    if (family === undefined) {
      const only = this.options.onlyFamilies;
      const isWanted = only === undefined || only.has(name);
      family = { name, type: "untyped", help: null, samples: [], isWanted, suffixNames: [] };
      this.families.set(name, family);
    }
    return family;
  }

  /** Parses `name="value",...}` from just after `{`; null when malformed. */
  private labels(from: number, end: number): { labels: string[]; end: number } | null {
    const text = this.text;
    const labels: string[] = [];
    let pos = skipBlanks(text, from, end);
    while (pos < end && text.charCodeAt(pos) !== 125) {
      const nameEnd = scanName(text, pos, end);
      if (nameEnd === pos) return null;
      const eq = skipBlanks(text, nameEnd, end);
      if (text.charCodeAt(eq) !== 61) return null;
      const quote = skipBlanks(text, eq + 1, end);
      if (text.charCodeAt(quote) !== 34) return null;
      const valueEnd = this.closingQuote(quote + 1, end);
      if (valueEnd < 0) return null;
      const raw = text.slice(quote + 1, valueEnd);
      labels.push(text.slice(pos, nameEnd), this.nextBackslash < valueEnd ? unescapeLabel(raw) : raw);
      pos = skipBlanks(text, valueEnd + 1, end);
      if (text.charCodeAt(pos) === 44) pos = skipBlanks(text, pos + 1, end);
      else if (text.charCodeAt(pos) !== 125) return null;
    }
    return pos < end ? { labels, end: pos + 1 } : null;
  }

  /** Index of the quote closing a label value that starts at `from` (skipping `\x` escapes), or -1. */
  private closingQuote(from: number, end: number): number {
    const text = this.text;
    const quote = text.indexOf('"', from);
    if (quote < 0 || quote >= end) return -1;
    // Native searches for the common case; the next backslash is remembered so the page is searched once.
    if (this.nextBackslash < from) {
      const found = text.indexOf("\\", from);
      this.nextBackslash = found < 0 ? Number.POSITIVE_INFINITY : found;
    }
    if (this.nextBackslash > quote) return quote;
    for (let i = this.nextBackslash; i < end; i++) {
      const code = text.charCodeAt(i);
      if (code === 34) return i;
      if (code === 92) i++;
    }
    return -1;
  }

  private problem(reason: string): false {
    this.problemCount++;
    this.firstProblem ??= `line ${this.lineNumber}: ${reason}`;
    return false;
  }
}

/**
 * The sample name when the line at `start` names `family` or `family` plus a suffix its type allows,
 * else null; compares in place so a matching line allocates no name string.
 */
function matchFamily(text: string, start: number, end: number, family: MutableFamily): string | null {
  const base = family.name;
  if (!text.startsWith(base, start)) return null;
  const afterBase = start + base.length;
  if (isNameEnd(text, afterBase, end)) return base;
  const suffixes = SUFFIXES[family.type];
  for (let i = 0; i < suffixes.length; i++) {
    const suffix = suffixes[i] as string;
    if (text.startsWith(suffix, afterBase) && isNameEnd(text, afterBase + suffix.length, end)) {
      let full = family.suffixNames[i];
      if (full === undefined) {
        full = base + suffix;
        family.suffixNames[i] = full;
      }
      return full;
    }
  }
  return null;
}
