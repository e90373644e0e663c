// The local control plane's TLS: kubectl sends bearer tokens only over HTTPS, so `edgeplane up`
// makes a private CA and a serving certificate for 127.0.0.1/localhost once per state dir,
// and the kubeconfig trusts that CA. (On Cloudflare, the edge serves HTTPS itself.)
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { webcrypto } from "node:crypto";
import { join } from "node:path";
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

export interface TlsFiles {
  dir: string;
  caCertPath: string;
  certPath: string;
  keyPath: string;
  /** PEM of the CA, for certificate-authority-data. */
  caPem: string;
}

const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
const subtle = webcrypto.subtle;
// Node's WebCrypto and the runtime typings describe the same keys with different declarations.
type Keys = { publicKey: CryptoKey; privateKey: CryptoKey };
const generateKeys = async (): Promise<Keys> => (await subtle.generateKey(alg, true, ["sign", "verify"])) as unknown as Keys;

function pemKey(der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString("base64").replace(/(.{64})/g, "$1\n");
  return `-----BEGIN PRIVATE KEY-----\n${b64.trimEnd()}\n-----END PRIVATE KEY-----\n`;
}

/** Returns the state dir's certificates, creating them on first use. */
export async function ensureTls(stateDir: string): Promise<TlsFiles> {
  const dir = join(stateDir, "tls");
  const files = { dir, caCertPath: join(dir, "ca.crt"), certPath: join(dir, "server.crt"), keyPath: join(dir, "server.key") };
  if (existsSync(files.caCertPath) && existsSync(files.certPath) && existsSync(files.keyPath)) {
    return { ...files, caPem: await readFile(files.caCertPath, "utf8") };
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
  const caKeys = await generateKeys();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name: "CN=edgeplane-ca",
    keys: caKeys,
    notBefore,
    notAfter,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const serverKeys = await generateKeys();
  const server = await x509.X509CertificateGenerator.create({
    subject: "CN=edgeplane",
    issuer: ca.subject,
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    notBefore,
    notAfter,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        { type: "ip", value: "127.0.0.1" },
        { type: "ip", value: "::1" },
        { type: "dns", value: "localhost" },
      ]),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const caPem = ca.toString("pem") + "\n";
  await writeFile(files.caCertPath, caPem, { mode: 0o644 });
  await writeFile(files.certPath, server.toString("pem") + "\n", { mode: 0o644 });
  await writeFile(files.keyPath, pemKey(await subtle.exportKey("pkcs8", serverKeys.privateKey as unknown as webcrypto.CryptoKey)), { mode: 0o600 });
  return { ...files, caPem };
}
