import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    // The real-world corpus lives outside the repository: `npm run test:corpus` (vitest.corpus.config.ts);
    // the real agent CLIs are installed from the registry by `npm run test:agents` (vitest.agents.config.ts).
    exclude: ["tests/corpus/**", "tests/agents/real/**", "**/node_modules/**"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Child processes' output (agents, test runners) is shown only for a test that fails.
    silent: "passed-only",
    // Tests spawn git, agents and bwrap; two cores are the norm here.
    pool: "forks",
    poolOptions: { forks: { maxForks: 2 } },
  },
});
