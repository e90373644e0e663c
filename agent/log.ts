// The agent's output: progress and state changes on stdout (silenced by --quiet), problems on
// stderr. Lines, not per-attempt noise: callers log when something changes.

export interface Logger {
  /** Progress and recoveries (`✓ …`). */
  info(line: string): void;
  /** Problems (`✗ …`), shown even with --quiet. */
  error(line: string): void;
}

export function consoleLogger(quiet: boolean, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Logger {
  return {
    info: (line) => {
      if (!quiet) out.write(`${line}\n`);
    },
    error: (line) => err.write(`${line}\n`),
  };
}

export const silentLogger: Logger = { info: () => {}, error: () => {} };
