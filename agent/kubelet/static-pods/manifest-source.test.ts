// The manifest directory on a real filesystem: YAML and JSON read, dotfiles and other files
// skipped, a bad file skipped with one warning (and the others still read), changes picked up
// by the watch and by the rescan, and a formatting-only edit keeping the pod as it was.
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Pod } from "../../../src/apis/core/v1/pod.js";
import { ManifestSource, parseManifest } from "./manifest-source.js";

const yamlPod = (name: string, image = "busybox:1.36") => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  containers:
  - name: c
    image: ${image}
`;
const jsonPod = (name: string) => JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name, namespace: "kube-system" }, spec: { containers: [{ name: "c", image: "busybox:1.36" }] } });

const sources: ManifestSource[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of sources.splice(0)) await s.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "edgeplane-manifests-"));
  dirs.push(d);
  return d;
}

function source(dir: string, rescanMs = 60_000) {
  const errors: string[] = [];
  let pods: ReadonlyMap<string, Pod> = new Map();
  let scans = 0;
  const s = new ManifestSource({
    dir,
    nodeName: "n1",
    rescanMs,
    log: { info: () => {}, error: (l) => errors.push(l) },
    onScan: (p) => {
      pods = p;
      scans++;
    },
  });
  sources.push(s);
  return { s, errors, pods: () => pods, scans: () => scans };
}

async function until<T>(what: string, check: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("parseManifest", () => {
  it("reads YAML and JSON; only the first YAML document counts", () => {
    expect(parseManifest(yamlPod("a"), "a.yaml")).toMatchObject({ ok: true, doc: { kind: "Pod", metadata: { name: "a" } }, warnings: [] });
    expect(parseManifest(jsonPod("b"), "b.json")).toMatchObject({ ok: true, doc: { metadata: { name: "b" } } });
    const multi = parseManifest(`${yamlPod("first")}---\n${yamlPod("second")}`, "m.yml");
    expect(multi).toMatchObject({ ok: true, doc: { metadata: { name: "first" } }, warnings: ["only the first of its 2 documents is used (one pod per file)"] });
    expect(parseManifest("---\n# nothing\n", "e.yaml")).toEqual({ ok: false, message: "the manifest is empty" });
    expect(parseManifest("{", "x.json")).toMatchObject({ ok: false, message: expect.stringMatching(/^couldn't parse as JSON: /) });
    expect(parseManifest("a: [1,\n", "x.yaml")).toMatchObject({ ok: false, message: expect.stringMatching(/^couldn't parse as YAML: /) });
  });
});

describe("ManifestSource", () => {
  it("reads .yaml, .yml and .json files, skips dotfiles, other files and directories, and a bad file with a warning", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "a.yaml"), yamlPod("a"));
    writeFileSync(join(dir, "b.json"), jsonPod("b"));
    writeFileSync(join(dir, "c.yml"), `${yamlPod("c")}---\n${yamlPod("c2")}`);
    writeFileSync(join(dir, ".hidden.yaml"), yamlPod("hidden"));
    writeFileSync(join(dir, "notes.txt"), yamlPod("txt"));
    writeFileSync(join(dir, "broken.yaml"), "kind: Pod\nmetadata: [\n");
    writeFileSync(join(dir, "deploy.yaml"), "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n");
    mkdirSync(join(dir, "sub.yaml"));
    const { s, errors, pods } = source(dir);
    await s.start();
    expect([...pods().keys()]).toEqual(["default/a-n1", "kube-system/b-n1", "default/c-n1"]);
    expect(errors).toHaveLength(4);
    expect(errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^✗ node n1: skipping static pod manifest ${dir}/broken.yaml: couldn't parse as YAML: `)),
        `✗ node n1: skipping static pod manifest ${dir}/deploy.yaml: couldn't parse as pod: apps/v1, Kind=Deployment is not a v1 Pod`,
        `✗ node n1: static pod manifest ${dir}/c.yml: only the first of its 2 documents is used (one pod per file)`,
        `✗ node n1: not recursing into static pod path ${dir}/sub.yaml`,
      ]),
    );
    // Said once: later scans of the same files are quiet.
    await s.scanNow();
    await s.scanNow();
    expect(errors).toHaveLength(4);
  });

  it("follows edits, new files and removals through the watch", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "web.yaml"), yamlPod("web"));
    const { s, pods } = source(dir);
    await s.start();
    const first = pods().get("default/web-n1")!;
    expect(first.metadata.uid).toMatch(/^[0-9a-f]{32}$/);

    // Formatting only (a comment): the same pod object, so the same uid and config.seen.
    writeFileSync(join(dir, "web.yaml"), `# comment\n${yamlPod("web")}`);
    await new Promise((r) => setTimeout(r, 400));
    await s.scanNow();
    expect(pods().get("default/web-n1")).toBe(first);

    // An edit written the way editors do (a dotfile renamed over the manifest) makes a new pod.
    writeFileSync(join(dir, ".web.yaml.swp"), yamlPod("web", "busybox:1.37"));
    renameSync(join(dir, ".web.yaml.swp"), join(dir, "web.yaml"));
    const edited = await until("the edit", () => {
      const p = pods().get("default/web-n1");
      return p && p.metadata.uid !== first.metadata.uid ? p : undefined;
    });
    expect(edited.spec.containers?.[0].image).toBe("busybox:1.37");

    writeFileSync(join(dir, "db.json"), jsonPod("db"));
    await until("the new file", () => pods().has("kube-system/db-n1"));
    rmSync(join(dir, "web.yaml"));
    await until("the removal", () => !pods().has("default/web-n1"));
    expect([...pods().keys()]).toEqual(["kube-system/db-n1"]);
  });

  it("rescans on its period: a directory that appears later is read", async () => {
    const parent = tmp();
    const dir = join(parent, "manifests");
    const { s, errors, pods, scans } = source(dir, 100);
    await s.start();
    expect(pods().size).toBe(0);
    expect(errors).toEqual([`✗ node n1: static pod path ${dir} does not exist, ignoring`]);
    mkdirSync(dir);
    writeFileSync(join(dir, "late.yaml"), yamlPod("late"));
    await until("the late pod", () => pods().has("default/late-n1"));
    const before = scans();
    await until("more rescans", () => scans() >= before + 2);
    expect(errors).toHaveLength(1);
  });

  it("keeps the first pod of a name and ignores a later file that declares it again", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "1.yaml"), yamlPod("same", "busybox:1"));
    writeFileSync(join(dir, "2.yaml"), yamlPod("same", "busybox:2"));
    const { s, errors, pods } = source(dir);
    await s.start();
    expect(pods().get("default/same-n1")?.spec.containers?.[0].image).toBe("busybox:1");
    expect(errors).toEqual([`✗ node n1: static pod manifest ${dir}/2.yaml declares pod default/same-n1, as ${dir}/1.yaml does: ignoring it`]);
  });
});
