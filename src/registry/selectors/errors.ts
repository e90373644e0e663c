// The one failure both selector parsers report: kube-apiserver answers a bad labelSelector or
// fieldSelector (or an unsupported field label) with 400 BadRequest and the parser's message.
import { badRequest, type StatusError } from "../../lib/status.js";

export class SelectorParseError extends Error {
  readonly code = 400;
  readonly reason = "BadRequest" as const;

  constructor(message: string) {
    super(message);
    this.name = "SelectorParseError";
  }

  /** The metav1.Status form, for the registry boundary. */
  toStatusError(): StatusError {
    return badRequest(this.message);
  }
}
