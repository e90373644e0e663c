// Coded storage errors (apiserver's storage.StorageError). The registry turns them into Status.
export type StorageErrorCode = "NotFound" | "Exists" | "Conflict" | "Expired" | "InvalidObj";

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    readonly resource: string,
    readonly key: string,
    message: string,
    /** For Expired: the oldest revision still served. */
    readonly oldest?: number,
  ) {
    super(message);
    this.name = "StorageError";
  }
}

export const isStorageError = (e: unknown, code?: StorageErrorCode): e is StorageError =>
  e instanceof StorageError && (code === undefined || e.code === code);

export function expiredError(requested: number, oldest: number): StorageError {
  return new StorageError("Expired", "", "", `too old resource version: ${requested} (${oldest})`, oldest);
}
