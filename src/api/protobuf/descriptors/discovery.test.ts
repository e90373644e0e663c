import { describe, expect, it } from "vitest";
import { decodeProtobufObject, encodeProtobufObject, registeredKinds } from "../index.js";

const roundTrip = (obj: Record<string, unknown>) => expect(decodeProtobufObject(encodeProtobufObject(obj)).object).toEqual(obj);

describe("discovery.k8s.io/v1 protobuf", () => {
  it("round-trips an EndpointSlice as the controller writes it, and a placeholder", () => {
    roundTrip({
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: { name: "web-x7k2p", namespace: "default", labels: { "kubernetes.io/service-name": "web" } },
      addressType: "IPv4",
      endpoints: [
        {
          addresses: ["10.244.0.5"],
          conditions: { ready: false, serving: true, terminating: true },
          nodeName: "n1",
          hostname: "web-0",
          zone: "z1",
          targetRef: { kind: "Pod", namespace: "default", name: "web-0", uid: "u1" },
          hints: { forZones: [{ name: "z1" }] },
        },
      ],
      ports: [{ name: "", protocol: "TCP", port: 80 }, { name: "dns", protocol: "UDP", port: 53, appProtocol: "dns" }],
    });
    roundTrip({ apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice", metadata: { generateName: "web-" }, addressType: "IPv4", endpoints: [] });
    expect(registeredKinds()).toContainEqual({ apiVersion: "discovery.k8s.io/v1", kind: "EndpointSliceList" });
  });
});
