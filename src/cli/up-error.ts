// The one error `edgeplane up` reports: what went wrong, what to do about it, wrangler's last lines.
/** A failure to start, with what a person can do about it and wrangler's last lines. */
export class UpError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly output: string[] = [],
    readonly aborted = false,
  ) {
    super(message);
    this.name = "UpError";
  }
}
