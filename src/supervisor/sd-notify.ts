// sd_notify(3) from Bun: datagrams to $NOTIFY_SOCKET (a path or an abstract `@` socket) through libc
// over bun:ffi, since node:dgram has no unix datagram sockets. Without NOTIFY_SOCKET every call is a no-op.
import { dlopen, FFIType, read } from "bun:ffi";

const AF_UNIX = 1;
const SOCK_DGRAM = 2;
// asm-generic O_CLOEXEC, the value on x86-64 and aarch64: engines must not inherit the socket.
const SOCK_CLOEXEC = 0o2000000;
const CLOCK_MONOTONIC = 1;
/** sizeof(sockaddr_un.sun_path) on Linux. */
const SUN_PATH_BYTES = 108;
const SA_FAMILY_BYTES = 2;
const LIBC_NAMES = ["libc.so.6", "libc.musl-x86_64.so.1", "libc.musl-aarch64.so.1"];

/** Variables systemd sets for the main process only; children must not inherit them (sd_notify(3) unset_environment). */
export const SYSTEMD_NOTIFY_ENV = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] as const;

const LIBC_SYMBOLS = {
  socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
  sendto: {
    args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32, FFIType.ptr, FFIType.u32],
    returns: FFIType.i64,
  },
  close: { args: [FFIType.i32], returns: FFIType.i32 },
  clock_gettime: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
  __errno_location: { args: [], returns: FFIType.ptr },
} as const;

type Libc = ReturnType<typeof dlopen<typeof LIBC_SYMBOLS>>["symbols"];

let libc: Libc | null = null;

/** Loaded on first use, so hosts without systemd never touch FFI. */
function loadLibc(): Libc {
  if (libc !== null) return libc;
  const failures: string[] = [];
  for (const name of LIBC_NAMES) {
    try {
      libc = dlopen(name, LIBC_SYMBOLS).symbols;
      return libc;
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  throw new Error(`cannot load libc for sd_notify (${failures.join("; ")})`);
}

function errno(c: Libc): number {
  const location = c.__errno_location();
  return location === null ? 0 : read.i32(location);
}

/**
 * sockaddr_un for `address`: a filesystem path, or `@name` for the abstract namespace (leading NUL,
 * length-delimited, no terminating NUL). Returns the bytes to pass with their exact length.
 */
export function encodeSocketAddress(address: string): Uint8Array {
  const isAbstract = address.startsWith("@");
  if (!isAbstract && !address.startsWith("/")) {
    throw new Error(`NOTIFY_SOCKET must be an absolute path or start with @, got "${address}"`);
  }
  const name = new TextEncoder().encode(isAbstract ? address.slice(1) : address);
  // A path needs room for its terminating NUL; an abstract name needs room for its leading NUL.
  if (name.length + 1 > SUN_PATH_BYTES) {
    throw new Error(`NOTIFY_SOCKET is longer than ${SUN_PATH_BYTES - 1} bytes`);
  }
  const bytes = new Uint8Array(SA_FAMILY_BYTES + 1 + name.length);
  new DataView(bytes.buffer).setUint16(0, AF_UNIX, true);
  bytes.set(name, SA_FAMILY_BYTES + (isAbstract ? 1 : 0));
  return bytes;
}

/** Sends one datagram to `address`; throws with errno when the kernel refuses. */
export function sendDatagram(address: string, message: string): void {
  const c = loadLibc();
  const sockaddr = encodeSocketAddress(address);
  const payload = new TextEncoder().encode(message);
  const fd = c.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw new Error(`sd_notify: socket() failed, errno ${errno(c)}`);
  try {
    const sent = c.sendto(fd, payload, payload.length, 0, sockaddr, sockaddr.length);
    if (Number(sent) < 0) throw new Error(`sd_notify: sendto(${address}) failed, errno ${errno(c)}`);
  } finally {
    c.close(fd);
  }
}

/** CLOCK_MONOTONIC in µs, the clock systemd compares MONOTONIC_USEC against. */
function monotonicUs(): bigint {
  const c = loadLibc();
  const timespec = new BigInt64Array(2);
  if (c.clock_gettime(CLOCK_MONOTONIC, timespec) !== 0) {
    throw new Error(`clock_gettime(CLOCK_MONOTONIC) failed, errno ${errno(c)}`);
  }
  return (timespec[0] ?? 0n) * 1_000_000n + (timespec[1] ?? 0n) / 1_000n;
}

export interface SystemdNotifierOptions {
  /** A failed send: logged and counted by the caller; the service keeps running. */
  readonly onError: (error: Error, message: string) => void;
  /** Replaces the libc sender (tests). */
  readonly send?: (address: string, message: string) => void;
  readonly timers?: IntervalTimers;
}

export interface IntervalTimers {
  setInterval(tick: () => void, intervalMs: number): unknown;
  clearInterval(handle: unknown): void;
}

/** Unreferenced: the watchdog alone must not keep the process alive. */
const SYSTEM_INTERVAL_TIMERS: IntervalTimers = {
  setInterval(tick, intervalMs) {
    const handle = setInterval(tick, intervalMs);
    handle.unref();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as ReturnType<typeof setInterval>),
};

export interface SystemdNotifier {
  /** NOTIFY_SOCKET is set: systemd (or something speaking its protocol) listens. */
  readonly isEnabled: boolean;
  /** WATCHDOG_USEC / 2 in ms, or null when systemd does not watch this process. */
  readonly watchdogIntervalMs: number | null;
  /** READY=1 plus STATUS=; also ends a reload. */
  ready(status: string): void;
  status(text: string): void;
  /** RELOADING=1 with MONOTONIC_USEC=, before re-reading the config; follow with ready(). */
  reloading(): void;
  stopping(status: string): void;
  /** Sends WATCHDOG=1 every watchdogIntervalMs while isHealthy(); returns the function that stops it. */
  startWatchdog(isHealthy: () => boolean): () => void;
}

/** A notifier for the environment systemd gave this process (`env` is usually process.env). */
export function createSystemdNotifier(
  env: Readonly<Record<string, string | undefined>>,
  options: SystemdNotifierOptions,
): SystemdNotifier {
  const address = env.NOTIFY_SOCKET ?? "";
  const isEnabled = address !== "";
  const send = options.send ?? sendDatagram;
  const watchdogIntervalMs = isEnabled ? watchdogInterval(env) : null;
  const notify = (message: string): void => {
    if (!isEnabled) return;
    try {
      send(address, message);
    } catch (error) {
      options.onError(error instanceof Error ? error : new Error(String(error)), message);
    }
  };
  return {
    isEnabled,
    watchdogIntervalMs,
    ready: (status) => notify(`READY=1\nSTATUS=${oneLine(status)}`),
    status: (text) => notify(`STATUS=${oneLine(text)}`),
    reloading() {
      if (!isEnabled) return;
      let monotonic = "";
      try {
        monotonic = `\nMONOTONIC_USEC=${monotonicUs()}`;
      } catch (error) {
        options.onError(error instanceof Error ? error : new Error(String(error)), "RELOADING=1");
      }
      notify(`RELOADING=1${monotonic}\nSTATUS=reloading the config`);
    },
    stopping: (status) => notify(`STOPPING=1\nSTATUS=${oneLine(status)}`),
    startWatchdog(isHealthy) {
      if (watchdogIntervalMs === null) return () => {};
      const timers = options.timers ?? SYSTEM_INTERVAL_TIMERS;
      // The tick runs on the event loop, so a wedged loop or a failed health check both stop the pings.
      const handle = timers.setInterval(function watchdogTick() {
        if (isHealthy()) notify("WATCHDOG=1");
      }, watchdogIntervalMs);
      return () => timers.clearInterval(handle);
    },
  };
}

/** sd_watchdog_enabled(3): WATCHDOG_USEC applies unless WATCHDOG_PID names another process. */
function watchdogInterval(env: Readonly<Record<string, string | undefined>>): number | null {
  const usec = Number(env.WATCHDOG_USEC ?? "");
  if (!Number.isFinite(usec) || usec <= 0) return null;
  const pid = env.WATCHDOG_PID;
  if (pid !== undefined && pid !== "" && Number(pid) !== process.pid) return null;
  return Math.max(1, Math.floor(usec / 2 / 1000));
}

/** STATUS= is one line of the newline-separated assignment list. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ");
}
