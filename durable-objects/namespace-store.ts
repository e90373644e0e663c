// One NamespaceStore per namespace (and one for cluster-scoped objects): our etcd.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../src/env.js";

export class NamespaceStore extends DurableObject<Env> {
  async ping(): Promise<string> {
    return "pong";
  }
}
