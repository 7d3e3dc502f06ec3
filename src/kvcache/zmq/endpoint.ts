// Parsing and formatting of ZMQ tcp:// endpoints (the only transport llmux speaks to vLLM).

import { ZmtpError } from "./errors.ts";

/** A parsed tcp endpoint. `host` is what Bun.listen/Bun.connect take: "*" becomes 0.0.0.0. */
export interface TcpEndpoint {
  readonly host: string;
  readonly port: number;
}

const TCP_PREFIX = "tcp://";

/** Parses `tcp://host:port`, `tcp://*:port` or `tcp://[v6addr]:port`; port 0 means any free port. */
export function parseTcpEndpoint(endpoint: string): TcpEndpoint {
  if (!endpoint.startsWith(TCP_PREFIX)) {
    throw new ZmtpError("kvcache_zmq_bad_endpoint", endpoint);
  }
  const rest = endpoint.slice(TCP_PREFIX.length);
  const colon = rest.lastIndexOf(":");
  if (colon <= 0) throw new ZmtpError("kvcache_zmq_bad_endpoint", endpoint);
  const host = parseHost(rest.slice(0, colon), endpoint);
  const portText = rest.slice(colon + 1);
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port > 65535) {
    throw new ZmtpError("kvcache_zmq_bad_endpoint", endpoint);
  }
  return { host, port };
}

/** Formats an endpoint the way libzmq reports ZMQ_LAST_ENDPOINT (`tcp://0.0.0.0:5557`, `tcp://[::1]:5557`). */
export function formatTcpEndpoint(host: string, port: number): string {
  return host.includes(":") ? `${TCP_PREFIX}[${host}]:${port}` : `${TCP_PREFIX}${host}:${port}`;
}

function parseHost(text: string, endpoint: string): string {
  if (text === "*") return "0.0.0.0";
  if (text.startsWith("[")) {
    if (!text.endsWith("]") || text.length < 3) throw new ZmtpError("kvcache_zmq_bad_endpoint", endpoint);
    return text.slice(1, -1);
  }
  if (text.includes(":") || /\s/.test(text)) throw new ZmtpError("kvcache_zmq_bad_endpoint", endpoint);
  return text;
}
