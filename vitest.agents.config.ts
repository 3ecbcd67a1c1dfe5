// `npm run test:agents`: the real agent CLIs (pinned in tests/agents/real/clis.json, installed from
// the npm registry into a cache outside the product's dependencies) through execute_task in the
// bubblewrap sandbox against the loopback model server; prints a table at the end. Not part of
// `npm test`, which needs nothing but the repository.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/agents/real/**/*.test.ts"],
    globalSetup: ["tests/agents/real/global-setup.ts"],
    reporters: ["default", "./tests/agents/real/table-reporter.ts"],
    testTimeout: 180_000,
    // The install (cold cache) runs in the global setup.
    hookTimeout: 180_000,
    silent: "passed-only",
    pool: "forks",
    poolOptions: { forks: { maxForks: 2 } },
  },
});
