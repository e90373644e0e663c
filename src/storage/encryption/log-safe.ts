// What an unexpected error may say in a log. A runtime error can quote the text it choked on
// (V8's JSON.parse: `Unexpected token 'x', "{"data":{"pa"... is not valid JSON`), and for a
// Secret that text is its data: the message is cut at its first quote; stack frames stay.
import { StatusError } from "../../lib/status.js";

export function errorForLog(e: unknown): string {
  if (!(e instanceof Error)) return `a thrown ${typeof e} (not logged: it may hold stored data)`;
  // Status errors are worded by this code base (names and fields, never Secret data).
  const message = e instanceof StatusError ? e.message : withholdQuoted(e.message);
  const frames = (e.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l));
  return [`${e.name}: ${message}`, ...frames].join("\n");
}

function withholdQuoted(message: string): string {
  const i = message.search(/["'`]/);
  return i < 0 ? message : `${message.slice(0, i)}… (rest withheld: it may quote stored data)`;
}
