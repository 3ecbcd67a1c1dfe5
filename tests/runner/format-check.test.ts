// `npm run check` fails on code the formatter would change, naming each file; what .prettierignore
// leaves out (Windmill's own files, byte-exact fixtures) is never reported.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatProblems } from "../../scripts/check/format.ts";

const repoRoot = path.resolve(__dirname, "../..");
const root = mkdtempSync(path.join(os.tmpdir(), "dgz-format-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
for (const f of [".prettierrc.json", ".prettierignore"]) cpSync(path.join(repoRoot, f), path.join(root, f));

function write(rel: string, text: string) {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}

describe("format check", () => {
  it("reports each file prettier would change, and nothing once it is formatted", async () => {
    write("f/devgodzilla/lib/tidy.ts", 'export const ok = { a: 1, b: "two" };\n');
    write("f/devgodzilla/lib/messy.ts", "export const   messy = {a:1,b:'two'}\n");
    write("tests/fixtures/kept.ts", "const   byte_exact = 1\n");
    expect(await formatProblems(root)).toEqual(["f/devgodzilla/lib/messy.ts: not formatted (npm run format)"]);
    write("f/devgodzilla/lib/messy.ts", 'export const messy = { a: 1, b: "two" };\n');
    expect(await formatProblems(root)).toEqual([]);
  });
});
