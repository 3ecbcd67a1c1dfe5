// `npm run test:corpus`: the parsers on real Spec Kit files written by others (../shared/corpus/dev,
// or DEVGODZILLA_CORPUS). Not part of `npm test`, which needs nothing outside the repository.
import { existsSync } from "node:fs";
import { defineConfig } from "vitest/config";
import { CORPUS_DIR } from "./tests/corpus/corpus.ts";

const present = existsSync(CORPUS_DIR);
if (!present)
  console.error(
    `test:corpus: skipped — no corpus at ${CORPUS_DIR} (put shared/ beside the checkout or set DEVGODZILLA_CORPUS=<dir with tasks/, specs/, constitutions/>)`,
  );

export default defineConfig({
  test: {
    include: present ? ["tests/corpus/**/*.test.ts"] : [],
    passWithNoTests: true,
    testTimeout: 60_000,
    silent: "passed-only",
  },
});
