// Child-process entry of the proxy under test: serves forwardRequest (see test/gateway/proxy/proxy-fixture.ts)
// to the targets in LLMUX_TEST_PROXY and prints {"port":N} once listening. Runs until killed.
import type { ProxySettings, UpstreamTarget } from "../../../src/gateway/proxy/types.ts";
import { startProxy } from "../../gateway/proxy/proxy-fixture.ts";

interface ProxyProcessConfig {
  readonly targets: UpstreamTarget[];
  readonly settings?: Partial<ProxySettings>;
}

const config = JSON.parse(process.env.LLMUX_TEST_PROXY ?? "{}") as ProxyProcessConfig;
let next = 0;
// Round-robin over the targets not yet excluded, so concurrent streams spread over every engine.
const targets = config.targets;
const proxy = startProxy({
  targets,
  ...(config.settings === undefined ? {} : { settings: config.settings }),
  rotate: () => next++,
});
process.stdout.write(`${JSON.stringify({ port: Number(new URL(proxy.url).port) })}\n`);
