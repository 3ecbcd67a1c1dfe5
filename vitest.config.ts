import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // The real-world corpus lives outside the repository: `npm run test:corpus` (vitest.corpus.config.ts).
    exclude: ["tests/corpus/**", "**/node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Child processes' output (agents, test runners) is shown only for a test that fails.
    silent: "passed-only",
    // Tests spawn git, agents and bwrap; two cores are the norm here.
    pool: "forks",
    poolOptions: { forks: { maxForks: 2 } },
  },
});
