// Where the package lives, independent of the caller's cwd: the Worker's wrangler.toml
// and the wrangler binary are resolved from here.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the edgeplane package (the folder holding package.json). */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version?: string };
  return pkg.version ?? "0.0.0";
}

/** The wrangler CLI script (run with `node`), found the way Node resolves the package's dependencies. */
export function wranglerScript(): string {
  const require = createRequire(join(packageRoot, "package.json"));
  const pkgPath = require.resolve("wrangler/package.json");
  const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { bin?: string | Record<string, string> };
  const bin = typeof pkg.bin === "string" ? pkg.bin : pkg.bin?.wrangler;
  if (!bin) throw new Error(`wrangler's package.json (${pkgPath}) names no bin`);
  return join(dirname(pkgPath), bin);
}
