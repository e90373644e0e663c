// The one error every patch function throws. It carries the HTTP code upstream answers with
// (400 for a malformed patch, 422 for one that cannot apply), so the API layer can turn it
// into a metav1.Status without reading the message.

export type PatchErrorCode = 400 | 415 | 422;

export class PatchError extends Error {
  constructor(
    message: string,
    /** 400 BadRequest: the patch itself is malformed. 422 Invalid: it cannot apply to this object.
     *  415 UnsupportedMediaType: this patch type is not accepted for this kind. */
    readonly code: PatchErrorCode = 422,
  ) {
    super(message);
    this.name = "PatchError";
  }

  get reason(): "BadRequest" | "UnsupportedMediaType" | "Invalid" {
    return this.code === 400 ? "BadRequest" : this.code === 415 ? "UnsupportedMediaType" : "Invalid";
  }
}

export const isPatchError = (e: unknown): e is PatchError => e instanceof PatchError;
