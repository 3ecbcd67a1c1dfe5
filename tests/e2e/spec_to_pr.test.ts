// The main flow end to end on the local runner: a real sample repository with a bare remote, the
// loopback model (scripts/demo/model.ts), the built-in llm agent in the sandbox, QA, and a pull
// request on the loopback GitHub API. Then: no secret anywhere, and a killed runner resumes cleanly.
import { execa } from "execa";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import YAML from "yaml";
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
  out = await runPath("f/devgodzilla/spec_to_pr", { args: demo.args, store: demo.store, stateDir: stateDir(), ask: acceptRecommended, onLog: (l, line) => logs.push(`[${l}] ${line}`) });
}, 600_000);
afterAll(async () => {
  await demo?.close();
  if (demo) rmSync(demo.dir, { recursive: true, force: true });
});

describe("spec_to_pr on the local runner", () => {
  it("succeeds and reports tasks, QA verdict, cost and the pull request", () => {
    expect(out.status, JSON.stringify(out.error)).toBe("success");
    const r = out.result as { branch: string; pr_url: string; tasks_succeeded: number; tasks_total: number; qa_verdict: string; render_all: [{ markdown: string }] };
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

  it("no secret (every resource and variable value) appears in logs, results, run records, commits, worktrees or caches", async () => {
    const canaries = Object.values(demo.store.variables);
    expect(canaries.length).toBeGreaterThan(1);
    const haystacks: [string, string][] = [["logs", logs.join("\n")], ["result", JSON.stringify(out)]];
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
  it("a runner killed in the middle resumes without repeating finished steps, commits or pull requests", async () => {
    const d = await setUpDemo();
    try {
      const resources = path.join(d.dir, "resources.yaml");
      writeFileSync(resources, YAML.stringify(d.store));
      const answers = path.join(d.dir, "answers.json");
      writeFileSync(answers, JSON.stringify({ ask1: { Q1: "Yes: the result including the ellipsis is at most max characters" } }));
      const state = path.join(d.dir, "state");
      const cli = (...args: string[]) =>
        execa("node", [path.join(repoRoot, "scripts/devgodzilla.mjs"), ...args, "--state-dir", state, "--resources", resources], {
          reject: false, stdin: "ignore", env: { DEVGODZILLA_CACHE_DIR: path.join(d.dir, "cache") },
        });
      const child = cli("run", "f/devgodzilla/spec_to_pr", "-d", JSON.stringify(d.args), "--answers", `@${answers}`, "-s");
      const store = new RunStore(state);
      let runId: string | undefined;
      for (let i = 0; i < 1200 && !runId; i++) {
        await new Promise((r) => setTimeout(r, 100));
        runId = store.list().find((r) => r.path === "f/devgodzilla/spec_to_pr" && store.journal(r.id).some((e) => e.type === "step" && e.key === "spec/plan"))?.id;
      }
      expect(runId, "the run reached the plan step").toBeDefined();
      child.kill("SIGKILL");
      await child;
      const before = store.journal(runId!).filter((e) => e.type === "step" && e.success).map((e) => e.key);

      const resumed = await cli("resume", runId!, "-s");
      expect(resumed.exitCode, resumed.stdout).toBe(0);
      const steps = store.journal(runId!).filter((e) => e.type === "step" && e.success).map((e) => e.key);
      for (const k of before) expect(steps.filter((s) => s === k), k).toHaveLength(1); // nothing finished ran twice
      expect(d.forge.pulls("github", "demo/textkit")).toHaveLength(1);
      const subjects = (await execa("git", ["--git-dir", d.remote, "log", "--format=%s", "devgodzilla/001-truncate-helper"])).stdout.split("\n");
      // every step's and every task's commit exists exactly once
      for (const prefix of ["specify:", "clarify:", "plan:", "tasks:", "T001:", "T002:", "T003:"]) {
        expect(subjects.filter((s) => s.startsWith(prefix)), prefix).toHaveLength(1);
      }
    } finally {
      await d.close();
      rmSync(d.dir, { recursive: true, force: true });
    }
  }, 600_000);
});
