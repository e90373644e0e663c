// A refusal a tunnel handler throws on purpose: it becomes the error frame, and the frame the
// API's answer (code, reason and message of a metav1.Status). The kubelet's refusals of a log
// request ("previous terminated container … not found") are 400 BadRequest, as upstream's
// apiserver relays a 400 from the kubelet.
export class TunnelRequestError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = "TunnelRequestError";
  }
}

/** 400 BadRequest, how the kubelet's log errors reach the client. */
export function badRequest(message: string): TunnelRequestError {
  return new TunnelRequestError(400, "BadRequest", message);
}
