// The `devgodzilla` command as a person runs it: a real child process, JSON on stdout, logs on stderr.
import { execa } from "execa";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const repo = path.resolve(__dirname, "../..");
const bin = path.join(repo, "scripts", "devgodzilla.mjs");
const tmp = mkdtempSync(path.join(os.tmpdir(), "dgz-cli-"));
const resources = path.join(tmp, "resources.yaml");
writeFileSync(resources, "resources: {}\nvariables:\n  f/conformance/token: sk-cli-test-0123456789abcdef\n");
const cli = (...args: string[]) =>
  execa("node", [bin, ...args, "--root", path.join(repo, "tests", "flows"), "--state-dir", tmp, "--resources", resources], { reject: false, cwd: tmp, stdin: "ignore" });
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("devgodzilla run", () => {
  it("runs a single script and prints its result as JSON on stdout", async () => {
    const r = await cli("run", "f/conformance/echo", "-d", '{"value": [1, 2], "label": "x"}');
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ value: [1, 2], label: "x" });
  });

  it("runs a flow with arguments from a file, with step logs on stderr", async () => {
    const args = path.join(tmp, "args.json");
    writeFileSync(args, JSON.stringify({ n: 20 }));
    const r = await cli("run", "f/conformance/control", "-d", `@${args}`);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).value.pick).toBe("big");
    expect(r.stderr).toContain("[right]"); // the failing branch's log, prefixed by its step id
  });

  it("an unknown path is one clear error, non-zero exit, JSON on stdout", async () => {
    const r = await cli("run", "f/conformance/nope");
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout).error.message).toMatch(/unknown Windmill path "f\/conformance\/nope"/);
  });

  it("invalid JSON arguments are a usage error (exit 2) that shows the right form", async () => {
    const r = await cli("run", "f/conformance/echo", "-d", "{value: 1}");
    expect(r.exitCode).toBe(2);
    expect(JSON.parse(r.stdout).error.message).toMatch(/-d is not valid JSON .* -d @file.json/);
  });

  it("a missing resource names the resource and how to define it", async () => {
    const r = await cli("run", "f/conformance/typed", "-d", '{"creds": "$res:f/conformance/missing"}');
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout).error.message).toMatch(/resource "f\/conformance\/missing" is not defined/);
  });

  it("without a terminal a suspended run stops, saved, and prints the exact resume command, which finishes it", async () => {
    const r = await cli("run", "f/conformance/approval");
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.status).toBe("suspended");
    expect(r.stderr).toContain(out.resume_command);
    const [, runId, data] = out.resume_command.match(/^npx devgodzilla resume (\S+) -d '(.*)'$/);
    const resumed = await cli("resume", runId, "-d", data);
    expect(resumed.exitCode).toBe(0);
    const list = await cli("runs");
    expect(list.stdout).toMatch(new RegExp(`${runId}\\s+success`));
  });

  it("--answers from a file answers the approval without stopping", async () => {
    const answers = path.join(tmp, "answers.json");
    writeFileSync(answers, JSON.stringify({ ask: { answer: "no" } }));
    const r = await cli("run", "f/conformance/approval", "--answers", `@${answers}`);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toContain("suspended");
  });

  it("secrets resolved for a job never reach stdout, stderr or the run record", async () => {
    const r = await cli("run", "f/conformance/job_context", "-d", '{"var_path": "f/conformance/token"}');
    expect(r.exitCode).toBe(0);
    // the script returns the variable on purpose; the runner redacts it from what it prints and stores
    expect(r.stdout + r.stderr).not.toContain("sk-cli-test-0123456789abcdef");
    expect(JSON.parse(r.stdout).variable).toBe("[REDACTED]");
  });
});
