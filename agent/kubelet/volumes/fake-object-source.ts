// For tests: an ObjectSource that stands in for the API server (the one boundary env/ and
// volumes/ cross), holding ConfigMaps and Secrets in maps and issuing numbered tokens.
import type { ConfigMapData, ObjectSource, SecretData, ServiceAccountTokenRequest } from "./object-source.js";

export class FakeApiObjectSource implements ObjectSource {
  readonly configMaps = new Map<string, ConfigMapData>();
  readonly secrets = new Map<string, SecretData>();
  readonly reads: string[] = [];
  readonly tokenRequests: Array<{ namespace: string; serviceAccount: string } & ServiceAccountTokenRequest> = [];
  /** Set to make token requests fail. */
  tokenError?: Error;
  private issued = 0;

  constructor(private readonly now: () => number = Date.now) {}

  setConfigMap(namespace: string, name: string, data: Record<string, string>, binaryData?: Record<string, string>): void {
    this.configMaps.set(`${namespace}/${name}`, { data, binaryData });
  }

  /** Plain values, stored base64 as the API holds them. */
  setSecret(namespace: string, name: string, plain: Record<string, string>): void {
    this.secrets.set(`${namespace}/${name}`, { data: Object.fromEntries(Object.entries(plain).map(([k, v]) => [k, Buffer.from(v).toString("base64")])) });
  }

  async configMap(namespace: string, name: string): Promise<ConfigMapData | undefined> {
    this.reads.push(`configmap ${namespace}/${name}`);
    const cm = this.configMaps.get(`${namespace}/${name}`);
    return cm && structuredClone(cm);
  }

  async secret(namespace: string, name: string): Promise<SecretData | undefined> {
    this.reads.push(`secret ${namespace}/${name}`);
    const s = this.secrets.get(`${namespace}/${name}`);
    return s && structuredClone(s);
  }

  async serviceAccountToken(namespace: string, serviceAccount: string, req: ServiceAccountTokenRequest) {
    this.tokenRequests.push({ namespace, serviceAccount, ...req });
    if (this.tokenError) throw this.tokenError;
    const issuedAt = Math.floor(this.now() / 1000) * 1000;
    return { token: `token-${++this.issued}`, expirationTimestamp: new Date(issuedAt + req.expirationSeconds * 1000).toISOString().replace(".000Z", "Z") };
  }
}
