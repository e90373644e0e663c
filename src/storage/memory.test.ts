import { runStorageConformance, fakeClock } from "../../test/conformance/storage.js";
import { LogStore } from "./log-store.js";
import { MemoryBackend } from "./memory.js";

runStorageConformance("memory", async (fn) => {
  const clock = fakeClock();
  const backend = new MemoryBackend();
  await fn({ store: new LogStore(backend, clock.now), clock, reopen: () => new LogStore(backend, clock.now) });
});
