// Why: the agent's RSS includes V8 garbage not yet collected; the scheduling bench loads this into
// the agent child (NODE_OPTIONS=--import) so that on SIGUSR2 it collects garbage and prints its live
// heap on stdout, without the agent's code knowing. Plain JavaScript: it loads before tsx.
import v8 from "node:v8";
import vm from "node:vm";

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc");
process.on("SIGUSR2", () => {
  for (let i = 0; i < 3; i++) gc();
  const m = process.memoryUsage();
  process.stdout.write(`edgeplane-bench-heap ${JSON.stringify({ heapUsed: m.heapUsed, rss: m.rss })}\n`);
});
