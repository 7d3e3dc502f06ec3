// ZMTP 3.1 connection heartbeats (rfc.zeromq.org/spec/37 §Connection heartbeating): a PING every
// interval, and the peer counts as dead when nothing at all arrived for the timeout. Off unless configured.

export interface HeartbeatConfig {
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

/** libzmq caps the PING TTL field (deciseconds, 16 bits) at 6553.5 s. */
const MAX_TTL_DECISECONDS = 0xffff;

export class Heartbeat {
  readonly #config: HeartbeatConfig;
  readonly #sendPing: (pingData: Uint8Array) => void;
  readonly #onDead: () => void;
  readonly #pingData: Uint8Array;
  #timer: ReturnType<typeof setInterval> | undefined;
  #hasActivity = false;
  #silentMs = 0;

  constructor(config: HeartbeatConfig, sendPing: (pingData: Uint8Array) => void, onDead: () => void) {
    this.#config = config;
    this.#sendPing = sendPing;
    this.#onDead = onDead;
    // TTL = our timeout: the peer may also drop us when our PINGs stop. Empty context.
    this.#pingData = new Uint8Array(2);
    const ttl = Math.min(MAX_TTL_DECISECONDS, Math.ceil(config.timeoutMs / 100));
    new DataView(this.#pingData.buffer).setUint16(0, ttl);
  }

  start(): void {
    this.#timer = setInterval(() => this.#tick(), this.#config.intervalMs);
  }

  /** Called for every received chunk; kept to a flag because it runs on the hot receive path. */
  noteActivity(): void {
    this.#hasActivity = true;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #tick(): void {
    if (this.#hasActivity) {
      this.#hasActivity = false;
      this.#silentMs = 0;
    } else {
      this.#silentMs += this.#config.intervalMs;
    }
    if (this.#silentMs >= this.#config.timeoutMs) {
      this.stop();
      this.#onDead();
      return;
    }
    this.#sendPing(this.#pingData);
  }
}
