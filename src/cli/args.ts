// A small, strict flag parser for the edgeplane CLI: `--flag value`, `--flag=value`,
// short aliases, repeatable flags and `--`. Errors are UsageErrors (exit code 2) with a hint.

export type FlagType = "string" | "boolean" | "list";

export interface FlagSpec {
  name: string; // long name without dashes, e.g. "port"
  short?: string; // one letter, e.g. "q"
  type: FlagType;
  valueName?: string; // shown in help, e.g. "N", "DIR"
  description: string;
  default?: string;
}

export interface Parsed {
  flags: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** A mistake in how the command was called: the CLI prints the message and hint and exits 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

export function parseArgs(argv: string[], specs: FlagSpec[], command: string): Parsed {
  const flags: Parsed["flags"] = {};
  const positionals: string[] = [];
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short as string, s]));
  const helpHint = `run '${command} --help' to see its flags`;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let spec: FlagSpec | undefined;
    let inline: string | undefined;
    let shown: string;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
      shown = `--${name}`;
      spec = byLong.get(name);
      if (!spec) {
        const guess = closest(name, [...byLong.keys()]);
        throw new UsageError(
          `unknown flag ${shown} for '${command}'`,
          (guess ? `did you mean --${guess}? ` : "") + helpHint,
        );
      }
    } else if (arg.startsWith("-") && arg.length > 1 && !/^-\d/.test(arg)) {
      const name = arg.slice(1, 2);
      shown = `-${name}`;
      spec = arg.length === 2 ? byShort.get(name) : undefined;
      if (!spec) throw new UsageError(`unknown flag ${arg} for '${command}'`, helpHint);
    } else {
      positionals.push(arg);
      continue;
    }

    if (spec.type === "boolean") {
      if (inline === undefined) flags[spec.name] = true;
      else if (inline === "true" || inline === "false") flags[spec.name] = inline === "true";
      else throw new UsageError(`flag ${shown} takes no value (got '${inline}')`, helpHint);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith("-") && next.length > 1 && !/^-\d/.test(next))) {
        throw new UsageError(`flag ${shown} needs a value${spec.valueName ? ` (${spec.valueName})` : ""}`, helpHint);
      }
      value = next;
      i++;
    }
    if (spec.type === "list") {
      const list = (flags[spec.name] as string[] | undefined) ?? [];
      list.push(value);
      flags[spec.name] = list;
    } else {
      flags[spec.name] = value;
    }
  }
  return { flags, positionals };
}

/** The help block listing flags, aligned. */
export function formatFlags(specs: FlagSpec[]): string {
  const left = specs.map((s) => {
    const short = s.short ? `-${s.short}, ` : "    ";
    return `  ${short}--${s.name}${s.valueName ? ` ${s.valueName}` : ""}`;
  });
  const width = Math.max(...left.map((l) => l.length)) + 3;
  return specs
    .map((s, i) => {
      const def = s.default !== undefined ? ` (default ${s.default})` : "";
      return left[i].padEnd(width) + s.description + def;
    })
    .join("\n");
}

/** The closest candidate by edit distance, if it is close enough to be a likely typo. */
export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= (word.length <= 3 ? 1 : 2) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}
