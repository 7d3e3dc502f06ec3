// The systemd unit text, command-line quoting, the stop budget, and READY/STATUS from engine states.
import { describe, expect, test } from "bun:test";
import type { InstanceSnapshot, InstanceState } from "../../src/supervisor/index.ts";
import {
  createEngineStatusReporter,
  quoteSystemdWord,
  renderSystemdUnit,
  stopBudgetS,
} from "../../src/supervisor/index.ts";
import { instanceSnapshot } from "./instance-snapshot.ts";

const BASE = {
  binaryPath: "/usr/local/bin/llmux",
  configPath: "/etc/llmux/config.yaml",
  drainTimeoutS: 30,
  stopGraceS: 10,
  readinessTimeoutS: 600,
};

function directives(unit: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const line of unit.split("\n")) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    found.set(match[1], [...(found.get(match[1]) ?? []), match[2]]);
  }
  return found;
}

describe("renderSystemdUnit", () => {
  test("runs `up -c <config>` as a notify service with watchdog, restart and drain-covering stop timeout", () => {
    const unit = directives(renderSystemdUnit(BASE));
    expect(unit.get("ExecStart")).toEqual(["/usr/local/bin/llmux up -c /etc/llmux/config.yaml"]);
    expect(unit.get("Type")).toEqual(["notify"]);
    expect(unit.get("NotifyAccess")).toEqual(["main"]);
    expect(unit.get("WatchdogSec")).toEqual(["30"]);
    expect(unit.get("Restart")).toEqual(["on-failure"]);
    expect(unit.get("KillMode")).toEqual(["control-group"]);
    // 2 x 30 s drain (gateway, then per engine) + 10 s grace + 15 s slack.
    expect(unit.get("TimeoutStopSec")).toEqual(["85"]);
    // 600 s readiness + 60 s to listen and spawn.
    expect(unit.get("TimeoutStartSec")).toEqual(["660"]);
    expect(unit.get("LimitNOFILE")).toEqual(["65536"]);
    expect(unit.get("Environment")).toEqual([
      "XDG_RUNTIME_DIR=%t/llmux",
      "BUN_CONFIG_MAX_HTTP_REQUESTS=65535",
      "PYTHONUNBUFFERED=1",
    ]);
    expect(unit.get("StateDirectory")).toEqual(["llmux"]);
    expect(unit.get("RuntimeDirectory")).toEqual(["llmux"]);
    expect(unit.get("WorkingDirectory")).toEqual(["%S/llmux"]);
    expect(unit.get("NoNewPrivileges")).toEqual(["yes"]);
    expect(unit.get("User")).toBeUndefined();
  });

  test("keeps GPU devices and JIT usable: no device policy or W^X hardening", () => {
    const unit = renderSystemdUnit(BASE);
    for (const key of [
      "PrivateDevices",
      "DevicePolicy",
      "DeviceAllow",
      "ProtectClock",
      "MemoryDenyWriteExecute",
    ]) {
      expect(unit).not.toMatch(new RegExp(`^${key}=`, "m"));
    }
  });

  test("sets User= when asked and omits -c for the embedded default config", () => {
    const unit = directives(renderSystemdUnit({ ...BASE, configPath: null, user: "llmux" }));
    expect(unit.get("User")).toEqual(["llmux"]);
    expect(unit.get("ExecStart")).toEqual(["/usr/local/bin/llmux up"]);
  });

  test("rejects relative paths and impossible user names", () => {
    expect(() => renderSystemdUnit({ ...BASE, binaryPath: "llmux" })).toThrow("binary path must be absolute");
    expect(() => renderSystemdUnit({ ...BASE, configPath: "config.yaml" })).toThrow(
      "config path must be absolute",
    );
    expect(() => renderSystemdUnit({ ...BASE, user: "bad user" })).toThrow('invalid user name "bad user"');
  });
});

describe("quoteSystemdWord", () => {
  test.each([
    ["/usr/bin/llmux", "/usr/bin/llmux"],
    ["/etc/my config.yaml", '"/etc/my config.yaml"'],
    ["/etc/100%.yaml", "/etc/100%%.yaml"],
    ["/etc/$HOME.yaml", "/etc/$$HOME.yaml"],
    ['/etc/a"b\\c', '"/etc/a\\"b\\\\c"'],
  ])("%s → %s", (word, expected) => {
    expect(quoteSystemdWord(word)).toBe(expected);
  });

  test("refuses line breaks", () => {
    expect(() => quoteSystemdWord("/etc/a\nb")).toThrow("line break");
  });
});

test("stopBudgetS rounds partial seconds up", () => {
  expect(stopBudgetS(0.5, 0)).toBe(2 + 0 + 15);
  expect(stopBudgetS(30, 10)).toBe(85);
});

describe("engine status reporter", () => {
  function instance(id: string, state: InstanceState): InstanceSnapshot {
    return instanceSnapshot(id, state, { port: 1, kvEventsPort: 2, replayPort: 3 });
  }

  function harness(timeoutMs = 600_000) {
    const sent: string[] = [];
    let fire: (() => void) | null = null;
    const reporter = createEngineStatusReporter(
      { ready: (status) => sent.push(`READY ${status}`), status: (text) => sent.push(`STATUS ${text}`) },
      timeoutMs,
      {
        setTimeout: (callback) => {
          fire = callback;
          return 1;
        },
        clearTimeout: () => {
          fire = null;
        },
      },
    );
    return { sent, reporter, fire: () => fire?.() };
  }

  test("reports progress, then READY=1 once all engines are ready", () => {
    const { sent, reporter } = harness();
    reporter.update([instance("a", "starting"), instance("b", "starting")]);
    reporter.update([instance("a", "ready"), instance("b", "starting")]);
    reporter.update([instance("a", "ready"), instance("b", "ready")]);
    reporter.update([instance("a", "crashed"), instance("b", "ready")]);
    expect(sent).toEqual([
      "STATUS 0/2 engines ready",
      "STATUS 1/2 engines ready",
      "READY 2/2 engines ready",
      "STATUS 1/2 engines ready",
    ]);
    expect(reporter.isReadySent()).toBe(true);
    expect(reporter.status()).toBe("1/2 engines ready");
  });

  test("a failed (crash-looping) engine does not hold back READY=1", () => {
    const { sent, reporter } = harness();
    reporter.update([instance("a", "ready"), instance("b", "failed")]);
    expect(sent).toEqual(["READY 1/2 engines ready, 1 failed"]);
  });

  test("the readiness timeout sends READY=1 with the current status", () => {
    const { sent, reporter, fire } = harness();
    reporter.update([instance("a", "ready"), instance("b", "starting")]);
    fire();
    reporter.update([instance("a", "ready"), instance("b", "ready")]);
    expect(sent).toEqual(["STATUS 1/2 engines ready", "READY 1/2 engines ready", "STATUS 2/2 engines ready"]);
  });

  test("ready() reports a node without engines at once", () => {
    const { sent, reporter } = harness();
    reporter.ready("gateway listening on http://127.0.0.1:8000");
    expect(sent).toEqual(["READY gateway listening on http://127.0.0.1:8000"]);
  });

  test("stop() cancels the readiness timeout", () => {
    const { sent, reporter, fire } = harness();
    reporter.stop();
    fire();
    expect(sent).toEqual([]);
  });
});
