// $(VAR) references in env values, command, args and subPathExpr, as upstream's
// third_party/forked/golang/expansion: `$$` is an escaped `$`, an unknown reference stays as
// written, an unterminated one is left alone; shell syntax ($VAR, ${VAR}) is not expanded.

export type Mapping = (name: string) => string;

/** A mapping that looks a name up in each context in turn and leaves unknown names as `$(NAME)`. */
export function mappingFuncFor(...contexts: Array<ReadonlyMap<string, string> | Readonly<Record<string, string>>>): Mapping {
  return (name) => {
    for (const ctx of contexts) {
      if (ctx instanceof Map) {
        if (ctx.has(name)) return ctx.get(name)!;
      } else if (Object.prototype.hasOwnProperty.call(ctx, name)) {
        return (ctx as Record<string, string>)[name];
      }
    }
    return `$(${name})`;
  };
}

export function expand(input: string, mapping: Mapping): string {
  let out = "";
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== "$" || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    const { read, isVar, advance } = readVariableName(rest);
    out += isVar ? mapping(read) : read;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/**
 * What follows a `$`: an escaped `$` (written as one `$`), a complete `(NAME)`, or something that is
 * not a reference (written as it was). `advance` counts the characters consumed after the `$`.
 */
function readVariableName(input: string): { read: string; isVar: boolean; advance: number } {
  if (input[0] === "$") return { read: "$", isVar: false, advance: 1 };
  if (input[0] === "(") {
    const close = input.indexOf(")", 1);
    if (close >= 0) return { read: input.slice(1, close), isVar: true, advance: close + 1 };
    // Incomplete: keep "$(" and scan on from the character after "(".
    return { read: "$(", isVar: false, advance: 1 };
  }
  return { read: "$" + input[0], isVar: false, advance: 1 };
}
