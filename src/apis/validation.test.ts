import { describe, expect, it } from "vitest";
import { fieldErrorMessage } from "../lib/field-errors.js";
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, validateLabelSelector, validateObjectMeta } from "./validation.js";

const msgs = (errs: ReturnType<typeof validateObjectMeta>) => errs.map(fieldErrorMessage);

describe("DNS names", () => {
  it("subdomain: upstream's exact message", () => {
    expect(isDNS1123Subdomain("Foo_bar")).toEqual([
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
    expect(isDNS1123Subdomain("a".repeat(254))[0]).toBe("must be no more than 253 characters");
    expect(isDNS1123Subdomain("my.app-1")).toEqual([]);
  });
  it("label: dots and bad characters", () => {
    expect(isDNS1123Label("a.b")).toEqual(["must not contain dots"]);
    expect(isDNS1123Label("A")).toEqual([
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
  });
  it("DNS-1035 label must start with a letter", () => {
    expect(isDNS1035Label("1abc")[0]).toMatch(/^a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character/);
    expect(isDNS1035Label("abc")).toEqual([]);
  });
});

describe("qualified names and label values", () => {
  it("accepts prefixed keys and rejects bad ones", () => {
    expect(isQualifiedName("app.kubernetes.io/name")).toEqual([]);
    expect(isQualifiedName("/name")).toEqual(["prefix part must be non-empty"]);
    expect(isQualifiedName("a/b/c")[0]).toMatch(/^a qualified name must consist of/);
    expect(isQualifiedName("x".repeat(64))).toEqual(["name part must be no more than 63 characters"]);
  });
  it("label values may be empty, not longer than 63", () => {
    expect(isValidLabelValue("")).toEqual([]);
    expect(isValidLabelValue("-x")[0]).toMatch(/^a valid label must be an empty string or consist of alphanumeric characters/);
  });
});

describe("validateObjectMeta", () => {
  it("requires name or generateName", () => {
    expect(msgs(validateObjectMeta({}, true, "dns1123Subdomain"))).toEqual(["metadata.name: Required value: name or generateName is required"]);
    expect(msgs(validateObjectMeta({ generateName: "web-" }, true, "dns1123Subdomain"))).toEqual(["metadata.name: Required value: name or generateName is required"]);
  });
  it("checks names by rule, labels, owner references", () => {
    const errs = msgs(
      validateObjectMeta(
        {
          name: "Bad_Name",
          labels: { "bad key!": "v" },
          ownerReferences: [
            { apiVersion: "apps/v1", kind: "ReplicaSet", name: "a", uid: "1", controller: true },
            { apiVersion: "apps/v1", kind: "ReplicaSet", name: "b", uid: "", controller: true },
          ],
        },
        true,
        "dns1123Subdomain",
      ),
    );
    expect(errs[0]).toMatch(/^metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    expect(errs).toContain('metadata.ownerReferences[1].uid: Invalid value: "": uid must not be empty');
    expect(errs.some((e) => e.includes('Only one reference can have Controller set to true. Found "true" in references for ReplicaSet/a and ReplicaSet/b'))).toBe(true);
    expect(errs.some((e) => e.startsWith('metadata.labels: Invalid value: "bad key!": name part must consist of'))).toBe(true);
  });
  it("path-segment names", () => {
    expect(msgs(validateObjectMeta({ name: ".." }, false, "pathSegment"))).toEqual(["metadata.name: Invalid value: \"..\": may not be '..'"]);
    expect(msgs(validateObjectMeta({ name: "a/b" }, false, "pathSegment"))).toEqual(["metadata.name: Invalid value: \"a/b\": may not contain '/'"]);
  });
  it("generateName allows a trailing dash", () => {
    expect(msgs(validateObjectMeta({ name: "web-x1", generateName: "web-" }, true, "dns1123Label"))).toEqual([]);
  });
});

describe("validateLabelSelector", () => {
  it("operators and values", () => {
    const errs = validateLabelSelector(
      {
        matchExpressions: [
          { key: "a", operator: "In", values: [] },
          { key: "b", operator: "Exists", values: ["x"] },
          { key: "c", operator: "Near" },
        ],
      },
      "spec.selector",
    ).map(fieldErrorMessage);
    expect(errs).toEqual([
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.selector.matchExpressions[2].operator: Invalid value: "Near": not a valid selector operator',
    ]);
  });
});
