// Field errors as kube-apiserver's field.Error: a type, a path, the bad value and a detail.
// They become StatusCauses of a 422 Invalid and read exactly like upstream's messages.

export type FieldErrorType =
  | "FieldValueRequired"
  | "FieldValueInvalid"
  | "FieldValueNotSupported"
  | "FieldValueDuplicate"
  | "FieldValueTooLong"
  | "FieldValueTooMany"
  | "FieldValueForbidden"
  | "FieldValueNotFound";

export interface FieldError {
  type: FieldErrorType;
  /** Path such as `spec.containers[0].name`. */
  field: string;
  badValue?: unknown;
  detail?: string;
  /** Values accepted, for FieldValueNotSupported. */
  validValues?: string[];
}

const typeText: Record<FieldErrorType, string> = {
  FieldValueRequired: "Required value",
  FieldValueInvalid: "Invalid value",
  FieldValueNotSupported: "Unsupported value",
  FieldValueDuplicate: "Duplicate value",
  FieldValueTooLong: "Too long",
  FieldValueTooMany: "Too many",
  FieldValueForbidden: "Forbidden",
  FieldValueNotFound: "Not found",
};

/** Go's %#v rendering, as upstream prints bad values: `"x"`, `-1`, `map[string]string{"app":"b"}`. */
export function renderValue(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === "string")) return `[]string{${v.map((x) => JSON.stringify(x)).join(", ")}}`;
  if (typeof v === "object" && !Array.isArray(v) && Object.values(v as object).every((x) => typeof x === "string")) {
    const entries = Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${JSON.stringify((v as Record<string, string>)[k])}`);
    return `map[string]string{${entries.join(", ")}}`;
  }
  return JSON.stringify(v);
}

/** The cause message, without the field: `Invalid value: -1: must be greater than or equal to 0`. */
export function fieldErrorBody(e: FieldError): string {
  const parts = [typeText[e.type]];
  const showValue = e.type === "FieldValueInvalid" || e.type === "FieldValueNotSupported" || e.type === "FieldValueDuplicate" || e.type === "FieldValueNotFound";
  if (showValue && "badValue" in e) parts.push(renderValue(e.badValue));
  if (e.type === "FieldValueNotSupported" && e.validValues?.length) {
    parts.push(`supported values: ${e.validValues.map((v) => JSON.stringify(v)).join(", ")}`);
  } else if (e.detail) {
    parts.push(e.detail);
  }
  return parts.join(": ");
}

/** The full message: `spec.replicas: Invalid value: -1: must be greater than or equal to 0`. */
export function fieldErrorMessage(e: FieldError): string {
  return e.field ? `${e.field}: ${fieldErrorBody(e)}` : fieldErrorBody(e);
}

export const required = (field: string, detail?: string): FieldError => ({ type: "FieldValueRequired", field, detail });
export const invalid = (field: string, badValue: unknown, detail?: string): FieldError => ({ type: "FieldValueInvalid", field, badValue, detail });
export const notSupported = (field: string, badValue: unknown, validValues: string[]): FieldError => ({ type: "FieldValueNotSupported", field, badValue, validValues });
export const duplicate = (field: string, badValue: unknown): FieldError => ({ type: "FieldValueDuplicate", field, badValue });
export const forbidden = (field: string, detail: string): FieldError => ({ type: "FieldValueForbidden", field, detail });
export const tooLong = (field: string, badValue: unknown, max: number): FieldError => ({ type: "FieldValueTooLong", field, badValue, detail: `may not be more than ${max} bytes` });
