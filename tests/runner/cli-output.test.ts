// The CLI's result reaches whoever reads stdout in full, whatever stdout is: a pipe takes writes
// asynchronously, and a process that exits right after writing loses what the pipe had not taken.
import { execa } from "execa";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const repo = path.resolve(__dirname, "../..");
const bin = path.join(repo, "scripts", "devgodzilla.mjs");
const tmp = mkdtempSync(path.join(os.tmpdir(), "dgz-cli-out-"));
const resources = path.join(tmp, "resources.yaml");
writeFileSync(resources, "resources: {}\nvariables: {}\n");
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// ~400 KiB of JSON once pretty-printed: six times a pipe's 64 KiB buffer.
const big = { value: Array.from({ length: 4000 }, (_, i) => ({ i, text: `row ${i} `.repeat(8) })), label: "big" };
const argsFile = path.join(tmp, "big.json");
writeFileSync(argsFile, JSON.stringify(big));
const runArgs = (...extra: string[]) => [bin, "run", ...extra, "--root", path.join(repo, "tests", "flows"), "--state-dir", tmp, "--resources", resources];

describe("devgodzilla output", () => {
  it("writes a result far larger than a pipe buffer completely into a pipe, then exits 0", async () => {
    const r = await execa("node", runArgs("f/conformance/echo", "-d", `@${argsFile}`), { reject: false, cwd: tmp, stdin: "ignore" });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(6 * 64 * 1024);
    expect(JSON.parse(r.stdout)).toEqual(big);
  });

  it("writes it completely through a shell pipeline and into a file", async () => {
    const out = path.join(tmp, "out.json");
    const cmd = `node ${runArgs("f/conformance/echo", "-d", `@${argsFile}`)
      .map((a) => `'${a}'`)
      .join(" ")} | cat > '${out}'`;
    const r = await execa("sh", ["-c", cmd], { reject: false, cwd: tmp, stdin: "ignore" });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual(big);
    const direct = path.join(tmp, "direct.json");
    const f = await execa(
      "sh",
      [
        "-c",
        `node ${runArgs("f/conformance/echo", "-d", `@${argsFile}`)
          .map((a) => `'${a}'`)
          .join(" ")} > '${direct}'`,
      ],
      { reject: false, cwd: tmp, stdin: "ignore" },
    );
    expect(f.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(direct, "utf8"))).toEqual(big);
  });

  it("keeps a failure's exit code when the error JSON goes into a pipe", async () => {
    const r = await execa("node", runArgs("f/conformance/nope"), { reject: false, cwd: tmp, stdin: "ignore" });
    expect(r.exitCode).toBe(2); // an unknown path is an input error (README: exit codes)
    expect(JSON.parse(r.stdout).error.message).toMatch(/unknown Windmill path/);
  });
});
