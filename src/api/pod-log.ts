// GET /api/v1/namespaces/NS/pods/NAME/log: upstream's LogREST. The query becomes PodLogOptions
// (decoded and validated as upstream's), the container is chosen as LogLocation chooses it, and
// the stream comes from the node's agent through its tunnel (src/tunnel/): a Status when the
// agent refuses (the kubelet's 400s pass through as upstream relays them), else text/plain,
// written as the agent sends it (`-f` keeps it open until the container's output ends or the
// client leaves, which cancels the stream at the agent). Authorized as `get` on `pods/log`.
import type { Pod } from "../apis/core/v1/pod.js";
import { invalid as invalidField, forbidden as forbiddenField, fieldErrorBody, type FieldError } from "../lib/field-errors.js";
import { StatusError, badRequest, invalid, methodNotAllowed } from "../lib/status.js";
import type { LogStreamOptions } from "../tunnel/frames.js";
import { agentNotConnected } from "../tunnel/relay.js";
import { nodeTunnel, openLogs } from "../tunnel/stub.js";
import type { Ctx } from "./context.js";
import type { Resolved } from "./resolve.js";
import { namespaceStore } from "./stores.js";

export interface PodLogOptions extends LogStreamOptions {
  container: string;
}

export async function getPodLog(c: Ctx, r: Resolved): Promise<Response> {
  if (c.req.method !== "GET") throw methodNotAllowed();
  const { namespace, name } = r.target;
  const opts = validatePodLogOptions(name!, decodePodLogOptions(new URL(c.req.url).searchParams));
  const got = await namespaceStore(c.env, namespace).get({ group: "", version: "v1", resource: "pods", namespace, name });
  if (!got.ok) throw new StatusError(got.status);
  const pod = got.body as Pod;
  const container = chooseContainer(pod, opts.container);
  const node = pod.spec?.nodeName;
  // Upstream's LogLocation has nowhere to go for a pod not yet bound, and answers an empty log.
  if (!node) return new Response("", { status: 200, headers: { "content-type": "text/plain" } });
  const stub = nodeTunnel(c.env, node);
  if (!stub) throw new StatusError(agentNotConnected(node));
  const { container: _chosen, ...options } = opts;
  const containerId = logContainerId(pod, container, opts.previous);
  const res = await openLogs(stub, { node, logs: { op: "logs", namespace, pod: name!, uid: String(pod.metadata.uid ?? ""), container, ...(containerId ? { containerId } : {}), options } }, c.req.raw.signal);
  return new Response(res.body, { status: res.status, headers: new Headers(res.headers) });
}

/**
 * The container instance whose output is asked for, from the pod's status as the kubelet's
 * validateContainerLogStatus reads it: previous → lastState.terminated; else the running or
 * terminated instance, or for a container waiting to restart its last terminated one. Undefined
 * when the status does not say (the agent then picks by age); a 400 when there is no previous.
 */
export function logContainerId(pod: Pod, container: string, previous: boolean): string | undefined {
  const all = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])];
  const st = all.find((s) => s.name === container);
  if (!st) return undefined;
  const strip = (id: string | undefined) => (id ? id.replace(/^[a-z0-9.+-]+:\/\//i, "") : undefined);
  const last = strip(st.lastState?.terminated?.containerID);
  if (previous) {
    if (!last) throw badRequest(`previous terminated container ${JSON.stringify(container)} in pod ${JSON.stringify(pod.metadata.name ?? "")} not found`);
    return last;
  }
  if (st.state?.running || st.state?.terminated) return strip(st.containerID);
  return last;
}

/**
 * The query as upstream's parameter codec decodes PodLogOptions: a bool is false only when
 * absent, "0" or "false"; a bad number or time is a 400 with the parser's message.
 */
export function decodePodLogOptions(q: URLSearchParams): PodLogOptions {
  const opts: PodLogOptions = {
    container: q.get("container") ?? "",
    follow: bool(q, "follow"),
    previous: bool(q, "previous"),
    timestamps: bool(q, "timestamps"),
  };
  const tailLines = int64(q, "tailLines");
  const sinceSeconds = int64(q, "sinceSeconds");
  const limitBytes = int64(q, "limitBytes");
  if (tailLines !== undefined) opts.tailLines = tailLines;
  if (sinceSeconds !== undefined) opts.sinceSeconds = sinceSeconds;
  if (limitBytes !== undefined) opts.limitBytes = limitBytes;
  const sinceTime = q.get("sinceTime");
  if (sinceTime !== null && sinceTime !== "" && sinceTime !== "null") opts.sinceTime = rfc3339(sinceTime);
  return opts;
}

/** Upstream's ValidatePodLogOptions: 422 Invalid, kind PodLogOptions. */
export function validatePodLogOptions(name: string, o: PodLogOptions): PodLogOptions {
  const errs: FieldError[] = [];
  if (o.tailLines !== undefined && o.tailLines < 0) errs.push(invalidField("tailLines", o.tailLines, "must be greater than or equal to 0"));
  if (o.limitBytes !== undefined && o.limitBytes < 1) errs.push(invalidField("limitBytes", o.limitBytes, "must be greater than 0"));
  if (o.sinceSeconds !== undefined && o.sinceTime !== undefined) {
    errs.push(forbiddenField("", "at most one of `sinceTime` or `sinceSeconds` may be specified"));
  } else if (o.sinceSeconds !== undefined && o.sinceSeconds < 1) {
    errs.push(invalidField("sinceSeconds", o.sinceSeconds, "must be greater than 0"));
  }
  if (errs.length === 0) return o;
  const err = invalid("PodLogOptions", "", name, errs);
  // Go prints an error on the root path as ": Forbidden: …"; keep its wording exactly.
  const msgs = errs.map((e) => `${e.field}: ${fieldErrorBody(e)}`);
  err.status.message = `PodLogOptions ${JSON.stringify(name)} is invalid: ${msgs.length === 1 ? msgs[0] : `[${msgs.join(", ")}]`}`;
  throw err;
}

/** Upstream's validateContainer: the named one must exist; without a name, the only one. */
export function chooseContainer(pod: Pod, container: string): string {
  const spec = pod.spec ?? ({} as Pod["spec"]);
  const name = pod.metadata.name;
  // Init, regular and ephemeral containers, in that order (upstream's VisitContainers).
  const all = [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...((spec as { ephemeralContainers?: Array<{ name: string }> }).ephemeralContainers ?? [])].map((c) => c.name);
  if (container) {
    if (!all.includes(container)) throw badRequest(`container ${container} is not valid for pod ${name}`);
    return container;
  }
  const regular = spec.containers ?? [];
  if (regular.length === 1) return regular[0].name;
  if (regular.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
  throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${all.join(" ")}]`);
}

function bool(q: URLSearchParams, key: string): boolean {
  const v = q.get(key);
  if (v === null) return false;
  return !(v === "0" || v.toLowerCase() === "false");
}

/** strconv.ParseInt(s, 10, 64), with its error text. */
function int64(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null) return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  const n = BigInt(v);
  if (n > 2n ** 63n - 1n || n < -(2n ** 63n)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: value out of range`);
  return Number(n);
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** metav1.Time's query form (time.RFC3339, fractions allowed) as unix milliseconds. */
function rfc3339(v: string): number {
  const ms = RFC3339.test(v) ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw badRequest(`parsing time ${JSON.stringify(v)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(v)} as RFC 3339`);
  return ms;
}
