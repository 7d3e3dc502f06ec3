// Test helper: a unix datagram socket standing in for systemd's NOTIFY_SOCKET (bound through libc
// over bun:ffi, as node:dgram has no unix datagrams), collecting every sd_notify message.
import { dlopen, FFIType } from "bun:ffi";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeSocketAddress } from "../../../src/supervisor/sd-notify.ts";

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const BUFFER_BYTES = 4096;

const libc = dlopen("libc.so.6", {
  socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  bind: { args: [FFIType.i32, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
  recv: { args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.i64 },
  close: { args: [FFIType.i32], returns: FFIType.i32 },
}).symbols;

export interface NotifyReceiver {
  /** The NOTIFY_SOCKET value: a path, or `@name` for an abstract socket. */
  readonly address: string;
  /** Every datagram received so far, in order. */
  messages(): string[];
  /** Resolves with the first message matching `pattern` (checking earlier ones too). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  close(): void;
}

let sequence = 0;

export function startNotifyReceiver(kind: "path" | "abstract" = "path"): NotifyReceiver {
  sequence += 1;
  const name = `llmux-notify-${process.pid}-${sequence}`;
  const address = kind === "path" ? join(tmpdir(), `${name}.sock`) : `@${name}`;
  if (kind === "path") rmSync(address, { force: true });
  const fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new Error("socket() failed");
  const sockaddr = encodeSocketAddress(address);
  if (libc.bind(fd, sockaddr, sockaddr.length) !== 0) throw new Error(`bind(${address}) failed`);
  const received: string[] = [];
  const buffer = new Uint8Array(BUFFER_BYTES);
  const drain = () => {
    for (;;) {
      const length = Number(libc.recv(fd, buffer, BUFFER_BYTES, 0));
      if (length < 0) return;
      received.push(new TextDecoder().decode(buffer.subarray(0, length)));
    }
  };
  const poller = setInterval(drain, 10);
  return {
    address,
    messages() {
      drain();
      return [...received];
    },
    async waitFor(pattern, timeoutMs = 30_000) {
      const deadline = performance.now() + timeoutMs;
      while (performance.now() < deadline) {
        drain();
        const found = received.find((message) => pattern.test(message));
        if (found !== undefined) return found;
        await Bun.sleep(10);
      }
      throw new Error(
        `no sd_notify message matching ${pattern} in ${timeoutMs} ms; got ${JSON.stringify(received)}`,
      );
    },
    close() {
      clearInterval(poller);
      libc.close(fd);
      if (kind === "path") rmSync(address, { force: true });
    },
  };
}
