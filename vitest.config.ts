// Two projects: "node" for pure unit tests and end-to-end tests against real processes,
// "workers" for tests that run inside workerd through the Workers vitest integration.
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Two files at a time even on 2 cores (vitest would use cores − 1): the end-to-end files mostly
    // wait on their own control plane, agent and Podman, which run in other processes.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: "node",
          include: ["src/**/*.test.ts", "agent/**/*.test.ts", "test/e2e/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { ADMIN_TOKEN: "test-token", ENCRYPTION_KEYS: "key2:UFItBXDBAkP8lx/vEnmI7FLgoWUCPeEAr6welmTLMi0=,key1:1F3WstMx/AJVP2lRchB/fFCe7/I140S+ksjRZ63Yp50=", WATCH_LOG_MIN_AGE_SECONDS: "300", LIST_PAGE_SIZE: "100" } },
          }),
        ],
        test: {
          name: "workers",
          include: ["test/workers/**/*.test.ts"],
        },
      },
    ],
  },
});
