// The Prometheus text parser on hand-written pages: format details, escapes, special values, bad lines,
// family filtering, a seeded garbage run, and its speed on a real-sized vLLM page.
import { describe, expect, test } from "bun:test";
import { resolve } from "node:path";
import {
  labelValue,
  type MetricFamily,
  type ParsedExposition,
  parsePrometheusText,
} from "../../../src/pool/index.ts";

const FIXTURES = resolve(import.meta.dir, "../../fixtures/vllm-metrics");

function family(parsed: ParsedExposition, name: string): MetricFamily {
  const found = parsed.families.get(name);
  if (found === undefined) throw new Error(`no family ${name}; have ${[...parsed.families.keys()]}`);
  return found;
}

function values(parsed: ParsedExposition, name: string): number[] {
  return family(parsed, name).samples.map((sample) => sample.value);
}

describe("parsePrometheusText", () => {
  test("reads HELP, TYPE and labelled samples of a gauge", () => {
    const parsed = parsePrometheusText(
      [
        "# HELP vllm:num_requests_running Number of requests in model execution batches.",
        "# TYPE vllm:num_requests_running gauge",
        'vllm:num_requests_running{model_name="m",engine="0"} 3.0',
        'vllm:num_requests_running{model_name="m",engine="1"} 4',
      ].join("\n"),
    );
    const running = family(parsed, "vllm:num_requests_running");
    expect(running.type).toBe("gauge");
    expect(running.help).toBe("Number of requests in model execution batches.");
    expect(running.samples).toEqual([
      {
        name: "vllm:num_requests_running",
        labels: ["model_name", "m", "engine", "0"],
        value: 3,
        timestampMs: null,
      },
      {
        name: "vllm:num_requests_running",
        labels: ["model_name", "m", "engine", "1"],
        value: 4,
        timestampMs: null,
      },
    ]);
    expect(parsed.sampleCount).toBe(2);
    expect(parsed.problemCount).toBe(0);
    expect(labelValue(running.samples[1]!, "engine")).toBe("1");
    expect(labelValue(running.samples[1]!, "reason")).toBeUndefined();
  });

  test("groups a histogram's _bucket, _sum, _count and _created samples under its family", () => {
    const parsed = parsePrometheusText(
      [
        "# TYPE ttft histogram",
        'ttft_bucket{le="0.5"} 1.0',
        'ttft_bucket{le="+Inf"} 2.0',
        "ttft_sum 1.25",
        "ttft_count 2.0",
        "ttft_created 1.7790000005e+09",
      ].join("\n"),
    );
    const ttft = family(parsed, "ttft");
    expect(ttft.samples.map((s) => s.name)).toEqual([
      "ttft_bucket",
      "ttft_bucket",
      "ttft_sum",
      "ttft_count",
      "ttft_created",
    ]);
    expect(ttft.samples.map((s) => s.value)).toEqual([1, 2, 1.25, 2, 1779000000.5]);
    expect(labelValue(ttft.samples[1]!, "le")).toBe("+Inf");
    expect(parsed.families.size).toBe(1);
  });

  test("keys 0.0.4 counters by their _total name and OpenMetrics counters by the bare name", () => {
    const classic = parsePrometheusText(
      "# TYPE c_total counter\nc_total 5\n# TYPE c_created gauge\nc_created 7\n",
    );
    expect(values(classic, "c_total")).toEqual([5]);
    expect(values(classic, "c_created")).toEqual([7]);
    const open = parsePrometheusText("# TYPE c counter\nc_total 5\nc_created 7\n# EOF\n", {
      isOpenMetrics: true,
    });
    expect(family(open, "c").samples.map((s) => s.name)).toEqual(["c_total", "c_created"]);
  });

  test("unescapes backslashes, quotes and newlines in label values and HELP text", () => {
    const parsed = parsePrometheusText(
      [
        "# HELP x A \\\\ path\\nand a second line",
        "# TYPE x gauge",
        'x{path="C:\\\\dir",quote="say \\"hi\\"",text="a\\nb",odd="\\t"} 1',
        'x{plain="no escapes"} 2',
      ].join("\n"),
    );
    const x = family(parsed, "x");
    expect(x.help).toBe("A \\ path\nand a second line");
    expect(x.samples[0]!.labels).toEqual([
      "path",
      "C:\\dir",
      "quote",
      'say "hi"',
      "text",
      "a\nb",
      "odd",
      "\\t",
    ]);
    expect(x.samples[1]!.labels).toEqual(["plain", "no escapes"]);
  });

  test("reads NaN, infinities, exponents, signs and long integers", () => {
    const lines = [
      "NaN",
      "+Inf",
      "-Inf",
      "inf",
      "1e-3",
      "1.5E+09",
      "-0.5",
      "+7",
      ".25",
      "1234567890123456",
      "2.0",
    ];
    const parsed = parsePrometheusText(
      ["# TYPE v gauge", ...lines.map((v, i) => `v{i="${i}"} ${v}`)].join("\n"),
    );
    const got = values(parsed, "v");
    expect(Number.isNaN(got[0]!)).toBe(true);
    expect(got.slice(1)).toEqual([
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      0.001,
      1.5e9,
      -0.5,
      7,
      0.25,
      1234567890123456,
      2,
    ]);
    expect(parsed.problemCount).toBe(0);
  });

  test("reads timestamps as milliseconds, converting OpenMetrics seconds", () => {
    expect(family(parsePrometheusText("x 1 1700000000123"), "x").samples[0]!.timestampMs).toBe(1700000000123);
    const open = parsePrometheusText("x 1 1700000000.5", { isOpenMetrics: true });
    expect(family(open, "x").samples[0]!.timestampMs).toBe(1700000000500);
    const exemplar = parsePrometheusText('# TYPE h histogram\nh_bucket{le="1"} 2 # {trace_id="a"} 0.5 1.0');
    expect(family(exemplar, "h").samples[0]!.timestampMs).toBeNull();
    expect(exemplar.problemCount).toBe(0);
  });

  test("skips comments, blank lines, CRLF endings, indentation and a trailing label comma", () => {
    const parsed = parsePrometheusText(
      '\r\n# a free comment\r\n\r\n   \t\r\n  # TYPE g gauge\r\n  g{ a = "1" , b="2", } 3\r\n\r\ng 4',
    );
    expect(family(parsed, "g").samples.map((s) => [s.labels, s.value])).toEqual([
      [["a", "1", "b", "2"], 3],
      [[], 4],
    ]);
    expect(parsed.problemCount).toBe(0);
  });

  test("drops and counts garbage lines, keeps the rest, and reports the first with its line number", () => {
    const parsed = parsePrometheusText(
      [
        "# TYPE g gauge",
        "g 1",
        "this is not a sample",
        '{orphan="labels"} 2',
        'g{a="unterminated} 3',
        "g{a=1} 4",
        "g",
        "g 5 6 7",
        "g 0x10",
        "# TYPE g2 sometype",
        "g 8",
      ].join("\n"),
    );
    expect(values(parsed, "g")).toEqual([1, 8]);
    expect(parsed.problemCount).toBe(8);
    expect(parsed.firstProblem).toBe("line 3: bad value in this");
  });

  test("stops at # EOF", () => {
    const parsed = parsePrometheusText("a 1\n# EOF\nb 2\n");
    expect([...parsed.families.keys()]).toEqual(["a"]);
  });

  test("samples without TYPE form untyped families; an interleaved sample rejoins its declared family", () => {
    const parsed = parsePrometheusText(
      ["loose 1", "# TYPE h histogram", 'h_bucket{le="1"} 1', "# TYPE g gauge", "g 2", "h_count 1"].join(
        "\n",
      ),
    );
    expect(family(parsed, "loose").type).toBe("untyped");
    expect(family(parsed, "h").samples.map((s) => s.name)).toEqual(["h_bucket", "h_count"]);
    expect(values(parsed, "g")).toEqual([2]);
  });

  test("with onlyFamilies, other families are skipped unparsed and left out", () => {
    const parsed = parsePrometheusText(
      [
        "# TYPE h histogram",
        'h_bucket{le="1"} 1',
        "h_sum 3",
        "# TYPE g gauge",
        "g 2",
        "# TYPE k gauge",
        "k{bad",
      ].join("\n"),
      { onlyFamilies: new Set(["g"]) },
    );
    expect([...parsed.families.keys()]).toEqual(["g"]);
    expect(parsed.sampleCount).toBe(1);
    expect(parsed.skippedSampleCount).toBe(3);
    expect(parsed.problemCount).toBe(0);
  });

  test("never throws on arbitrary input (seeded)", () => {
    const seed = 20_261_121;
    let state = seed;
    const next = () => {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      return state;
    };
    const alphabet = 'ab_:{}="\\\n #,.+-eInfNa0123456789\t\r';
    for (let round = 0; round < 500; round++) {
      let text = "";
      const length = next() % 200;
      for (let i = 0; i < length; i++) text += alphabet[next() % alphabet.length];
      try {
        const parsed = parsePrometheusText(text);
        expect(parsed.sampleCount + parsed.problemCount).toBeLessThanOrEqual(text.split("\n").length);
      } catch (error) {
        throw new Error(`seed ${seed} round ${round}: ${JSON.stringify(text)}`, { cause: error });
      }
    }
  });

  test("parses a 59 KB vLLM page well under a millisecond", async () => {
    const text = await Bun.file(resolve(FIXTURES, "llmux-sim-dp2-lora.txt")).text();
    const only = new Set([
      "vllm:num_requests_running",
      "vllm:num_requests_waiting",
      "vllm:kv_cache_usage_perc",
    ]);
    const medianMs = (run: () => void) => {
      for (let i = 0; i < 50; i++) run();
      const times: number[] = [];
      for (let i = 0; i < 201; i++) {
        const started = performance.now();
        run();
        times.push(performance.now() - started);
      }
      return times.sort((a, b) => a - b)[100]!;
    };
    expect(text.length).toBeGreaterThan(50_000);
    expect(medianMs(() => parsePrometheusText(text))).toBeLessThan(1);
    expect(medianMs(() => parsePrometheusText(text, { onlyFamilies: only }))).toBeLessThan(0.5);
  });
});
