// The runner loads each script and flow once per version of its file: a long-lived runner (the CLI's
// server, a test process) runs what is on disk now, not what it read first.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { runPath } from "../../scripts/runner/index.ts";

const root = mkdtempSync(path.join(os.tmpdir(), "dgz-cache-"));
const stateDir = path.join(root, "state");
const store = { resources: {}, variables: {} };
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes a file and moves its mtime forward, so an edit within the clock's resolution still counts. */
function write(rel: string, text: string, tick: number) {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  const t = new Date(Date.UTC(2026, 0, 1, 0, 0, tick));
  utimesSync(file, t, t);
}

const flow = (steps: string[]) =>
  YAML.stringify({
    summary: "cache",
    value: { modules: steps.map((id) => ({ id, value: { type: "script", path: "f/cache/word", input_transforms: { w: { type: "static", value: id } } } })) },
    schema: { type: "object", properties: {} },
  });

describe("runner caches", () => {
  it("a script edited between two runs runs its new version in the same process", async () => {
    write("f/cache/word.ts", `export async function main(w: string) { return "v1:" + w; }\n`, 1);
    write("f/cache/seq__flow/flow.yaml", flow(["a"]), 1);
    expect((await runPath("f/cache/seq", { root, stateDir, store })).result).toBe("v1:a");
    write("f/cache/word.ts", `export async function main(w: string) { return "v2:" + w; }\n`, 2);
    expect((await runPath("f/cache/seq", { root, stateDir, store })).result).toBe("v2:a");
  });

  it("a flow edited between two runs runs its new steps, and an unchanged one runs the same way twice", async () => {
    write("f/cache/word.ts", `export async function main(w: string) { return w.toUpperCase(); }\n`, 3);
    write("f/cache/seq__flow/flow.yaml", flow(["a", "b"]), 3);
    expect((await runPath("f/cache/seq", { root, stateDir, store })).result).toBe("B");
    expect((await runPath("f/cache/seq", { root, stateDir, store })).result).toBe("B");
    write("f/cache/seq__flow/flow.yaml", flow(["a", "b", "c"]), 4);
    const out = await runPath("f/cache/seq", { root, stateDir, store });
    expect(out.status).toBe("success");
    expect(out.result).toBe("C");
  });
});
