import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../apis/types.js";
import { kinds } from "../../apis/index.js";
import { columnDefinitionsFor, hasPrinter, tableFor } from "./index.js";
import { M, NOW, ago, kubectlHeaders } from "./test-helpers.js";

const cm = (name: string, rv: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: rv, creationTimestamp: ago(5 * M), labels: { a: "b" } },
  data: { k: "v" },
});

describe("tableFor", () => {
  it("builds a meta.k8s.io/v1 Table with list metadata, all columns and PartialObjectMetadata rows", () => {
    const t = tableFor("", "ConfigMap", [cm("one", "10"), cm("two", "11")], {
      now: NOW,
      includeObject: "Metadata",
      listMeta: { resourceVersion: "12", continue: "tok", remainingItemCount: 3 },
    });
    expect(t.kind).toBe("Table");
    expect(t.apiVersion).toBe("meta.k8s.io/v1");
    expect(t.metadata).toEqual({ resourceVersion: "12", continue: "tok", remainingItemCount: 3 });
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Data", "Age"]);
    expect(t.rows).toHaveLength(2);
    expect(t.rows[0]).toEqual({
      cells: ["one", 1, "5m"],
      object: {
        kind: "PartialObjectMetadata",
        apiVersion: "meta.k8s.io/v1",
        metadata: cm("one", "10").metadata,
      },
    });
  });

  it("serializes every column field (no omitempty) and keys in upstream's order", () => {
    const t = tableFor("", "ConfigMap", [], { now: NOW, includeObject: "None" });
    const json = JSON.parse(JSON.stringify(t));
    expect(Object.keys(json)).toEqual(["kind", "apiVersion", "metadata", "columnDefinitions", "rows"]);
    expect(json.metadata).toEqual({});
    expect(json.rows).toEqual([]);
    expect(Object.keys(json.columnDefinitions[0])).toEqual(["name", "type", "format", "description", "priority"]);
    expect(json.columnDefinitions[1]).toMatchObject({ name: "Data", type: "string", format: "", priority: 0 });
  });

  it("includes the full object, or none", () => {
    const full = tableFor("", "ConfigMap", [cm("one", "10")], { now: NOW, includeObject: "Object" });
    expect(full.rows[0].object).toEqual(cm("one", "10"));
    const none = tableFor("", "ConfigMap", [cm("one", "10")], { now: NOW, includeObject: "None" });
    expect(none.rows[0]).toEqual({ cells: ["one", 1, "5m"] });
    expect("object" in none.rows[0]).toBe(false);
  });

  it("fills apiVersion/kind on full objects that lack them", () => {
    const bare = { metadata: { name: "d", creationTimestamp: ago(0) }, spec: {} } as KubeObject;
    const t = tableFor("apps", "Deployment", [bare], { now: NOW, includeObject: "Object" });
    expect(t.rows[0].object).toMatchObject({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "d" } });
  });

  it("uses upstream's default table (Name, Created At) for kinds without a printer", () => {
    const obj = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", creationTimestamp: "2025-05-30T08:15:00Z", resourceVersion: "4" } } as KubeObject;
    const t = tableFor("example.com", "Widget", [obj], { now: NOW, includeObject: "None", listMeta: { resourceVersion: "4" } });
    expect(t.columnDefinitions.map((c) => [c.name, c.type, c.format, c.priority])).toEqual([
      ["Name", "string", "name", 0],
      ["Created At", "date", "", 0],
    ]);
    expect(kubectlHeaders(t.columnDefinitions)).toEqual(["NAME", "CREATED AT"]);
    expect(t.rows[0].cells).toEqual(["w", "2025-05-30T08:15:00Z"]);
    expect(t.metadata).toEqual({ resourceVersion: "4" });
  });
});

describe("columnDefinitionsFor", () => {
  it("has a printer for every served built-in kind", () => {
    for (const k of kinds) expect(hasPrinter(k.group, k.kind), `${k.group}/${k.kind}`).toBe(true);
  });
  it("returns copies (callers can't corrupt the shared definitions)", () => {
    const cols = columnDefinitionsFor("", "Pod");
    cols[0].name = "changed";
    expect(columnDefinitionsFor("", "Pod")[0].name).toBe("Name");
  });
  it("starts every printer but events with the NAME (format name) column", () => {
    for (const k of kinds) {
      const cols = columnDefinitionsFor(k.group, k.kind);
      if (k.kind === "Event") {
        expect(cols[0].name).toBe("Last Seen");
        continue;
      }
      expect(cols[0]).toMatchObject({ name: "Name", type: "string", format: "name", priority: 0 });
    }
  });
});
