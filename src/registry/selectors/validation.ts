// The field.Error rendering the label parser reports bad keys and values with, worded as
// upstream words it.

// The key and value rules themselves are the ones object validation uses (one implementation).
export { isQualifiedName, isValidLabelValue } from "../../apis/validation.js";

/** Go's %q for a string, which field.Error uses to show a bad string value. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"': out += '\\"'; continue;
      case "\\": out += "\\\\"; continue;
      case "\x07": out += "\\a"; continue;
      case "\b": out += "\\b"; continue;
      case "\f": out += "\\f"; continue;
      case "\n": out += "\\n"; continue;
      case "\r": out += "\\r"; continue;
      case "\t": out += "\\t"; continue;
      case "\v": out += "\\v"; continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + '"';
}

/**
 * field.Invalid(path, value, detail).Error(). A nil *field.Path prints as "<nil>", which is
 * why a bad key in a parsed selector reads `<nil>: Invalid value: ...` upstream.
 */
export function invalidFieldMessage(path: string | null, value: unknown, detail: string): string {
  let rendered: string;
  if (typeof value === "string") rendered = goQuote(value);
  else if (value === undefined) rendered = "null";
  else rendered = JSON.stringify(value);
  return `${path ?? "<nil>"}: Invalid value: ${rendered}${detail ? `: ${detail}` : ""}`;
}

/** utilerrors.NewAggregate(...).Error(): one message as is, several deduplicated in brackets. */
export function aggregateMessage(msgs: string[]): string {
  if (msgs.length === 1) return msgs[0];
  const seen = [...new Set(msgs)];
  return seen.length === 1 ? seen[0] : `[${seen.join(", ")}]`;
}
