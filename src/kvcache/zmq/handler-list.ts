// User callbacks registered on a socket (onMessage, onConnect). They run inside socket callbacks, so a
// handler that throws is reported through onError and neither stops the others nor breaks the connection.

import { ZmtpError } from "./errors.ts";

export class HandlerList<T> {
  readonly #handlers: ((value: T) => void)[] = [];
  readonly #onError: (error: Error) => void;
  readonly #socketName: string;

  constructor(socketName: string, onError: (error: Error) => void) {
    this.#socketName = socketName;
    this.#onError = onError;
  }

  add(handler: (value: T) => void): void {
    this.#handlers.push(handler);
  }

  run(value: T): void {
    for (const handler of this.#handlers) {
      try {
        handler(value);
      } catch (error) {
        this.#onError(
          new ZmtpError("kvcache_zmq_handler_failed", `${this.#socketName} handler`, { cause: error }),
        );
      }
    }
  }
}
