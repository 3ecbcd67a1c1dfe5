// The `devgodzilla` command as a person runs it: a real child process (a pseudo-terminal where a
// terminal matters), JSON on stdout, progress and errors on stderr, the exit code telling the outcome.
import { execa, type ResultPromise } from "execa";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resumeRun } from "../../scripts/runner/index.ts";
import { RunStore } from "../../scripts/runner/runs.ts";

const repo = path.resolve(__dirname, "../..");
const bin = path.join(repo, "scripts", "devgodzilla.mjs");
const tmp = mkdtempSync(path.join(os.tmpdir(), "dgz-cli-"));
const resources = path.join(tmp, "resources.yaml");
writeFileSync(resources, "resources: {}\nvariables:\n  f/conformance/token: sk-cli-test-0123456789abcdef\n");
const options = ["--root", path.join(repo, "tests", "flows"), "--state-dir", tmp, "--resources", resources];
const cli = (...args: string[]) => execa("node", [bin, ...args, ...options], { reject: false, cwd: tmp, stdin: "ignore" });
/** A runner in the background whose stderr is watched: `until(text)` resolves once it was printed. */
function background(...args: string[]) {
  const child = execa("node", [bin, ...args, ...options], { reject: false, cwd: tmp, stdin: "ignore" });
  let stderr = "";
  const waiting: [RegExp, (m: RegExpMatchArray) => void][] = [];
  child.stderr!.on("data", (d: Buffer) => {
    stderr += d.toString();
    for (const w of [...waiting]) {
      const m = stderr.match(w[0]);
      if (m) {
        waiting.splice(waiting.indexOf(w), 1);
        w[1](m);
      }
    }
  });
  const until = (re: RegExp) =>
    new Promise<RegExpMatchArray>((resolve) => {
      const m = stderr.match(re);
      if (m) resolve(m);
      else waiting.push([re, resolve]);
    });
  return { child, until, stderr: () => stderr };
}
/** The runner in a real pseudo-terminal (`script`), as a person's shell runs it. */
function inTerminal(...args: string[]) {
  const cmd = [process.execPath, bin, ...args, ...options].map((a) => `'${a}'`).join(" ");
  const child: ResultPromise = execa("script", ["-qfec", cmd, "/dev/null"], { reject: false, cwd: tmp });
  let seen = "";
  let from = 0; // `until` looks only at what came after the previous match
  const waiting: (() => void)[] = [];
  child.stdout!.on("data", (d: Buffer) => {
    seen += d.toString();
    for (const w of [...waiting]) w();
  });
  const until = (text: string) =>
    new Promise<void>((resolve) => {
      const check = () => {
        const at = seen.indexOf(text, from);
        if (at < 0) return false;
        from = at + text.length;
        waiting.splice(waiting.indexOf(check), 1);
        resolve();
        return true;
      };
      waiting.push(check);
      check();
    });
  const type = (s: string) => child.stdin!.write(s);
  return { child, until, type, seen: () => seen };
}
const store = new RunStore(tmp);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("devgodzilla run", () => {
  it("runs a single script and prints its result as JSON on stdout", async () => {
    const r = await cli("run", "f/conformance/echo", "-d", '{"value": [1, 2], "label": "x"}');
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ value: [1, 2], label: "x" });
  });

  it("shows one progress line when each step starts and ends; the jobs' own output only with --verbose", async () => {
    const args = path.join(tmp, "args.json");
    writeFileSync(args, JSON.stringify({ n: 20 }));
    const r = await cli("run", "f/conformance/control", "-d", `@${args}`);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).value.pick).toBe("big");
    expect(r.stderr).toMatch(/^\[\d+:\d\d\] ▶ pick › big$/m);
    expect(r.stderr).toMatch(/^\[\d+:\d\d\] ✓ pick › big \d+\.\ds$/m);
    expect(r.stderr).toMatch(/^\[\d+:\d\d\] ✗ both › right failed after \d+\.\ds: right branch failed$/m);
    expect(r.stderr).not.toContain("[right]"); // the failing job's log (a stack trace) stays in the run record
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const runId = JSON.parse(
      readFileSync(path.join(tmp, "runs", store.list().sort((a, b) => b.created_at.localeCompare(a.created_at))[0]!.id, "run.json"), "utf8"),
    ).id;
    expect(readFileSync(path.join(tmp, "runs", runId, "logs", "right.log"), "utf8")).toMatch(/right branch failed\n\s+at /);
    const verbose = await cli("run", "f/conformance/control", "-d", `@${args}`, "--verbose");
    expect(verbose.stderr).toContain("[right] Error: right branch failed");
  });

  it("an unknown path is one clear input error: exit 2, JSON on stdout, no stack", async () => {
    const r = await cli("run", "f/conformance/nope");
    expect(r.exitCode).toBe(2);
    expect(JSON.parse(r.stdout).error.message).toMatch(/unknown Windmill path "f\/conformance\/nope"/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("invalid JSON arguments are a usage error (exit 2) that shows the right form", async () => {
    const r = await cli("run", "f/conformance/echo", "-d", "{value: 1}");
    expect(r.exitCode).toBe(2);
    expect(JSON.parse(r.stdout).error.message).toMatch(/-d is not valid JSON .* -d @file.json/);
  });

  it("missing resources are named all at once, in one line, before anything runs (exit 2)", async () => {
    const before = store.list().length;
    const r = await cli("run", "f/conformance/typed", "-d", '{"creds": "$res:f/conformance/missing", "model": "$var:f/conformance/model_name"}');
    expect(r.exitCode).toBe(2);
    expect(JSON.parse(r.stdout).error.message).toMatch(/resource "f\/conformance\/missing", variable "f\/conformance\/model_name"/);
    expect(r.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(
        /^devgodzilla: 2 references are not defined: .* — add them under resources: \/ variables: in .*resources\.yaml or set DEVGODZILLA_RES_F_CONFORMANCE_MISSING, DEVGODZILLA_VAR_F_CONFORMANCE_MODEL_NAME$/,
      ),
    ]);
    expect(store.list()).toHaveLength(before);
    const verbose = await cli("run", "f/conformance/typed", "-d", '{"creds": "$res:f/conformance/missing"}', "-v");
    expect(verbose.stderr).toMatch(/\n\s+at /); // the stack, only when asked for
  });

  it("the exit code tells a clean run (0) from one that finished with failures (3)", async () => {
    const clean = await cli("run", "f/conformance/outcome", "-d", '{"failures": []}');
    expect(clean.exitCode).toBe(0);
    const failed = await cli("run", "f/conformance/outcome", "-d", '{"failures": ["run QA failed", "1 of 2 tasks did not succeed: T002 (failed)"]}');
    expect(failed.exitCode).toBe(3);
    expect(failed.stderr).toContain("Finished with failures (exit 3): run QA failed; 1 of 2 tasks did not succeed: T002 (failed)");
    const broken = await cli("run", "f/conformance/attempt", "-d", JSON.stringify({ counter_file: path.join(tmp, "never") }));
    expect(broken.exitCode).toBe(1);
    expect(broken.stderr).toMatch(/Run \S+ failed: run 1 failed on purpose\nThe jobs' output is in .*logs \(or run again with --verbose\)/);
  });

  it("a script that rejects its input (InputError) exits 2, naming the field and the expected form", async () => {
    const bundle = ["--root", repo, "--state-dir", tmp, "--resources", resources];
    const r = await execa("node", [bin, "run", "f/devgodzilla/task_dag", "-d", '{"tasks_md": "some notes, no tasks"}', ...bundle], {
      reject: false,
      cwd: tmp,
      stdin: "ignore",
    });
    expect(r.exitCode).toBe(2);
    expect(JSON.parse(r.stdout).error).toMatchObject({
      name: "InputError",
      message: expect.stringMatching(/^tasks_md: no task lines found — tasks look like/),
    });
  });
});

describe("answers", () => {
  it("without a terminal a suspended run stops (exit 4), saved, and prints the exact resume command, which finishes it", async () => {
    const r = await cli("run", "f/conformance/approval");
    expect(r.exitCode).toBe(4);
    const out = JSON.parse(r.stdout);
    expect(out.status).toBe("suspended");
    expect(r.stderr).toContain(out.resume_command);
    const [, runId, data, rest] = out.resume_command.match(/^npx devgodzilla resume (\S+) -d '(.*)' (--state-dir .*)$/);
    expect(rest).toBe(`--state-dir ${tmp} --resources ${resources} --root ${path.join(repo, "tests", "flows")}`);
    const resumed = await cli("resume", runId, "-d", data);
    // It stops again at its last step, an approval too (a suspend on the last step waits, as on Windmill).
    expect(resumed.exitCode).toBe(4);
    const last = JSON.parse(resumed.stdout);
    expect(last).toMatchObject({ status: "suspended", step_id: "final_ask" });
    const [, , lastData] = last.resume_command.match(/^npx devgodzilla resume (\S+) -d '(.*)' --state-dir/);
    const finished = await cli("resume", runId, "-d", lastData);
    expect(finished.exitCode, finished.stderr).toBe(0);
    expect((await cli("runs")).stdout).toMatch(new RegExp(`${runId}\\s+success`));
  });

  it("an answer that does not fit the open question is rejected with the expected shape, and the run keeps waiting", async () => {
    const r = await cli("run", "f/conformance/clarify_approval");
    const runId = JSON.parse(r.stdout).run_id;
    const journal = () => readFileSync(path.join(tmp, "runs", runId, "journal.jsonl"), "utf8");
    const before = journal();
    // the README's old example, on a clarification: rejected by the command, exit 2
    const readme = await cli("resume", runId, "-d", '{"answer": "Red"}');
    expect(readme.exitCode).toBe(2);
    expect(readme.stderr).toMatch(
      /"answer" is not a field of step ask — expected \{"Q1": "<option A \| B, or your answer>" \(optional\)\}; the run still waits, nothing was changed/,
    );
    const resume = (payload: unknown) => resumeRun(runId, payload, { root: path.join(repo, "tests", "flows"), stateDir: tmp, storeFile: resources });
    for (const [payload, why] of [
      [{ Q1: "C" }, /"C" is not an option of Q1 \(options: A, B\)/],
      [{ Q2: "Blue" }, /"Q2" answers a question that is not open \(open: Q1\)/],
      [{ Q1: 2 }, /"Q1" must be text/],
      ["Red", /the answer must be a JSON object/],
    ] as const) {
      await expect(resume(payload), JSON.stringify(payload)).rejects.toThrow(why);
      expect(store.load(runId).status).toBe("suspended");
      expect(journal()).toBe(before);
    }
    const answered = await resume({ Q1: "B" });
    expect(answered.status).toBe("success");
    expect(answered.result).toMatchObject({ value: { Q1: "B" } });
  });

  it("--answers with a key that is no approval step, or fields its form does not have, is an error before the run starts", async () => {
    const before = store.list().length;
    const file = path.join(tmp, "bad-answers.json");
    writeFileSync(file, JSON.stringify({ clarify: { Q1: "A" } }));
    const unknown = await cli("run", "f/conformance/clarify_approval", "--answers", `@${file}`);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/--answers: "clarify" is not an approval step — the keys are approval step ids: .*ask \(.*f\/conformance\/clarify_approval/);
    writeFileSync(file, JSON.stringify({ ask: { answer: "A" } }));
    const wrongField = await cli("run", "f/conformance/clarify_approval", "--answers", `@${file}`);
    expect(wrongField.exitCode).toBe(2);
    expect(wrongField.stderr).toMatch(/--answers: ask: .*"answer" is not a field of step ask/);
    expect(store.list()).toHaveLength(before);
  });

  it("--answers from a file answers the approval without stopping", async () => {
    const answers = path.join(tmp, "answers.json");
    writeFileSync(answers, JSON.stringify({ ask: { answer: "no" }, final_ask: {} }));
    const r = await cli("run", "f/conformance/approval", "--answers", `@${answers}`);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toContain("suspended");
  });

  it("at a terminal: Enter takes the answer the prompt shows, 'maybe' does not approve, an unknown option is asked again", async () => {
    const t = inTerminal("run", "f/conformance/clarify_approval", "-s");
    await t.until("approval needed: ask");
    await t.until('option A, B or your answer in words · Enter = "Red" · - = empty');
    t.type("C\r");
    await t.until('"C" is not an option of Q1 (options: A, B)');
    t.type("\r"); // Enter: the recommended answer, as the prompt says
    await t.until("Approve with these answers? [Y/n]");
    t.type("maybe\r");
    await t.until("answer y (approve) or n (reject)");
    t.type("y\r");
    const r = await t.child;
    expect(r.exitCode, t.seen()).toBe(0);
    expect(t.seen()).toContain('"Q1": "Red"');
  });

  it("Ctrl-C at an approval leaves the run waiting (exit 130) and says how to continue; resume at a terminal asks again", async () => {
    const t = inTerminal("run", "f/conformance/approval", "-s");
    await t.until("answer — Your answer");
    t.type("\x03");
    const r = await t.child;
    expect(r.exitCode, t.seen()).toBe(130);
    const [, runId] = t.seen().match(/Interrupted\. Run (\S+) waits for an answer at step "ask"\. Continue it with:\r?\n\s+npx devgodzilla resume \1 -d/) ?? [];
    expect(runId, t.seen()).toBeDefined();
    expect(store.load(runId!).status).toBe("suspended");
    const again = inTerminal("resume", runId!, "-s");
    await again.until("answer — Your answer");
    again.type("typed later\r");
    await again.until("Approve with these answers?");
    again.type("y\r");
    await again.until("approval needed: final_ask"); // the last step's approval, asked next in the same session
    await again.until("Approve with these answers?");
    again.type("y\r");
    expect((await again.child).exitCode, again.seen()).toBe(0);
    expect(store.journal(runId!).some((e) => e.type === "approval" && JSON.stringify(e.payload).includes("typed later"))).toBe(true);
  });
});

describe("resume from any point", () => {
  it("Ctrl-C while a step runs stops at once (exit 130), prints the resume command, removes the temp working copy; resume finishes without repeating steps", async () => {
    const counter = path.join(tmp, "ctrl-c-counter");
    const release = path.join(tmp, "ctrl-c-release");
    const run = background("run", "f/conformance/interruptible", "-d", JSON.stringify({ counter_file: counter, release_file: release }), "-v");
    const [, copy] = await run.until(/working copy at (\S+)\n/);
    expect(existsSync(copy!)).toBe(true);
    const own = readdirSync(os.tmpdir()).filter((d) => d.startsWith(`devgodzilla-run-${run.child.pid}-`));
    expect(own).toHaveLength(1); // the runner's own temp dir, which holds the copy
    run.child.kill("SIGINT");
    const r = await run.child;
    expect(r.exitCode).toBe(130);
    const [, runId] =
      run
        .stderr()
        .match(/Interrupted\. Run (\S+) stopped where it was; nothing finished is lost\. Continue it with:\n\s+npx devgodzilla resume \1 --state-dir/) ?? [];
    expect(runId, run.stderr()).toBeDefined();
    expect(existsSync(copy!)).toBe(false);
    expect(existsSync(path.join(os.tmpdir(), own[0]!))).toBe(false);
    writeFileSync(release, "");
    const resumed = await cli("resume", runId!);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/✓ 1 step finished before the resume, not run again: first\n/);
    expect(JSON.parse(resumed.stdout)).toEqual({ value: 1, label: "" });
    expect(readFileSync(counter, "utf8").trim().split("\n")).toHaveLength(1); // `first` ran once
  });

  it("a runner killed while a child job ran: `runs` shows it interrupted with the child under it, and resume restarts the child instead of waiting on it forever", async () => {
    const counter = path.join(tmp, "child-counter");
    const release = path.join(tmp, "child-release");
    const run = background(
      "run",
      "f/conformance/start_child",
      "-d",
      JSON.stringify({ flow_path: "f/conformance/interruptible", args: { counter_file: counter, release_file: release } }),
      "-v",
    );
    await run.until(/working copy at \S+\n/); // the child job is inside its `hold` step
    run.child.kill("SIGKILL");
    await run.child;
    const parent = store.list().find((r) => r.path === "f/conformance/start_child" && r.status === "running" && r.pid === run.child.pid)!;
    const child = store.list().find((r) => r.path === "f/conformance/interruptible" && r.parent_job && r.pid === run.child.pid)!;
    expect(store.load(child.id).status).toBe("running"); // what the dead runner left behind

    const list = (await cli("runs")).stdout;
    expect(list.split("\n")[0]).toMatch(/^RUN ID\s+STATUS\s+STARTED\s+TOOK\s+FLOW OR SCRIPT$/);
    expect(list).toMatch(
      new RegExp(`^${parent.id}\\s+interrupted\\s.*f/conformance/start_child\\n\\s+continue: npx devgodzilla resume ${parent.id} --state-dir`, "m"),
    );
    expect(list).toMatch(new RegExp(`^\\s+└ ${child.id}\\s+interrupted\\s.*f/conformance/interruptible$`, "m"));

    writeFileSync(release, "");
    const resumed = await cli("resume", parent.id);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`note: restarting job ${child.id} (f/conformance/interruptible): its runner stopped while it ran`);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ child: child.id, result: { value: 1 } });
    expect(readFileSync(counter, "utf8").trim().split("\n")).toHaveLength(1); // the child's finished step did not run again
  }, 60_000);

  it("a run that already ended says so and how to start again (exit 2)", async () => {
    const done = store.list().find((r) => r.status === "success")!;
    const r = await cli("resume", done.id);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(
      new RegExp(`run ${done.id} already ended \\(success\\); nothing to resume — start a new run with npx devgodzilla run ${done.path}`),
    );
  });

  it("a job's child job that waits for approval says how to answer it, and the parent goes on once it is resumed elsewhere", async () => {
    const parent = background("run", "f/conformance/start_child");
    const [, childId, data] = await parent.until(/waits for an answer at step ask: npx devgodzilla resume (\S+) -d '(.*)'/);
    const answered = await cli("resume", childId!, "-d", data!.replace(/'\\''/g, "'"));
    expect(answered.exitCode, answered.stderr).toBe(4); // waits again at its last step
    const finished = await cli("resume", childId!, "-d", "{}");
    expect(finished.exitCode, finished.stderr).toBe(0);
    const done = await parent.child;
    expect(done.exitCode).toBe(0);
    expect(JSON.parse(done.stdout).child).toBe(childId);
  });

  it("secrets resolved for a job never reach stdout, stderr or the run record", async () => {
    const r = await cli("run", "f/conformance/job_context", "-d", '{"var_path": "f/conformance/token"}', "-v");
    expect(r.exitCode).toBe(0);
    // the script returns the variable on purpose; the runner redacts it from what it prints and stores
    expect(r.stdout + r.stderr).not.toContain("sk-cli-test-0123456789abcdef");
    expect(JSON.parse(r.stdout).variable).toBe("[REDACTED]");
  });
});
