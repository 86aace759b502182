/** Node only: graceful shutdown on SIGTERM/SIGINT for the generated servers (REST and MCP). */

/** Options of {@link installSignalHandlers}. */
export interface SignalHandlerOptions {
  /** Default SIGTERM and SIGINT. */
  signals?: NodeJS.Signals[];
  log?: (line: string) => void;
  /** Exit the process when shutdown completes (0) or fails (1); default true. */
  exit?: boolean;
}

/**
 * On SIGTERM/SIGINT, shuts the server down gracefully (then exits, by default). A second signal
 * exits at once. Returns a function that removes the handlers.
 */
export function installSignalHandlers(
  server: { close(): Promise<void> },
  options: SignalHandlerOptions = {},
): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const log = options.log ?? ((line: string) => console.error(line));
  const exit = options.exit ?? true;
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      log(`${signal} received again: exiting now.`);
      if (exit) process.exit(1);
      return;
    }
    shuttingDown = true;
    log(`${signal} received: finishing in-flight requests, then shutting down.`);
    server.close().then(
      () => {
        log('Server closed.');
        if (exit) process.exit(0);
      },
      (error: unknown) => {
        log(`Shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        if (exit) process.exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
