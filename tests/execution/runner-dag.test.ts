// execute_dag and the execute_tasks flow on the local runner: the real windmill-client starts one
// execute_task job per task (runScriptByPathAsync), polls it (getResultMaybe) and, on a re-run,
// finds the succeeded jobs (JobService.listJobs) so nothing runs twice.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import path from "node:path";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import * as wmill from "windmill-client";
import { runPath } from "../../scripts/runner/index.ts";
import { createFixtureRemote, type FixtureRemote } from "../helpers/git-fixtures.ts";
import { FAKE_BIN } from "../agents/helpers.ts";

const store = {
  resources: {
    "f/devgodzilla/agents_fake": { resource_type: "c_devgodzilla_agents", value: { default_agent: "qwen", enabled: ["qwen"], bin_dir: FAKE_BIN, agents: { qwen: { api_key: "sk-runner-dag-secret-0123456789" } } } },
  },
  variables: {},
};

let fx: FixtureRemote;
let stateDir: string;
beforeAll(async () => {
  fx = await createFixtureRemote("empty", {
    extraFiles: {
      "specs/003-run/tasks.md": [
        "# Tasks: run",
        "",
        "## Phase 1: Setup",
        "",
        "- [ ] T001 Create alpha.txt (fake agent: [[fake:write alpha.txt=a]])",
        "",
        "## Phase 2: Foundational",
        "",
        "- [ ] T002 [P] Create beta.txt (fake agent: [[fake:write beta.txt=b]])",
        "- [ ] T003 [P] Create gamma.txt (fake agent: [[fake:write gamma.txt=c]])",
        "",
      ].join("\n"),
    },
  });
  stateDir = await mkdtemp(path.join(os.tmpdir(), "dgz-runner-dag-"));
});
afterAll(async () => {
  await fx?.cleanup();
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
});

const dag = {
  tasks: [
    { id: "T001", description: "first [[fake:write one.txt=1]]", dependsOn: [] },
    { id: "T002", description: "second [[fake:write two.txt=2]]", dependsOn: ["T001"] },
    { id: "T003", description: "third [[fake:write three.txt=3]]", dependsOn: ["T001"] },
  ],
};

describe("execute_dag on the local runner", () => {
  it("runs each task as its own job through windmill-client and merges them; a re-run starts no job twice", async () => {
    const args = {
      repo: fx.remote, branch: "devgodzilla/003-run", commit: fx.seed, feature: "003-run", dag,
      concurrency: 2, retries: 0, agents_resource: "f/devgodzilla/agents_fake",
    };
    const out = await runPath("f/devgodzilla/execute_dag", { args, store, stateDir });
    expect(out.status, JSON.stringify(out.error ?? null)).toBe("success");
    const res = out.result as any;
    expect(res.status).toBe("succeeded");
    const jobIds = res.tasks.flatMap((t: any) => t.jobs);
    expect(new Set(jobIds).size).toBe(3);
    expect(await fx.show("devgodzilla/003-run", "two.txt")).toBe("2");
    expect(await fx.show("devgodzilla/003-run", "three.txt")).toBe("3");
    expect(JSON.stringify(res)).not.toContain("sk-runner-dag-secret");
    // The agent each task job ran, and the plan from the agents resource read by path.
    expect(res.tasks.map((t: any) => [t.agent, t.agent_source, t.agent_source_from])).toEqual(Array(3).fill(["qwen", "org default: default_agent", "job"]));
    expect(res.report).toContain("| T002 | code | qwen | (agent default) | org default: default_agent |");

    // The jobs Windmill (here: the runner's API) knows for execute_task, as windmill-client lists them.
    const taskJobs = async () => (await wmill.JobService.listJobs({ workspace: "local", scriptPathExact: "f/devgodzilla/execute_task" })) as unknown as { id: string }[];
    const before = (await taskJobs()).length;
    expect(before).toBeGreaterThanOrEqual(3);
    for (const id of jobIds) expect((await taskJobs()).map((j) => j.id)).toContain(id);

    const again = await runPath("f/devgodzilla/execute_dag", { args, store, stateDir });
    expect(again.status).toBe("success");
    const res2 = again.result as any;
    expect(res2.tasks.map((t: any) => t.status)).toEqual(["skipped_succeeded", "skipped_succeeded", "skipped_succeeded"]);
    expect((await taskJobs()).length).toBe(before); // nothing started again
    expect(res2.commit).toBe(res.commit);
  });
});

describe("the execute_tasks flow on the local runner", () => {
  it("parses tasks.md at the commit and runs its DAG, one job per task, into the run branch", async () => {
    const out = await runPath("f/devgodzilla/execute_tasks", {
      args: { repo: fx.remote, branch: "devgodzilla/003-run-flow", commit: fx.seed, feature: "003-run", concurrency: 2, retries: 0, agents_resource: "f/devgodzilla/agents_fake" },
      store, stateDir,
    });
    expect(out.status, JSON.stringify(out.error ?? out.result)).toBe("success");
    const res = out.result as any;
    expect(res.status).toBe("succeeded");
    expect(res.tasks.map((t: any) => t.id)).toEqual(["T001", "T002", "T003"]);
    expect(res.completion_order[0]).toBe("T001");
    // task_dag's phases reach the task jobs (phase assignments resolve the same in plan and job).
    expect(res.assignments.map((a: any) => a.taskId)).toEqual(["T001", "T002", "T003"]);
    expect(res.tasks.every((t: any) => t.agent === "qwen" && t.agent_source_from === "job")).toBe(true);
    for (const [f, c] of [["alpha.txt", "a"], ["beta.txt", "b"], ["gamma.txt", "c"]]) expect(await fx.show("devgodzilla/003-run-flow", f)).toBe(c);
  });
});
