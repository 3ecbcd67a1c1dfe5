// executeDag policies (conflicts, budget, resume) over a real git remote, through the FakeJobs table
// of dag-helpers.ts (each job runs the REAL executeTask). The local-runner test (runner-dag.test.ts)
// runs the same code through windmill-client.
import { describe, it, expect } from "vitest";
import { executeDag } from "../../f/devgodzilla/lib/dag/execute_dag.ts";
import { executeTask } from "../../f/devgodzilla/lib/workspace/execute_task.ts";
import { AGENTS, BRANCH, FEATURE, w, type Job, useDagFixture } from "./dag-helpers.ts";

const dag = useDagFixture();

describe("executeDag policies", () => {
  it("a merge conflict is handed to a follow-up agent run on top of the run branch (on_conflict: agent)", async () => {
    const res = await executeDag(
      dag.input(
        [
          { id: "T001", description: `one ${w("shared.txt", "from one")}` },
          { id: "T002", description: `two ${w("shared.txt", "from two")}` },
        ],
        { on_conflict: "agent", concurrency: 2 },
      ),
      { jobs: dag.jobs },
    );
    expect(res.status).toBe("succeeded");
    const second = res.tasks.find((t) => t.id === res.completion_order[1])!;
    expect(second.jobs).toHaveLength(2);
    const followUp = dag.jobs.jobs.find((j) => j.id === second.jobs[1])!;
    expect(followUp.args.note).toMatch(/conflicted .* shared\.txt/);
    expect(await dag.fx.show(BRANCH, "shared.txt")).toBe(second.id === "T002" ? "from two" : "from one");
  });

  it("stops starting tasks once the run budget is spent", async () => {
    const res = await executeDag(
      dag.input(
        [
          { id: "T001", description: `a ${w("a.txt", "A")}` },
          { id: "T002", description: `b ${w("b.txt", "B")}`, dependsOn: ["T001"] },
          { id: "T003", description: `c ${w("c.txt", "C")}`, dependsOn: ["T002"] },
        ],
        { budget: { run_tokens: 200 } },
      ),
      { jobs: dag.jobs },
    );
    // The fake agent reports 165 tokens per run: after T002 the run has spent 330 > 200.
    expect(res.status).toBe("budget_exceeded");
    expect(dag.jobs.tasksStarted()).toEqual(["T001", "T002"]);
    expect(res.tasks.find((t) => t.id === "T003")!.status).toBe("not_started");
    expect(res.usage.tokens).toBe(330);
  });

  it("re-running after a crash skips tasks whose jobs succeeded and runs only the rest", async () => {
    const tasks = [
      { id: "T001", description: `a ${w("a.txt", "A")}` },
      { id: "T002", description: `b ${w("b.txt", "B")}`, dependsOn: ["T001"] },
      { id: "T003", description: `c ${w("c.txt", "C")}`, dependsOn: ["T002"] },
    ];
    dag.jobs.crashAfter = 2;
    const first = await executeDag(dag.input(tasks), { jobs: dag.jobs }).catch((e: Error) => e);
    // The "worker" died when starting T003: the run's status is whatever it got to.
    expect(dag.jobs.tasksStarted()).toEqual(["T001", "T002"]);
    void first;
    dag.jobs.crashAfter = Infinity;
    const again = await executeDag(dag.input(tasks), { jobs: dag.jobs });
    expect(again.status).toBe("succeeded");
    expect(dag.jobs.tasksStarted()).toEqual(["T001", "T002", "T003"]); // no task started twice
    const by = Object.fromEntries(again.tasks.map((t) => [t.id, t]));
    expect(by.T001.status).toBe("skipped_succeeded");
    expect(by.T002.status).toBe("skipped_succeeded");
    expect(by.T003.status).toBe("succeeded");
    for (const f of ["a.txt", "b.txt", "c.txt"]) expect(await dag.fx.show(BRANCH, f)).not.toBeNull();
  });

  it("rejects a cyclic DAG before starting anything", async () => {
    await expect(
      executeDag(dag.input([{ id: "T1", description: "x", dependsOn: ["T2"] }, { id: "T2", description: "y", dependsOn: ["T1"] }]), { jobs: dag.jobs }),
    ).rejects.toThrow(/dag: dependency cycle/);
    expect(dag.jobs.jobs).toHaveLength(0);
    expect(await dag.fx.head(BRANCH)).toBeNull();
  });

  it("with runnable flow each task runs the task_with_qa flow; a QA failure is final and stops dependants", async () => {
    dag.jobs.qaStatus = { T002: "failed" };
    const res = await executeDag(
      dag.input(
        [
          { id: "T001", description: `a ${w("a.txt", "A")}` },
          { id: "T002", description: `b ${w("b.txt", "B")}`, dependsOn: ["T001"] },
          { id: "T003", description: `c ${w("c.txt", "C")}`, dependsOn: ["T002"] },
        ],
        { runnable: "flow", retries: 2 },
      ),
      { jobs: dag.jobs, agents: AGENTS },
    );
    expect(dag.jobs.jobs.every((j) => j.path === "f/devgodzilla/task_with_qa")).toBe(true);
    const by = Object.fromEntries(res.tasks.map((t) => [t.id, t]));
    expect(by.T001).toMatchObject({ status: "succeeded", merge: "merged" });
    // task_with_qa's result does not name the agent (yet): the plan stands in, and says so.
    expect(by.T001).toMatchObject({ agent: "qwen", agent_source: "org default: default_agent", agent_source_from: "plan" });
    expect(by.T002.status).toBe("failed");
    expect(by.T002.jobs).toHaveLength(1); // the flow's own feedback loop already retried
    expect(by.T002.error).toMatch(/QA loop ended failed/);
    expect(by.T003.status).toBe("dependency_failed");
    expect(await dag.fx.show(BRANCH, "a.txt")).toBe("A");
    expect(await dag.fx.show(BRANCH, "b.txt")).toBeNull();
  });

  it("adopts a task job still running from a crashed run instead of starting a duplicate", async () => {
    const runKey = "rk-adopt";
    const t1 = { id: "T001", description: `a ${w("a.txt", "A")}` };
    const pre: Job = {
      id: "job-pre", path: "f/devgodzilla/execute_task", done: false,
      args: { repo: dag.fx.remote, branch: BRANCH, commit: dag.fx.seed, feature: FEATURE, task: { ...t1, files: [] }, dependencies: [], run_key: runKey, install: [] },
    };
    dag.jobs.jobs.push(pre);
    executeTask({ ...(pre.args as any), cache_dir: dag.cache.dir, work_root: dag.work.dir }, { agents: AGENTS }).then((r) => Object.assign(pre, { done: true, success: true, result: r }));
    const res = await executeDag(dag.input([t1, { id: "T002", description: `b ${w("b.txt", "B")}`, dependsOn: ["T001"] }], { run_key: runKey }), { jobs: dag.jobs });
    expect(res.status).toBe("succeeded");
    expect(dag.jobs.tasksStarted()).toEqual(["T001", "T002"]); // T001 only once: the adopted job
    expect(res.tasks[0].jobs).toEqual(["job-pre"]);
    expect(await dag.fx.show(BRANCH, "a.txt")).toBe("A");
    expect(await dag.fx.show(BRANCH, "b.txt")).toBe("B");
  });
});
