// executeDag over a real git remote: every task is a "job" that runs the REAL executeTask (fake
// agent CLI, real bwrap) in-process through a small job table standing in for Windmill's
// (start / poll / find / result — the JobApi seam). The local-runner test (runner-dag.test.ts)
// runs the same code through windmill-client.
import { describe, it, expect } from "vitest";
import { executeDag } from "../../f/devgodzilla/lib/dag/execute_dag.ts";
import { AGENTS, BRANCH, w, useDagFixture } from "./dag-helpers.ts";
import { gitIn } from "../helpers/git-fixtures.ts";

const dag = useDagFixture();

describe("executeDag", () => {
  it("runs each task as its own job, merges all of them into the run branch in dependency order, and passes dependency summaries", async () => {
    const res = await executeDag(
      dag.input([
        { id: "T001", description: `setup ${w("a.txt", "A")}` },
        { id: "T002", description: `left ${w("b.txt", "B")}`, dependsOn: ["T001"] },
        { id: "T003", description: `right ${w("c.txt", "C")}`, dependsOn: ["T001"] },
        { id: "T004", description: `join ${w("d.txt", "D")}`, dependsOn: ["T002", "T003"] },
      ]),
      { jobs: dag.jobs },
    );
    expect(res.status).toBe("succeeded");
    expect(dag.jobs.tasksStarted().sort()).toEqual(["T001", "T002", "T003", "T004"]);
    expect(res.tasks.every((t) => t.jobs.length === 1 && t.merge === "merged")).toBe(true);
    expect(res.completion_order[0]).toBe("T001");
    expect(res.completion_order[3]).toBe("T004");
    expect(await dag.fx.head(BRANCH)).toBe(res.commit);
    for (const f of ["a.txt", "b.txt", "c.txt", "d.txt"]) expect(await dag.fx.show(BRANCH, f)).not.toBeNull();
    const log = (await gitIn(dag.fx.remote, ["log", "--first-parent", "--format=%s", BRANCH])).trim().split("\n");
    expect(log.slice(0, 4).reverse().map((s) => s.slice(0, 15))).toEqual(res.completion_order.map((id) => `Merge task ${id}`));
    // T004 started from a commit that has its dependencies' work, and got their summaries.
    const t4 = dag.jobs.jobs.find((j) => j.args.task.id === "T004")!;
    expect(await dag.fx.show(t4.args.commit, "b.txt")).not.toBeNull();
    expect(await dag.fx.show(t4.args.commit, "c.txt")).not.toBeNull();
    expect(t4.args.dependencies.map((d: any) => d.id)).toEqual(["T002", "T003"]);
    expect(t4.args.dependencies[0].changedFiles).toEqual(["b.txt"]);
    expect(res.report).toContain("| T004 |");
    // Every task's agent, as its job reported it.
    expect(res.tasks.map((t) => [t.id, t.agent, t.agent_source, t.agent_source_from])).toEqual(
      ["T001", "T002", "T003", "T004"].map((id) => [id, "qwen", "org default: default_agent", "job"]),
    );
    expect(res.report).toContain("| T004 | ✅ succeeded | qwen |");
  });

  it("runs each task with the agent its phase is assigned, and lists the assignment plan in the report", async () => {
    const agents = { ...AGENTS, by_phase: { setup: "claude-code" }, agents: { "claude-code": { model: "sonnet-x" } } };
    dag.jobs.agents = agents;
    const res = await executeDag(
      {
        ...dag.input([]),
        dag: {
          tasks: [
            { id: "T001", description: `setup ${w("a.txt", "A")}`, phase: 0 },
            { id: "T002", description: `story ${w("b.txt", "B")}`, phase: 1, story: "US1", dependsOn: ["T001"] },
          ],
          phases: [{ index: 0, number: "1", kind: "setup" }, { index: 1, number: "2", kind: "story" }],
        },
      },
      { jobs: dag.jobs, agents },
    );
    expect(res.status).toBe("succeeded");
    // The phase travels with the task: the job resolved the same assignment as the plan.
    expect(dag.jobs.jobs[0]!.args.task).toMatchObject({ id: "T001", phase: 0, phase_number: "1", phase_kind: "setup" });
    const by = Object.fromEntries(res.tasks.map((t) => [t.id, t]));
    expect(by.T001).toMatchObject({ agent: "claude-code", model: "sonnet-x", agent_source: "org default: by_phase.setup", agent_source_from: "job" });
    expect(by.T002).toMatchObject({ agent: "qwen", agent_source: "org default: default_agent", agent_source_from: "job" });
    expect(res.assignments.map((a) => [a.taskId, a.agent, a.source])).toEqual([
      ["T001", "claude-code", "org default: by_phase.setup"],
      ["T002", "qwen", "org default: default_agent"],
    ]);
    expect(res.report).toContain("### Agent assignments");
    expect(res.report).toContain("| T001 | code | claude-code | sonnet-x | org default: by_phase.setup |");
    expect(res.report).toContain("| T001 | ✅ succeeded | claude-code (sonnet-x) |");
  });

  it("a bad agents resource fails before any branch or job exists", async () => {
    await expect(executeDag(dag.input([{ id: "T001", description: "x" }]), { jobs: dag.jobs, agents: { by_phase: { setup: "nobody" } } })).rejects.toThrow(/by_phase/);
    expect(dag.jobs.jobs).toEqual([]);
    expect(await dag.fx.head(BRANCH)).toBeNull();
  });

  it("a failed task stops its dependants only; the independent branch is merged", async () => {
    const res = await executeDag(
      dag.input([
        { id: "T001", description: `root ${w("a.txt", "A")}` },
        { id: "T002", description: "breaks [[fake:exit 1]]", dependsOn: ["T001"] },
        { id: "T003", description: `fine ${w("c.txt", "C")}`, dependsOn: ["T001"] },
        { id: "T004", description: `after break ${w("d.txt", "D")}`, dependsOn: ["T002"] },
      ]),
      { jobs: dag.jobs },
    );
    expect(res.status).toBe("failed");
    const by = Object.fromEntries(res.tasks.map((t) => [t.id, t]));
    expect(by.T002.status).toBe("failed");
    expect(by.T002.error).toMatch(/job-\d+/);
    expect(by.T004).toMatchObject({ status: "dependency_failed", blocked_by: "T002" });
    expect(by.T003.status).toBe("succeeded");
    expect(dag.jobs.tasksStarted()).not.toContain("T004");
    expect(await dag.fx.show(BRANCH, "c.txt")).not.toBeNull();
    expect(await dag.fx.show(BRANCH, "d.txt")).toBeNull();
  });

  it("retries a failed task as a NEW job and then switches to the fallback agent", async () => {
    const res = await executeDag(
      dag.input([{ id: "T001", description: "flaky [[fake:exit 1]]" }], { retries: 1, fallback_agents: ["claude-code"] }),
      { jobs: dag.jobs },
    );
    const t = res.tasks[0];
    // 1 + retries runs per agent: the configured one, then the fallback.
    expect(t.jobs).toHaveLength(4);
    expect(dag.jobs.jobs.map((j) => j.args.agent ?? "default")).toEqual(["default", "default", "claude-code", "claude-code"]);
    expect(t.status).toBe("failed"); // the fake fails for every agent
    expect(t).toMatchObject({ agent: "claude-code", agent_source: "fallback agent (execute_dag fallback_agents)" });
  });

  it("a merge conflict is reported with its files (on_conflict: report) and stops dependants", async () => {
    const res = await executeDag(
      dag.input(
        [
          { id: "T001", description: `one ${w("shared.txt", "from one")}` },
          { id: "T002", description: `two ${w("shared.txt", "from two")}` },
          { id: "T003", description: `after two ${w("z.txt", "Z")}`, dependsOn: ["T002"] },
        ],
        { on_conflict: "report", concurrency: 2 },
      ),
      { jobs: dag.jobs },
    );
    const conflicted = res.tasks.find((t) => t.status === "conflict")!;
    expect(conflicted).toBeTruthy();
    expect(conflicted.conflicts).toEqual(["shared.txt"]);
    expect(res.report).toContain("conflict: shared.txt");
    if (conflicted.id === "T002") expect(res.tasks.find((t) => t.id === "T003")!.status).toBe("dependency_failed");
    expect(res.status).toBe("failed");
  });
});
