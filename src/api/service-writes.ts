// Service writes at the API layer. A Service's cluster IP and node ports come from one allocator
// for the whole cluster (the cluster store, src/registry/service-addresses), while the Service
// lives in its namespace's store. So a write is: a dry run in the namespace store (validation,
// defaults, the update strategy), a reservation of what the result asks for, then the write
// itself, with the reserved values in it (WriteOptions.allocated, written in by the kind's
// applyAllocated), so the answer carries them as kube-apiserver's does.
// The namespace store gives values back when a Service is deleted or stops using them.
import { applyServiceAddresses, type Service } from "../apis/core/v1/service.js";
import type { KubeObject } from "../apis/types.js";
import type { Env } from "../env.js";
import type { AddressReservation } from "../registry/service-addresses/allocator.js";
import { addressRequest, heldAddresses } from "../registry/service-addresses/needs.js";
import type { Outcome, Target, WriteOptions } from "../registry/requests.js";
import { clusterStore, type StoreStub } from "./stores.js";

type Write = (opts: WriteOptions) => Promise<Outcome>;

/** Reserves what the dry-run result asks for; undefined when it asks for nothing. */
async function reserveFor(env: Env, target: Target, svc: Service, dryRun = false): Promise<{ ok: true; reservation?: AddressReservation } | { ok: false; outcome: Outcome }> {
  const req = { ...addressRequest(svc, { namespace: target.namespace, name: svc.metadata.name ?? "", uid: svc.metadata.uid ?? "" }), ...(dryRun ? { dryRun } : {}) };
  if (req.clusterIP === undefined && req.nodePorts.length === 0) return { ok: true };
  const r = await clusterStore(env).reserveServiceAddresses(req);
  if (!r.ok) return { ok: false, outcome: { ok: false, status: r.status } };
  return { ok: true, reservation: r.reservation };
}

/** Gives back what a reservation took when its write did not happen (values the Service held before stay). */
async function giveBack(env: Env, uid: string, r: AddressReservation | undefined, held: Service | undefined): Promise<void> {
  if (!r) return;
  const values = { clusterIPs: r.clusterIP ? [r.clusterIP] : [], nodePorts: Object.values(r.nodePorts) };
  await clusterStore(env)
    .releaseServiceAddresses(uid, heldAddresses(held), values)
    .catch((e: unknown) => console.warn("service addresses: release failed (the repair frees them)", e instanceof Error ? e.message : e));
}

/** POST services. */
export async function createService(env: Env, store: StoreStub, target: Target, body: unknown, opts: WriteOptions): Promise<Outcome> {
  const uid = crypto.randomUUID();
  const dry = await store.create(target, body, { ...opts, dryRun: true, uid });
  if (!dry.ok) return dry;
  const svc = dry.body as Service;
  // A dry run is checked and shown its values, and holds none.
  const reserved = await reserveFor(env, target, svc, opts.dryRun);
  if (!reserved.ok) return reserved.outcome;
  if (opts.dryRun) {
    if (reserved.reservation) applyServiceAddresses(svc, reserved.reservation);
    return dry;
  }
  // The generated name is the dry run's, so the reservation and the Service agree on it.
  const raw = body as KubeObject;
  raw.metadata = { ...raw.metadata, name: svc.metadata.name };
  delete raw.metadata.generateName;
  const out = await store.create(target, raw, { ...opts, uid, ...(reserved.reservation ? { allocated: reserved.reservation } : {}) });
  if (!out.ok) await giveBack(env, uid, reserved.reservation, undefined);
  return out;
}

/** PUT or PATCH of a Service (including server-side apply creating one): `write` is the store call. */
export async function updateService(env: Env, store: StoreStub, target: Target, write: Write, opts: WriteOptions): Promise<Outcome> {
  const uid = crypto.randomUUID();
  const dry = await write({ ...opts, dryRun: true, uid });
  if (!dry.ok || opts.dryRun) return dry;
  const svc = dry.body as Service;
  const reserved = await reserveFor(env, target, svc);
  if (!reserved.ok) return reserved.outcome;
  const r = reserved.reservation;
  const out = await write({ ...opts, uid, ...(r ? { allocated: r } : {}) });
  if (!out.ok && r) {
    // Values the Service already held stay; only new ones go back (a lost call is repaired).
    const stored = await store.get(target);
    await giveBack(env, svc.metadata.uid ?? uid, r, stored.ok ? (stored.body as Service) : undefined);
  }
  return out;
}
