import { describe, expect, it } from "vitest";
import { findKind } from "./index.js";
import { duplicateFields, unknownFields } from "./unknown-fields.js";

const pod = findKind("", "v1", "pods")!;
const deploy = findKind("apps", "v1", "deployments")!;

describe("unknown fields", () => {
  it("names unknown fields with upstream's paths, in lists and nested objects", () => {
    const raw = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", labels: { a: "b" }, colour: "red" },
      spec: { containers: [{ name: "c", image: "i", imagee: "x", ports: [{ containerPort: 80, portt: 1 }] }], nodeNmae: "n" },
    };
    expect(unknownFields(pod.schema, raw)).toEqual(["metadata.colour", "spec.containers[0].imagee", "spec.containers[0].ports[0].portt", "spec.nodeNmae"]);
  });
  it("accepts every field of a valid object, including maps and int-or-string", () => {
    const raw = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "d", annotations: { "x/y": "z" } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "a" } },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 1 } },
        template: { metadata: { labels: { app: "a" } }, spec: { containers: [{ name: "c", image: "i", resources: { limits: { cpu: "1" } } }] } },
      },
    };
    expect(unknownFields(deploy.schema, raw)).toEqual([]);
  });
});

describe("duplicate fields", () => {
  it("finds keys given twice in one object, with their paths", () => {
    expect(duplicateFields('{"metadata":{"name":"a","name":"b"},"spec":{"containers":[{"name":"c","image":"i","image":"j"}]}}')).toEqual([
      "metadata.name",
      "spec.containers[0].image",
    ]);
    expect(duplicateFields('{"a":"x\\"y","b":[1,2,{"c":true}],"d":null}')).toEqual([]);
  });
});
