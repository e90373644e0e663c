// The static pods of a manifest directory (upstream's kubelet/config file source): every .yaml,
// .yml and .json file that is not a dotfile holds one Pod. The directory is read again when it
// changes (fs.watch) and every rescan period anyway (upstream's --file-check-frequency, 20 s),
// since watches miss edits on some filesystems. A file that cannot be used is skipped with one
// line saying why, logged again only when the file changes; it never stops the others.
import { type FSWatcher, watch } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { isScalar, parseAllDocuments } from "yaml";
import type { Pod } from "../../../src/apis/core/v1/pod.js";
import type { Logger } from "../../log.js";
import { staticPodFrom, type StaticPodResult } from "./static-pod.js";

/** upstream's default --file-check-frequency. */
export const DEFAULT_RESCAN_MS = 20_000;
const MANIFEST_EXTENSIONS = new Set([".yaml", ".yml", ".json"]);
/** Editors write a file in several steps: one scan after the burst of events. */
const SETTLE_MS = 100;
/** YAML aliases a manifest may expand (billion laughs). */
const MAX_ALIAS_COUNT = 100;

export type ParsedManifest = { ok: true; doc: unknown; warnings: string[] } | { ok: false; message: string };

/** The first document of a manifest file; later documents are ignored (upstream reads one pod per file). */
export function parseManifest(text: string, path: string): ParsedManifest {
  if (extname(path) === ".json") {
    try {
      return { ok: true, doc: JSON.parse(text), warnings: [] };
    } catch (err) {
      return { ok: false, message: `couldn't parse as JSON: ${(err as Error).message}` };
    }
  }
  const docs = parseAllDocuments(text, { prettyErrors: false });
  if (!Array.isArray(docs)) return { ok: false, message: "the manifest is empty" };
  // A document of only comments or `---` is no document.
  const present = docs.filter((d) => d.errors.length > 0 || !(d.contents === null || (isScalar(d.contents) && d.contents.value === null)));
  const first = present[0];
  if (!first) return { ok: false, message: "the manifest is empty" };
  if (first.errors.length) return { ok: false, message: `couldn't parse as YAML: ${first.errors[0].message}` };
  let doc: unknown;
  try {
    doc = first.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    return { ok: false, message: `couldn't parse as YAML: ${(err as Error).message}` };
  }
  const warnings = present.length > 1 ? [`only the first of its ${present.length} documents is used (one pod per file)`] : [];
  return { ok: true, doc, warnings };
}

export interface ManifestSourceOptions {
  dir: string;
  nodeName: string;
  log: Logger;
  rescanMs?: number;
  /** After every scan: the static pods by namespace/name key, in file order. */
  onScan(pods: ReadonlyMap<string, Pod>): void;
  /** For tests: the clock of config.seen. */
  now?: () => Date;
}

interface FileState {
  text: string;
  result: StaticPodResult;
}

export class ManifestSource {
  private readonly files = new Map<string, FileState>();
  private watcher?: FSWatcher;
  private timer?: NodeJS.Timeout;
  private settle?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  /** Problems of the last scan that are not a file's content: each is said when it appears. */
  private problems = new Set<string>();

  constructor(private readonly o: ManifestSourceOptions) {}

  /** Reads the directory once (static pods are known when this resolves), then follows it. */
  async start(): Promise<void> {
    await this.scanNow();
    if (this.stopped) return;
    this.timer = setInterval(() => this.scanLater(), this.o.rescanMs ?? DEFAULT_RESCAN_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.settle);
    this.watcher?.close();
    this.watcher = undefined;
    await this.running?.catch(() => {});
  }

  /** Reads the directory now (after a scan that is running, if any). */
  scanNow(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = async () => {
      do {
        this.again = false;
        await this.scan();
      } while (this.again && !this.stopped);
    };
    this.running = run().finally(() => (this.running = undefined));
    return this.running;
  }

  /** A scan from a timer or the watch: what goes wrong is said, not thrown. */
  private scanLater(): void {
    this.scanNow().catch((err: unknown) => this.warn(`reading static pod path ${this.o.dir} failed: ${(err as Error).message}`));
  }

  private follow(): void {
    if (this.watcher || this.stopped) return;
    try {
      this.watcher = watch(this.o.dir, { persistent: false }, () => {
        clearTimeout(this.settle);
        this.settle = setTimeout(() => this.scanLater(), SETTLE_MS);
        this.settle.unref();
      });
      // The directory went away (or was replaced): the rescan watches it again once it is back.
      this.watcher.on("error", () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      this.watcher = undefined;
    }
  }

  private warn(what: string): void {
    this.o.log.error(`✗ node ${this.o.nodeName}: ${what}`);
  }

  private async scan(): Promise<void> {
    if (this.stopped) return;
    const dir = this.o.dir;
    const problems = new Set<string>();
    let names: string[] = [];
    try {
      names = (await readdir(dir)).sort();
      this.follow();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      problems.add(e.code === "ENOENT" ? `static pod path ${dir} does not exist, ignoring` : `cannot read static pod path ${dir}: ${e.message}`);
      this.watcher?.close();
      this.watcher = undefined;
    }

    const seenPaths = new Set<string>();
    for (const name of names) {
      if (name.startsWith(".") || !MANIFEST_EXTENSIONS.has(extname(name))) continue;
      const path = join(dir, name);
      let text: string;
      try {
        const st = await stat(path);
        if (st.isDirectory()) {
          problems.add(`not recursing into static pod path ${path}`);
          continue;
        }
        text = await readFile(path, "utf8");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") continue; // removed since readdir
        problems.add(`cannot read static pod manifest ${path}: ${(err as Error).message}`);
        continue;
      }
      seenPaths.add(path);
      const before = this.files.get(path);
      if (before?.text === text) continue;
      const result = this.read(path, text, before);
      this.files.set(path, { text, result });
    }
    for (const path of [...this.files.keys()]) if (!seenPaths.has(path)) this.files.delete(path);
    if (this.stopped) return;

    const pods = new Map<string, Pod>();
    const owner = new Map<string, string>();
    for (const [path, f] of this.files) {
      if (!f.result.ok) continue;
      const key = `${f.result.pod.metadata.namespace}/${f.result.pod.metadata.name}`;
      const first = owner.get(key);
      if (first) {
        // upstream keeps the first pod of a name and ignores the others.
        problems.add(`static pod manifest ${path} declares pod ${key}, as ${first} does: ignoring it`);
        continue;
      }
      owner.set(key, path);
      pods.set(key, f.result.pod);
    }
    for (const p of problems) if (!this.problems.has(p)) this.warn(p);
    this.problems = problems;
    this.o.onScan(pods);
  }

  /** A file's pod; the previous pod object when only its formatting changed (same uid, same config.seen). */
  private read(path: string, text: string, before: FileState | undefined): StaticPodResult {
    const parsed = parseManifest(text, path);
    if (!parsed.ok) {
      this.warn(`skipping static pod manifest ${path}: ${parsed.message}`);
      return { ok: false, message: parsed.message };
    }
    for (const w of parsed.warnings) this.warn(`static pod manifest ${path}: ${w}`);
    const result = staticPodFrom(parsed.doc, { nodeName: this.o.nodeName, source: path, seen: this.o.now?.() ?? new Date() });
    if (!result.ok) {
      this.warn(`skipping static pod manifest ${path}: ${result.message}`);
      return result;
    }
    if (before?.result.ok && before.result.pod.metadata.uid === result.pod.metadata.uid) return before.result;
    return result;
  }
}
