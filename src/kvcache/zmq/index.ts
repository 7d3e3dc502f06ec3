// Pure-TypeScript ZMTP 3.x transport over Bun TCP sockets (NULL security; PUB, SUB, ROUTER, DEALER).
// Hand-written because the `zeromq` npm addon aborts under Bun (no uv_poll_* polyfill) and npm has no
// pure-JS ZMTP client for tcp://; see shared/docs/bun-platform.md §5. Specs: rfc.zeromq.org/spec/23, /37.

export { connectDealer } from "./dealer.ts";
export type { ZmtpErrorCode } from "./errors.ts";
export { ZMTP_ERROR_CODES, ZmtpError } from "./errors.ts";
export { bindPublisher } from "./publisher.ts";
export { bindRouter } from "./router.ts";
export { connectSubscriber } from "./subscriber.ts";
export type {
  Multipart,
  ZmqBindOptions,
  ZmqConnectOptions,
  ZmqDealer,
  ZmqDealerOptions,
  ZmqPublisher,
  ZmqRouter,
  ZmqSubscriber,
} from "./types.ts";
