// executeDag policies (conflicts, budget, resume) over a real git remote, through the FakeJobs table
// of dag-helpers.ts (each job runs the REAL executeTask). The local-runner test (runner-dag.test.ts)
// runs the same code through windmill-client.
import { describe, it, expect, beforeEach, afterEach } from "vitest";
import { createFixtureRemote, tempDir, type FixtureRemote } from "../helpers/git-fixtures.ts";
import { executeDag } from "../../f/devgodzilla/lib/dag/execute_dag.ts";
import { executeTask } from "../../f/devgodzilla/lib/workspace/execute_task.ts";
import { AGENTS, BRANCH, FEATURE, FakeJobs, w, type Job } from "./dag-helpers.ts";

let fx: FixtureRemote;
let cache: { dir: string; cleanup(): Promise<void> };
let work: { dir: string; cleanup(): Promise<void> };
let jobs: FakeJobs;
beforeEach(async () => {
  fx = await createFixtureRemote("empty");
  cache = await tempDir("dg-cache-");
  work = await tempDir("dg-work-");
  jobs = new FakeJobs(cache.dir, work.dir);
});
afterEach(async () => {
  await fx.cleanup();
  await cache.cleanup();
  await work.cleanup();
});

const input = (tasks: { id: string; description: string; dependsOn?: string[] }[], extra: Record<string, unknown> = {}) => ({
  repo: fx.remote, branch: BRANCH, commit: fx.seed, feature: FEATURE, dag: { tasks },
  poll_ms: 20, backoff_seconds: 0, retries: 0, cache_dir: cache.dir, work_root: work.dir, task_args: { install: [] }, ...extra,
});

describe("executeDag policies", () => {
  it("a merge conflict is handed to a follow-up agent run on top of the run branch (on_conflict: agent)", async () => {
    const res = await executeDag(
      input(
        [
          { id: "T001", description: `one ${w("shared.txt", "from one")}` },
          { id: "T002", description: `two ${w("shared.txt", "from two")}` },
        ],
        { on_conflict: "agent", concurrency: 2 },
      ),
      { jobs },
    );
    expect(res.status).toBe("succeeded");
    const second = res.tasks.find((t) => t.id === res.completion_order[1])!;
    expect(second.jobs).toHaveLength(2);
    const followUp = jobs.jobs.find((j) => j.id === second.jobs[1])!;
    expect(followUp.args.note).toMatch(/conflicted .* shared\.txt/);
    expect(await fx.show(BRANCH, "shared.txt")).toBe(second.id === "T002" ? "from two" : "from one");
  });

  it("stops starting tasks once the run budget is spent", async () => {
    const res = await executeDag(
      input(
        [
          { id: "T001", description: `a ${w("a.txt", "A")}` },
          { id: "T002", description: `b ${w("b.txt", "B")}`, dependsOn: ["T001"] },
          { id: "T003", description: `c ${w("c.txt", "C")}`, dependsOn: ["T002"] },
        ],
        { budget: { run_tokens: 200 } },
      ),
      { jobs },
    );
    // The fake agent reports 165 tokens per run: after T002 the run has spent 330 > 200.
    expect(res.status).toBe("budget_exceeded");
    expect(jobs.tasksStarted()).toEqual(["T001", "T002"]);
    expect(res.tasks.find((t) => t.id === "T003")!.status).toBe("not_started");
    expect(res.usage.tokens).toBe(330);
  });

  it("re-running after a crash skips tasks whose jobs succeeded and runs only the rest", async () => {
    const tasks = [
      { id: "T001", description: `a ${w("a.txt", "A")}` },
      { id: "T002", description: `b ${w("b.txt", "B")}`, dependsOn: ["T001"] },
      { id: "T003", description: `c ${w("c.txt", "C")}`, dependsOn: ["T002"] },
    ];
    jobs.crashAfter = 2;
    const first = await executeDag(input(tasks), { jobs }).catch((e: Error) => e);
    // The "worker" died when starting T003: the run's status is whatever it got to.
    expect(jobs.tasksStarted()).toEqual(["T001", "T002"]);
    void first;
    jobs.crashAfter = Infinity;
    const again = await executeDag(input(tasks), { jobs });
    expect(again.status).toBe("succeeded");
    expect(jobs.tasksStarted()).toEqual(["T001", "T002", "T003"]); // no task started twice
    const by = Object.fromEntries(again.tasks.map((t) => [t.id, t]));
    expect(by.T001.status).toBe("skipped_succeeded");
    expect(by.T002.status).toBe("skipped_succeeded");
    expect(by.T003.status).toBe("succeeded");
    for (const f of ["a.txt", "b.txt", "c.txt"]) expect(await fx.show(BRANCH, f)).not.toBeNull();
  });

  it("rejects a cyclic DAG before starting anything", async () => {
    await expect(
      executeDag(input([{ id: "T1", description: "x", dependsOn: ["T2"] }, { id: "T2", description: "y", dependsOn: ["T1"] }]), { jobs }),
    ).rejects.toThrow(/dag: dependency cycle/);
    expect(jobs.jobs).toHaveLength(0);
    expect(await fx.head(BRANCH)).toBeNull();
  });

  it("with runnable flow each task runs the task_with_qa flow; a QA failure is final and stops dependants", async () => {
    jobs.qaStatus = { T002: "failed" };
    const res = await executeDag(
      input(
        [
          { id: "T001", description: `a ${w("a.txt", "A")}` },
          { id: "T002", description: `b ${w("b.txt", "B")}`, dependsOn: ["T001"] },
          { id: "T003", description: `c ${w("c.txt", "C")}`, dependsOn: ["T002"] },
        ],
        { runnable: "flow", retries: 2 },
      ),
      { jobs, agents: AGENTS },
    );
    expect(jobs.jobs.every((j) => j.path === "f/devgodzilla/task_with_qa")).toBe(true);
    const by = Object.fromEntries(res.tasks.map((t) => [t.id, t]));
    expect(by.T001).toMatchObject({ status: "succeeded", merge: "merged" });
    // task_with_qa's result does not name the agent (yet): the plan stands in, and says so.
    expect(by.T001).toMatchObject({ agent: "qwen", agent_source: "org default: default_agent", agent_source_from: "plan" });
    expect(by.T002.status).toBe("failed");
    expect(by.T002.jobs).toHaveLength(1); // the flow's own feedback loop already retried
    expect(by.T002.error).toMatch(/QA loop ended failed/);
    expect(by.T003.status).toBe("dependency_failed");
    expect(await fx.show(BRANCH, "a.txt")).toBe("A");
    expect(await fx.show(BRANCH, "b.txt")).toBeNull();
  });

  it("adopts a task job still running from a crashed run instead of starting a duplicate", async () => {
    const runKey = "rk-adopt";
    const t1 = { id: "T001", description: `a ${w("a.txt", "A")}` };
    const pre: Job = {
      id: "job-pre", path: "f/devgodzilla/execute_task", done: false,
      args: { repo: fx.remote, branch: BRANCH, commit: fx.seed, feature: FEATURE, task: { ...t1, files: [] }, dependencies: [], run_key: runKey, install: [] },
    };
    jobs.jobs.push(pre);
    executeTask({ ...(pre.args as any), cache_dir: cache.dir, work_root: work.dir }, { agents: AGENTS }).then((r) => Object.assign(pre, { done: true, success: true, result: r }));
    const res = await executeDag(input([t1, { id: "T002", description: `b ${w("b.txt", "B")}`, dependsOn: ["T001"] }], { run_key: runKey }), { jobs });
    expect(res.status).toBe("succeeded");
    expect(jobs.tasksStarted()).toEqual(["T001", "T002"]); // T001 only once: the adopted job
    expect(res.tasks[0].jobs).toEqual(["job-pre"]);
    expect(await fx.show(BRANCH, "a.txt")).toBe("A");
    expect(await fx.show(BRANCH, "b.txt")).toBe("B");
  });
});
