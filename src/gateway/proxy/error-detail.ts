// Log-safe one-word causes for upstream failures (never sent to clients: they may name hosts).

/** The system error code when there is one (ECONNREFUSED, ECONNRESET), else the message. */
export function describeError(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    if ("code" in error && typeof error.code === "string" && error.code !== "") return error.code;
    if (error instanceof Error) return error.message;
  }
  return String(error);
}
