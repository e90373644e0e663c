import { describe, expect, it } from "vitest";
import type { Service } from "../../../src/apis/core/v1/service.js";
import { podServicesEnv } from "./service-env.js";

const svc = (namespace: string, name: string, clusterIP: string, ports: Service["spec"]["ports"]): Service =>
  ({ apiVersion: "v1", kind: "Service", metadata: { namespace, name }, spec: { type: "ClusterIP", sessionAffinity: "None", clusterIP, ports } }) as Service;

const services: Record<string, Service[]> = {
  default: [svc("default", "kubernetes", "10.96.0.1", [{ name: "https", port: 443, protocol: "TCP" }])],
  shop: [
    svc("shop", "redis-primary", "10.96.4.4", [{ port: 6379, protocol: "TCP" }]),
    svc("shop", "web", "10.96.5.5", [{ name: "http", port: 80, protocol: "TCP" }, { name: "dns", port: 53, protocol: "UDP" }]),
    svc("shop", "db", "None", [{ port: 5432, protocol: "TCP" }]),
  ],
};
const inNamespace = (ns: string) => services[ns] ?? [];

describe("podServicesEnv (upstream's FromServices)", () => {
  it("gives every Service of the namespace with a cluster IP, and kubernetes from default", () => {
    const env = Object.fromEntries(podServicesEnv("shop", true, inNamespace));
    expect(env).toMatchObject({
      KUBERNETES_SERVICE_HOST: "10.96.0.1",
      KUBERNETES_SERVICE_PORT: "443",
      REDIS_PRIMARY_SERVICE_HOST: "10.96.4.4",
      REDIS_PRIMARY_SERVICE_PORT: "6379",
      REDIS_PRIMARY_PORT: "tcp://10.96.4.4:6379",
      REDIS_PRIMARY_PORT_6379_TCP: "tcp://10.96.4.4:6379",
      REDIS_PRIMARY_PORT_6379_TCP_PROTO: "tcp",
      REDIS_PRIMARY_PORT_6379_TCP_PORT: "6379",
      REDIS_PRIMARY_PORT_6379_TCP_ADDR: "10.96.4.4",
      WEB_SERVICE_PORT: "80",
      WEB_SERVICE_PORT_HTTP: "80",
      WEB_SERVICE_PORT_DNS: "53",
      WEB_PORT: "tcp://10.96.5.5:80",
      WEB_PORT_53_UDP: "udp://10.96.5.5:53",
      WEB_PORT_53_UDP_PROTO: "udp",
    });
    // Headless Services have no address to give.
    expect(Object.keys(env).some((k) => k.startsWith("DB_"))).toBe(false);
  });

  it("with enableServiceLinks false only the kubernetes Service", () => {
    const env = podServicesEnv("shop", false, inNamespace);
    expect([...env.keys()].every((k) => k.startsWith("KUBERNETES_"))).toBe(true);
    expect(env.get("KUBERNETES_SERVICE_HOST")).toBe("10.96.0.1");
  });

  it("a Service named kubernetes in the pod's namespace wins over default's", () => {
    const mine = (ns: string) => (ns === "own" ? [svc("own", "kubernetes", "10.96.9.9", [{ port: 8443, protocol: "TCP" }])] : inNamespace(ns));
    const env = podServicesEnv("own", true, mine);
    expect(env.get("KUBERNETES_SERVICE_HOST")).toBe("10.96.9.9");
    expect(env.get("KUBERNETES_SERVICE_PORT")).toBe("8443");
  });

  it("a headless Service named kubernetes in the pod's namespace does not hide default's", () => {
    const mine = (ns: string) => (ns === "own" ? [svc("own", "kubernetes", "None", [{ port: 8443, protocol: "TCP" }])] : inNamespace(ns));
    expect(podServicesEnv("own", true, mine).get("KUBERNETES_SERVICE_HOST")).toBe("10.96.0.1");
  });
});
