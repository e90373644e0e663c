// Why: the edgeplane side of the benchmark: the Target interface spoken as the Kubernetes REST API
// (bearer token, ConfigMaps, PUT with resourceVersion, chunked NDJSON watch).
import type { HttpClient } from "./client.js";
import { configMap } from "./objects.js";
import type { Target } from "./workloads.js";

export class KubeTarget implements Target {
  readonly label = "edgeplane";
  /** Last resourceVersion seen per object, for updates. */
  private readonly rv = new Map<string, string>();

  constructor(private readonly http: HttpClient) {}

  async prepareNamespace(ns: string): Promise<void> {
    await this.http.json("POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }, [201, 409]);
  }

  async create(ns: string, name: string, i: number): Promise<void> {
    const { value } = await this.http.json("POST", `/api/v1/namespaces/${ns}/configmaps`, configMap(ns, name, i));
    this.rv.set(`${ns}/${name}`, value.metadata.resourceVersion);
  }

  async get(ns: string, name: string): Promise<void> {
    const r = await this.http.request("GET", `/api/v1/namespaces/${ns}/configmaps/${name}`);
    if (r.status !== 200) throw new Error(`GET ${ns}/${name}: HTTP ${r.status}`);
  }

  async list(ns: string): Promise<number> {
    const r = await this.http.request("GET", `/api/v1/namespaces/${ns}/configmaps`);
    if (r.status !== 200) throw new Error(`LIST ${ns}: HTTP ${r.status}`);
    return r.body.length;
  }

  async count(ns: string): Promise<number> {
    const { value } = await this.http.json("GET", `/api/v1/namespaces/${ns}/configmaps`);
    return value.items.length;
  }

  async update(ns: string, name: string, i: number): Promise<void> {
    const key = `${ns}/${name}`;
    const { value } = await this.http.json("PUT", `/api/v1/namespaces/${ns}/configmaps/${name}`, configMap(ns, name, i, this.rv.get(key)));
    this.rv.set(key, value.metadata.resourceVersion);
  }

  async watch(ns: string, onEvent: (name: string) => void): Promise<{ close(): void; ended: Promise<void> }> {
    const { value } = await this.http.json("GET", `/api/v1/namespaces/${ns}/configmaps?limit=1`);
    const rv = value.metadata.resourceVersion;
    const s = await this.http.stream("GET", `/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${rv}`, (line) => {
      const ev = JSON.parse(line) as { type: string; object?: { metadata?: { name?: string } } };
      if ((ev.type === "ADDED" || ev.type === "MODIFIED") && ev.object?.metadata?.name) onEvent(ev.object.metadata.name);
    });
    if (s.status !== 200) {
      s.close();
      throw new Error(`watch ${ns}: HTTP ${s.status}`);
    }
    return s;
  }

  async createPod(ns: string, body: unknown): Promise<void> {
    await this.http.json("POST", `/api/v1/namespaces/${ns}/pods`, body);
  }
}
