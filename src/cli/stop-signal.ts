// SIGTERM/SIGINT for the long-running commands (`up`, `gateway`, `sim`): the first asks for an orderly
// stop, a second one means "now" and exits 130 at once.

/** Resolves with the first SIGTERM or SIGINT; any later one exits the process with 130. */
export function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let isReceived = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (isReceived) process.exit(130);
      isReceived = true;
      resolve(signal);
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}
