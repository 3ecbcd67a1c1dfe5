// The main flow end to end on the local runner: a real sample repository with a bare remote, the
// loopback model (scripts/demo/model.ts), the built-in llm agent in the sandbox, QA, and a pull
// request on the loopback GitHub API. Then: no secret anywhere, and a killed runner resumes cleanly.
import { execa } from "execa";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acceptRecommended, setUpDemo, type Demo } from "../../scripts/demo/index.ts";
import { runPath, RunStore, type RunResult } from "../../scripts/runner/index.ts";

const repoRoot = path.resolve(__dirname, "../..");
let demo: Demo;
let out: RunResult;
const logs: string[] = [];
const stateDir = () => path.join(demo.dir, "state");
const gitAt = (...args: string[]) => execa("git", ["--git-dir", demo.remote, ...args]).then((r) => r.stdout);

beforeAll(async () => {
  demo = await setUpDemo();
  process.env.DEVGODZILLA_CACHE_DIR = path.join(demo.dir, "cache");
  out = await runPath("f/devgodzilla/spec_to_pr", {
    args: demo.args,
    store: demo.store,
    stateDir: stateDir(),
    ask: acceptRecommended,
    onLog: (l, line) => logs.push(`[${l}] ${line}`),
  });
}, 600_000);
afterAll(async () => {
  await demo?.close();
  if (demo) rmSync(demo.dir, { recursive: true, force: true });
});

describe("spec_to_pr on the local runner", () => {
  it("succeeds and reports tasks, QA verdict, cost and the pull request", () => {
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    const r = out.result as {
      branch: string;
      pr_url: string;
      tasks_succeeded: number;
      tasks_total: number;
      qa_verdict: string;
      render_all: [{ markdown: string }];
    };
    expect(r.tasks_total).toBe(3);
    expect(r.tasks_succeeded).toBe(3);
    expect(r.qa_verdict).toBe("passed");
    expect(r.pr_url).toMatch(/\/pull\/1$/);
    expect(r.render_all[0].markdown).toContain("pull request created");
  });

  it("leaves a branch with the spec artifacts, the implemented tasks and the QA report", async () => {
    const branch = (out.result as { branch: string }).branch;
    expect(branch).toBe("devgodzilla/001-truncate-helper");
    const files = (await gitAt("ls-tree", "-r", "--name-only", branch)).split("\n");
    for (const f of ["spec.md", "plan.md", "tasks.md", "checklists/requirements.md"]) expect(files).toContain(`specs/001-truncate-helper/${f}`);
    for (const f of ["src/truncate.js", "test/integration/truncate.test.js", "docs/truncate.md"]) expect(files).toContain(f);
    expect(files.some((f) => /^specs\/001-truncate-helper\/_runtime\/qa-report\.md$/.test(f))).toBe(true);
    // tasks.md is still Spec Kit's format with the answered clarification in the spec
    const spec = await gitAt("show", `${branch}:specs/001-truncate-helper/spec.md`);
    expect(spec).toMatch(/## Clarifications\n+### Session \d{4}-\d{2}-\d{2}\n+- Q: Does the ellipsis count toward max\? → A: Yes/);
    expect(spec).not.toContain("[NEEDS CLARIFICATION");
    // the implemented code works: the sample project's own tests pass on the branch
    const work = mkdtempSync(path.join(os.tmpdir(), "dgz-e2e-check-"));
    await execa("git", ["clone", "-q", "--branch", branch, demo.remote, work]);
    const test = await execa("npm", ["test"], { cwd: work, reject: false });
    rmSync(work, { recursive: true, force: true });
    expect(test.exitCode, test.stdout).toBe(0);
  });

  it("opened exactly one pull request on the forge, against main, from the run branch", () => {
    const pulls = demo.forge.pulls("github", "demo/textkit");
    expect(pulls).toHaveLength(1);
    expect(pulls[0]).toMatchObject({ head: "devgodzilla/001-truncate-helper", base: "main", state: "open" });
  });

  it("counts the task planner's model calls in the run's cost exactly once, beside the spec steps' and the agents'", () => {
    const steps = new RunStore(stateDir()).journal(out.runId).flatMap((e) => (e.type === "step" && e.success ? [e] : []));
    const resultsOf = (p: string) => steps.filter((e) => e.path === p).map((e) => e.result as any);
    const resultAt = (key: string) => steps.find((e) => e.key === key)?.result as any;
    const dags = resultsOf("f/devgodzilla/task_dag");
    expect(dags).toHaveLength(1);
    const planner = dags[0].usage;
    expect(planner.calls).toBeGreaterThan(0); // the demo's model sizes the tasks
    // The subflows' results are their last steps' (execute_tasks: report, spec_to_tasks: summary).
    const execution = resultAt("execute/report");
    const spec = resultAt("spec/summary");
    expect(execution.planning_usage).toMatchObject({
      calls: planner.calls,
      usage_id: dags[0].usage_id,
      usage: { tokens: planner.inputTokens + planner.outputTokens },
    });
    expect(execution.usage.tokens).toBe(execution.tasks_usage.tokens + planner.inputTokens + planner.outputTokens);
    expect(execution.report).toContain(`**Planning** (task_dag: reading the dependency prose, sizing the tasks): ${planner.calls} model call`);
    // The run's own QA judge (run_qa) is counted beside them, once, and named in the summary's cost lines.
    const runQa = resultAt("run_qa");
    expect(runQa.usage.calls).toBeGreaterThan(0);
    expect(runQa.usage_id).toMatch(/\S/);
    const qaTokens = runQa.usage.inputTokens + runQa.usage.outputTokens;
    expect((out.result as { tokens: number }).tokens).toBe(spec.usage.inputTokens + spec.usage.outputTokens + execution.usage.tokens + qaTokens);
    expect((out.result as { render_all: [{ markdown: string }] }).render_all[0].markdown).toContain(
      `  - QA (the run's QA judge, embeddings and reviewer): ${qaTokens} tokens`,
    );
  });

  it("counts each task's QA judge and feedback calls in the task's usage (task_with_qa), every round once", () => {
    const steps = new RunStore(stateDir()).journal(out.runId).flatMap((e) => (e.type === "step" && e.success ? [e] : []));
    const execution = steps.find((e) => e.key === "execute/report")?.result as { tasks: { id: string; usage: { tokens: number } }[] };
    // Every job inside execute's task loops: the agents' runs, and the QA, feedback and re-plan steps' model calls.
    const inTasks = steps.filter((e) => e.key.startsWith("execute/"));
    const of = (p: string) => inTasks.filter((e) => e.path === `f/devgodzilla/${p}`).map((e) => e.result as any);
    const ledgerTokens = (r: any) => (r.usage ? r.usage.inputTokens + r.usage.outputTokens : 0);
    expect(of("qa").some((r) => r.usage.calls > 0)).toBe(true);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const expected = sum(of("execute_task").map((r) => r.usage.tokens)) + sum([...of("qa"), ...of("feedback_classify"), ...of("tasks")].map(ledgerTokens));
    expect(sum(execution.tasks.map((t) => t.usage.tokens ?? 0))).toBe(expected);
  });

  it("no secret (every resource and variable value) appears in logs, results, run records, commits, worktrees or caches", async () => {
    const canaries = Object.values(demo.store.variables);
    expect(canaries.length).toBeGreaterThan(1);
    const haystacks: [string, string][] = [
      ["logs", logs.join("\n")],
      ["result", JSON.stringify(out)],
    ];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir)) {
        const p = path.join(dir, e);
        const st = statSync(p, { throwIfNoEntry: false });
        if (!st) continue;
        if (st.isDirectory()) walk(p);
        else if (st.isFile() && st.size < 5_000_000) haystacks.push([p, readFileSync(p, "latin1")]);
      }
    };
    walk(demo.dir); // run records, logs, the bare remote's objects (unpacked below), caches, worktrees left behind
    const history = await gitAt("log", "--all", "-p", "--format=%H %an <%ae> %s%n%b");
    haystacks.push(["git history", history]);
    haystacks.push(["forge requests", JSON.stringify(demo.forge.requests)]);
    const leaks = haystacks.flatMap(([where, text]) => canaries.filter((c) => text.includes(c)).map(() => where));
    expect(leaks).toEqual([]);
  });
});

describe("interrupted spec_to_pr", () => {
  it("the demo, stopped by Ctrl-C in the spec phase and killed during an agent, during run QA and during the PR step, is finished by `resume` each time without repeating finished work", async () => {
    const state = mkdtempSync(path.join(os.tmpdir(), "dgz-e2e-resume-"));
    const cache = path.join(state, "cache");
    /** The CLI in the background; `until(re)` resolves once its stderr shows `re`. */
    const start = (...args: string[]) => {
      const child = execa("node", [path.join(repoRoot, "scripts/devgodzilla.mjs"), ...args, "--state-dir", state], {
        reject: false,
        stdin: "ignore",
        env: { DEVGODZILLA_CACHE_DIR: cache },
      });
      let stderr = "";
      const waits: [RegExp, (m: RegExpMatchArray) => void][] = [];
      child.stderr!.on("data", (d: Buffer) => {
        stderr += d.toString();
        for (const w of [...waits]) {
          const m = stderr.match(w[0]);
          if (m) (waits.splice(waits.indexOf(w), 1), w[1](m));
        }
      });
      const until = (re: RegExp) =>
        new Promise<RegExpMatchArray>((resolve, reject) => {
          const m = stderr.match(re);
          if (m) return resolve(m);
          waits.push([re, resolve]);
          void child.then(() => reject(new Error(`the runner ended before printing ${re}:\n${stderr}`)));
        });
      return { child, until, stderr: () => stderr };
    };
    const store = new RunStore(state);
    const pids: number[] = [];
    try {
      // 1. npm start, Ctrl-C while the spec is being written: exit 130 and the resume command
      const demo = start("demo");
      const [, runId] = await demo.until(/Running f\/devgodzilla\/spec_to_pr — run (\S+)\n/);
      await demo.until(/▶ spec › plan/);
      demo.child.kill("SIGINT");
      const stopped = await demo.child;
      expect(stopped.exitCode).toBe(130);
      expect(stopped.stderr).toContain(`Continue it with:\n  npx devgodzilla resume ${runId} --state-dir ${state}`);
      pids.push(demo.child.pid!);
      const remote = JSON.parse(readFileSync(path.join(state, "runs", runId!, "demo.json"), "utf8")).remote as string;
      const listed = await execa("node", [path.join(repoRoot, "scripts/devgodzilla.mjs"), "runs", "--state-dir", state]);
      expect(listed.stdout).toMatch(
        new RegExp(`^${runId}\\s+interrupted\\s.*f/devgodzilla/spec_to_pr \\(demo\\)\\n\\s+continue: npx devgodzilla resume ${runId} --state-dir`, "m"),
      );

      // 2. resumed (the demo's servers come back), killed while T002's agent runs (T001 merged)
      const killAt = async (pattern: RegExp) => {
        const r = start("resume", runId!);
        await r.until(/Bringing the demo back/);
        await r.until(pattern);
        r.child.kill("SIGKILL");
        await r.child;
        pids.push(r.child.pid!);
        expect(store.load(runId!).status).toBe("running"); // what the dead runner left: resumable
        return r.stderr();
      };
      const second = await killAt(/▶ T002 › execute — agent llm, attempt 1\n/);
      expect(second).toMatch(/✓ \d+ steps finished before the resume, not run again: spec › preflight, spec › onboard, spec › onboard_check, spec › specify/);
      expect(second).toMatch(/✓ T001 › merge/); // T001 passed QA and was merged before the kill
      // 3. killed during run QA: T001's finished steps are kept; T002's execute, cut short by the
      // kill, is run again (not waited on forever)
      const third = await killAt(/▶ run_qa/);
      expect(third).toMatch(/✓ \d+ steps finished before the resume, not run again: [^\n]*T001 › execute/);
      expect(third).toMatch(/▶ T002 › execute — agent llm, attempt 1\n[\s\S]*✓ T002 › execute \d/);
      // 4. killed during the PR step
      await killAt(/▶ pr\[0\] › open_pr/);
      // 5. the last resume finishes: exit 0, and the summary counts T001 (merged two runners ago)
      const last = start("resume", runId!);
      const done = await last.child;
      expect(done.exitCode, done.stderr).toBe(0);
      const result = JSON.parse(done.stdout) as { tasks_succeeded: number; tasks_total: number; pr_url: string; render_all: [{ markdown: string }] };
      expect(result).toMatchObject({ tasks_succeeded: 3, tasks_total: 3 });
      expect(result.render_all[0].markdown).toMatch(/\*\*Tasks\*\*: 3\/3 succeeded/);
      expect(result.render_all[0].markdown).toMatch(/\| T001 \| ✅ succeeded \| llm \| 1 \|/); // merged two runners ago, run once
      expect(done.stderr).toContain("(on the demo's loopback GitHub, gone once the demo ends)"); // not a link that will be dead
      expect(done.stderr).not.toContain(`](${result.pr_url})`);

      const steps = store
        .journal(runId!)
        .filter((e) => e.type === "step" && e.success)
        .map((e) => e.key);
      expect(new Set(steps).size).toBe(steps.length); // nothing finished ran twice
      const subjects = (await execa("git", ["--git-dir", remote, "log", "--format=%s", "devgodzilla/001-truncate-helper"])).stdout.split("\n");
      for (const prefix of ["specify:", "clarify:", "plan:", "tasks:", "T001:", "T002:", "T003:"]) {
        expect(
          subjects.filter((s) => s.startsWith(prefix)),
          prefix,
        ).toHaveLength(1);
      }
      // the killed runners' temp dirs (working copies) were removed by the runners that came after
      const left = readdirSync(os.tmpdir()).filter((d) => pids.some((pid) => d.startsWith(`devgodzilla-run-${pid}-`)));
      expect(left).toEqual([]);
      rmSync(path.dirname(remote), { recursive: true, force: true });
    } finally {
      rmSync(state, { recursive: true, force: true });
    }
  }, 600_000);
});
