// Why this exists: one error type for every protobuf failure, so the API layer can map it to a
// 400/406 Status while keeping upstream's wording (k8s.io/apimachinery runtime + gogo/protobuf).

export type ProtobufErrorReason = "Malformed" | "NotRegistered" | "MissingKind" | "MissingVersion" | "Unencodable";

export class ProtobufError extends Error {
  readonly reason: ProtobufErrorReason;
  constructor(reason: ProtobufErrorReason, message: string) {
    super(message);
    this.name = "ProtobufError";
    this.reason = reason;
  }
}

/** The scheme name kube-apiserver reports in "no kind ... is registered" errors. */
export const SCHEME_NAME = "pkg/api/legacyscheme/scheme.go:30";

export function notRegistered(kind: string, version: string): ProtobufError {
  return new ProtobufError("NotRegistered", `no kind "${kind}" is registered for version "${version}" in scheme "${SCHEME_NAME}"`);
}
