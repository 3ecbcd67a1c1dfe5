// The `devgodzilla` command as a person runs it: a real child process, JSON on stdout, logs on stderr.
import { execa } from "execa";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

  it("at a terminal, an approval shows its description and form, reads the answer and goes on", async () => {
    // `script` gives the runner a real pseudo-terminal, as a person's shell would.
    const cmd = [process.execPath, bin, "run", "f/conformance/approval", "--root", path.join(repo, "tests", "flows"), "--state-dir", tmp, "--resources", resources, "-s"]
      .map((a) => `'${a}'`).join(" ");
    const child = execa("script", ["-qfec", cmd, "/dev/null"], { reject: false, cwd: tmp });
    let seen = "";
    const waitFor = (text: string) => new Promise<void>((resolve) => {
      const check = () => (seen.includes(text) ? resolve() : setTimeout(check, 50));
      check();
    });
    child.stdout!.on("data", (d: Buffer) => (seen += d.toString()));
    await waitFor("answer — Your answer");
    child.stdin!.write("typed at the terminal\n");
    await waitFor("Approve?");
    child.stdin!.write("y\n");
    const r = await child;
    expect(r.exitCode).toBe(0);
    expect(seen).toContain("approval needed: ask");
    expect(seen).toContain("**Ship it?**");
    expect(seen).toContain('(default: "yes")');
    expect(seen).not.toContain("note — Optional note"); // an optional field the step did not pre-fill is not asked
    const { RunStore } = await import("../../scripts/runner/runs.ts");
    const run = new RunStore(tmp).list().find((x) => x.path === "f/conformance/approval" && x.status === "success" && new RunStore(tmp).journal(x.id).some((e) => e.type === "approval" && JSON.stringify(e.payload).includes("typed at the terminal")));
    expect(run).toBeDefined();
  });

  it("a runner killed mid-run is resumed without repeating the steps it finished", async () => {
    const counter = path.join(tmp, "interrupted-counter");
    const child = execa("node", [bin, "run", "f/conformance/interrupted", "-d", JSON.stringify({ counter_file: counter, slow_ms: 2500 }), "--root", path.join(repo, "tests", "flows"), "--state-dir", tmp, "--resources", resources], { reject: false, stdin: "ignore" });
    const { RunStore } = await import("../../scripts/runner/runs.ts");
    const store = new RunStore(tmp);
    let runId: string | undefined;
    for (let i = 0; i < 200 && !runId; i++) {
      await new Promise((r) => setTimeout(r, 50));
      runId = store.list().find((r) => r.path === "f/conformance/interrupted" && store.journal(r.id).some((e) => e.type === "step" && e.step_id === "first"))?.id;
    }
    expect(runId).toBeDefined();
    child.kill("SIGKILL");
    await child;
    expect(store.load(runId!).status).toBe("running"); // the record says what the dead runner was doing
    const resumed = await cli("resume", runId!);
    expect(resumed.exitCode).toBe(0);
    expect(JSON.parse(resumed.stdout)).toEqual({ value: 1, label: "" });
    expect(readFileSync(counter, "utf8").trim().split("\n")).toHaveLength(1); // `first` ran once
  });

  it("a job's child job that waits for approval says how to answer it, and the parent goes on once it is resumed elsewhere", async () => {
    const parent = execa("node", [bin, "run", "f/conformance/start_child", "--root", path.join(repo, "tests", "flows"), "--state-dir", tmp, "--resources", resources], { reject: false, stdin: "ignore" });
    let stderr = "";
    parent.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    let command: RegExpMatchArray | null = null;
    for (let i = 0; i < 300 && !command; i++) {
      await new Promise((r) => setTimeout(r, 50));
      command = stderr.match(/waiting for an answer at step ask: npx devgodzilla resume (\S+) -d '(.*)'/);
    }
    expect(command, stderr).not.toBeNull();
    const answered = await cli("resume", command![1], "-d", '{"answer": "from another terminal"}');
    expect(answered.exitCode).toBe(0);
    const done = await parent;
    expect(done.exitCode).toBe(0);
    expect(JSON.parse(done.stdout).child).toBe(command![1]);
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
