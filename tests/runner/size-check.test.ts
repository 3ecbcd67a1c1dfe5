// `npm run check` keeps every function of the bundle at most MAX_FUNCTION_LINES long: a longer one is
// reported by file, line and name; the harness and tests are not product code and are not measured.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { functionSizeProblems, MAX_FUNCTION_LINES } from "../../scripts/check/size.ts";

const repoRoot = path.resolve(__dirname, "../..");
const root = mkdtempSync(path.join(os.tmpdir(), "dgz-size-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A function `lines` long, from its first line to its closing brace. */
const fn = (head: string, lines: number, close = "}") => [head, ...Array.from({ length: lines - 2 }, (_, i) => `  total += ${i};`), close].join("\n");

function write(rel: string, text: string) {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), `let total = 0;\n${text}\n`);
}

describe("function size check", () => {
  it("passes functions of exactly the limit, and reports each longer one — declared, arrow or method — by file, line and name", () => {
    write("f/devgodzilla/lib/ok.ts", fn("export function atTheLimit() {", MAX_FUNCTION_LINES));
    write(
      "f/devgodzilla/lib/long.ts",
      [
        fn("export function tooLong() {", MAX_FUNCTION_LINES + 1),
        fn("export const arrow = async () => {", MAX_FUNCTION_LINES + 20, "};"),
        fn("class Job {\n  run() {", MAX_FUNCTION_LINES + 1, "  }\n}"),
      ].join("\n"),
    );
    write("scripts/runner/harness.ts", fn("export function harnessMayBeLong() {", MAX_FUNCTION_LINES + 50));

    expect(functionSizeProblems(root)).toEqual([
      {
        file: "f/devgodzilla/lib/long.ts:2",
        message: `tooLong is ${MAX_FUNCTION_LINES + 1} lines (at most ${MAX_FUNCTION_LINES}): split it into named stages`,
      },
      {
        file: `f/devgodzilla/lib/long.ts:${MAX_FUNCTION_LINES + 3}`,
        message: `arrow is ${MAX_FUNCTION_LINES + 20} lines (at most ${MAX_FUNCTION_LINES}): split it into named stages`,
      },
      {
        file: `f/devgodzilla/lib/long.ts:${2 * MAX_FUNCTION_LINES + 24}`,
        message: `run is ${MAX_FUNCTION_LINES + 1} lines (at most ${MAX_FUNCTION_LINES}): split it into named stages`,
      },
    ]);
  });

  it("the repository's bundle has no function over the limit", () => {
    expect(functionSizeProblems(repoRoot)).toEqual([]);
  });
});
