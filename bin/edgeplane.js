#!/usr/bin/env node
// The `edgeplane` command. The CLI is TypeScript (src/cli/main.ts), loaded through tsx so
// that it runs without a build step, from any working directory.
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { register } from "tsx/esm/api";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
register({ tsconfig: join(root, "tsconfig.json") });

try {
  const { main } = await import(pathToFileURL(join(root, "src", "cli", "main.ts")).href);
  const code = await main(process.argv.slice(2));
  process.exit(code);
} catch (err) {
  process.stderr.write(`edgeplane: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
}
