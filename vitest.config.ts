import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Tests spawn git, agents and bwrap; two cores are the norm here.
    pool: "forks",
    poolOptions: { forks: { maxForks: 2 } },
  },
});
