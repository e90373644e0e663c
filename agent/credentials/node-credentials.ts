// A node's identity (the kubelet's TLS bootstrap and certificate rotation, with bearer tokens):
// the bootstrap token is traded once for node credentials (user system:node:NAME) through
// POST /apis/authentication.edgeplane.dev/v1/nodecredentialrequests; from then on only those
// are used, and they are renewed with themselves at ~80% of their lifetime. If they are refused
// (expired while the machine was off), the bootstrap token is tried again.
import type { TokenSource } from "../client/api-client.js";
import { apiError, parseJson } from "../client/api-client.js";
import { Backoff, jittered } from "../client/backoff.js";
import { ApiError, ConnectionError, describe, TlsError } from "../client/errors.js";
import type { Transport } from "../client/transport.js";
import type { Logger } from "../log.js";

export const NODE_CREDENTIALS_PATH = "/apis/authentication.edgeplane.dev/v1/nodecredentialrequests";
/** What the agent asks for: a day, the control plane's default. */
export const CREDENTIAL_LIFETIME_SECONDS = 24 * 3600;

/** A failure to join that a person has to fix: the command prints message and hint and exits 1. */
export class JoinError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    /** The control plane could not be reached (trying again may work). */
    readonly unreachable = false,
  ) {
    super(message);
    this.name = "JoinError";
  }
}

interface Issued {
  token: string;
  issuedAt: number;
  expiresAt: number;
}

/** When to renew credentials issued at `issuedAt` that expire at `expiresAt`: at 75–85% of their lifetime. */
export function rotationDelayMs(issuedAt: number, expiresAt: number, random: () => number = Math.random): number {
  const lifetime = Math.max(0, expiresAt - issuedAt);
  return Math.round(lifetime * (0.75 + 0.1 * random()));
}

/** The JoinError for a failed exchange of the bootstrap token. */
export function joinError(err: unknown, server: string, nodeName: string): JoinError {
  if (err instanceof TlsError) {
    return new JoinError(err.message, "pass --certificate-authority with the CA that signed it ('edgeplane up' keeps it in .edgeplane/state/tls/ca.crt), or --insecure-skip-tls-verify to skip the check");
  }
  if (err instanceof ConnectionError) return new JoinError(err.message, "check --server, and that the control plane is running ('edgeplane up' prints its URL)", true);
  if (err instanceof ApiError) {
    if (err.status === 401) {
      return new JoinError("the bootstrap token was refused (401): create one with `edgeplane token create`", "tokens expire after their --ttl (24h by default); `edgeplane token list` shows the valid ones");
    }
    if (err.status === 403) return new JoinError(`the bootstrap token may not request node credentials (403): ${err.message}`, "use a token made by `edgeplane token create` (group system:bootstrappers)");
    if (err.status === 404) return new JoinError(`${server} does not serve node credentials (404)`, "is --server the URL of an edgeplane control plane?");
    if (err.status === 422) return new JoinError(`the control plane refused node name "${nodeName}": ${err.message}`, "pass --name with a lowercase DNS name such as node-1");
  }
  return new JoinError(`cannot get node credentials from ${server}: ${describe(err)}`);
}

export class NodeCredentials implements TokenSource {
  private issued?: Issued;
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;
  private stopped = false;
  private lastError = "";
  private readonly backoff = new Backoff({ initialMs: 1000, maxMs: 60_000 });

  constructor(
    private readonly transport: Transport,
    readonly nodeName: string,
    private readonly bootstrapToken: string,
    private readonly log: Logger,
    private readonly lifetimeSeconds = CREDENTIAL_LIFETIME_SECONDS,
  ) {}

  /** Trades the bootstrap token for node credentials; throws a JoinError. */
  async join(): Promise<void> {
    try {
      this.accept(await this.request(this.bootstrapToken));
    } catch (err) {
      throw joinError(err, this.transport.server, this.nodeName);
    }
  }

  token(): string {
    if (!this.issued) throw new Error(`node ${this.nodeName} has not joined yet`);
    return this.issued.token;
  }

  get expiresAt(): number {
    return this.issued?.expiresAt ?? 0;
  }

  unauthorized(): void {
    // Refused credentials: renew now (once at a time) rather than at the next rotation.
    if (!this.stopped && !this.refreshing) this.schedule(0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private accept(issued: Issued): void {
    this.issued = issued;
    this.lastError = "";
    this.backoff.reset();
    this.schedule(rotationDelayMs(issued.issuedAt, issued.expiresAt));
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    // setTimeout holds at most ~24.8 days; credentials last at most a week.
    this.timer = setTimeout(() => void this.rotate(), Math.min(delayMs, 2 ** 31 - 1));
    this.timer.unref();
  }

  private rotate(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        let issued: Issued;
        try {
          issued = await this.request(this.token());
        } catch (err) {
          if (!(err instanceof ApiError && (err.status === 401 || err.status === 403))) throw err;
          issued = await this.request(this.bootstrapToken);
        }
        this.accept(issued);
      } catch (err) {
        const message = `✗ node ${this.nodeName}: cannot renew its credentials: ${describe(err)}`;
        if (err instanceof ApiError && message !== this.lastError) this.log.error(message);
        this.lastError = message;
        this.schedule(jittered(this.backoff.next()));
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  private async request(token: string): Promise<Issued> {
    const body = {
      apiVersion: "authentication.edgeplane.dev/v1",
      kind: "NodeCredentialRequest",
      spec: { nodeName: this.nodeName, expirationSeconds: this.lifetimeSeconds },
    };
    const issuedAt = Date.now();
    const res = await this.transport.request("POST", NODE_CREDENTIALS_PATH, { token, body: JSON.stringify(body), timeoutMs: 30_000 });
    const parsed = parseJson(res.text) as { status?: { token?: string; expirationTimestamp?: string } } | undefined;
    if (res.status !== 201 && res.status !== 200) throw apiError(res.status, parsed, res.text);
    const issuedToken = parsed?.status?.token;
    const expiresAt = Date.parse(parsed?.status?.expirationTimestamp ?? "");
    if (!issuedToken || !Number.isFinite(expiresAt)) throw new ApiError(res.status, "InvalidResponse", "the answer holds no token and expiry");
    return { token: issuedToken, issuedAt, expiresAt };
  }
}
