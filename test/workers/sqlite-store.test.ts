// The Durable Object SQLite store passes the same conformance suite as the in-memory store.
import { env, runInDurableObject } from "cloudflare:test";
import { SqliteBackend } from "../../durable-objects/sqlite/statements.js";
import { LogStore } from "../../src/storage/log-store.js";
import { fakeClock, runStorageConformance } from "../conformance/storage.js";

let n = 0;
runStorageConformance("durable object sqlite", async (fn) => {
  const stub = env.NAMESPACE_STORE.get(env.NAMESPACE_STORE.idFromName(`conformance-${n++}-${Math.random()}`));
  await runInDurableObject(stub, async (_instance, state) => {
    const clock = fakeClock();
    const open = () => new LogStore(new SqliteBackend(state.storage), clock.now);
    await fn({ store: open(), clock, reopen: open });
  });
});
