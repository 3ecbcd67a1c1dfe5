// The execute_tasks flow on the local runner, as Windmill runs it: every task an iteration of a
// parallel loop whose wait step is suspended until its dependencies finish (their finish steps
// resume it through its resume URL, registered in the run's flow state), every task job a real
// execute_task (fake agent CLI, real git remote), expressions evaluated as a Windmill without V8.
import { describe, it, expect, afterEach } from "vitest";
import path from "node:path";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { simpleGit } from "simple-git";
import { runPath, RunStore } from "../../scripts/runner/index.ts";
import { createFixtureRemote, type FixtureRemote } from "../helpers/git-fixtures.ts";
import { FAKE_BIN } from "../agents/helpers.ts";

const FEATURE = "004-dag";
const BRANCH = `devgodzilla/${FEATURE}`;
const SECRET = "sk-execute-tasks-secret-0123456789";
const store = {
  resources: {
    "f/devgodzilla/agents_fake": { resource_type: "c_devgodzilla_agents", value: { default_agent: "qwen", enabled: ["qwen", "claude-code"], bin_dir: FAKE_BIN, agents: { qwen: { api_key: SECRET } } } },
  },
  variables: {},
};

/** A task line the fake agent turns into writing `file` with `content`. */
export const w = (file: string, content: string) => `[[fake:write ${file}=${content}]]`;

interface T {
  id: string;
  does: string;
  deps?: string[];
}

const tasksMd = (tasks: T[]) =>
  ["# Tasks: dag", "", "## Phase 1: Work", "", ...tasks.map((t) => `- [ ] ${t.id} [P] ${t.does}${t.deps?.length ? ` (depends on ${t.deps.join(", ")})` : ""}`), ""].join("\n");

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c().catch(() => undefined);
});

async function setup(tasks: T[]) {
  const fx: FixtureRemote = await createFixtureRemote("empty", { extraFiles: { [`specs/${FEATURE}/tasks.md`]: tasksMd(tasks) } });
  const stateDir = await mkdtemp(path.join(os.tmpdir(), "dgz-exec-tasks-"));
  cleanups.push(() => fx.cleanup(), () => rm(stateDir, { recursive: true, force: true }));
  const run = (extra: Record<string, unknown> = {}) =>
    runPath("f/devgodzilla/execute_tasks", {
      args: { repo: fx.remote, branch: BRANCH, commit: fx.seed, feature: FEATURE, retries: 0, setup: "skip", agents: "$res:f/devgodzilla/agents_fake", ...extra },
      store, stateDir, noV8: true,
    });
  const journal = (runId: string) => new RunStore(stateDir).journal(runId);
  return { fx, run, journal };
}

const stepResults = (journal: ReturnType<RunStore["journal"]>, stepId: string) =>
  journal.filter((e) => e.type === "step" && e.step_id === stepId).map((e) => (e as { result: any }).result);

describe("execute_tasks: dependency-driven, no job waits for another", () => {
  it("runs a diamond DAG: each task starts from a commit with its dependencies merged, all merged into the run branch in dependency order", async () => {
    const { fx, run, journal } = await setup([
      { id: "T001", does: `setup ${w("a.txt", "A")}` },
      { id: "T002", does: `left ${w("b.txt", "B")}`, deps: ["T001"] },
      { id: "T003", does: `right ${w("c.txt", "C")}`, deps: ["T001"] },
      { id: "T004", does: `join ${w("d.txt", "D")}`, deps: ["T002", "T003"] },
    ]);
    const out = await run({ concurrency: 2 });
    expect(out.status, JSON.stringify(out.error ?? out.result)).toBe("success");
    const res = out.result as any;
    expect(res.status).toBe("succeeded");
    expect(res.tasks.map((t: any) => [t.id, t.status, t.merge])).toEqual(["T001", "T002", "T003", "T004"].map((id) => [id, "succeeded", "merged"]));
    expect(res.completion_order[0]).toBe("T001");
    expect(res.completion_order[3]).toBe("T004");
    expect(await fx.head(BRANCH)).toBe(res.commit);
    for (const f of ["a.txt", "b.txt", "c.txt", "d.txt"]) expect(await fx.show(BRANCH, f)).not.toBeNull();
    const log = (await simpleGit(fx.remote).raw(["log", "--first-parent", "--format=%s", BRANCH])).trim().split("\n");
    expect(log.slice(0, 4).reverse().map((s) => s.slice(0, 15))).toEqual(res.completion_order.map((id: string) => `Merge task ${id}`));
    // T004's job started from a commit with both dependencies' work, and got their summaries.
    const starts = stepResults(journal(out.runId), "start");
    const t4 = starts.find((s) => s.task_id === "T004");
    expect(await fx.show(t4.commit, "b.txt")).toBe("B");
    expect(await fx.show(t4.commit, "c.txt")).toBe("C");
    expect(t4.dependencies.map((d: any) => d.id)).toEqual(["T002", "T003"]);
    expect(t4.dependencies[0].changedFiles).toEqual(["b.txt"]);
    // Every task's agent, as its job reported it, and where the choice came from.
    expect(res.tasks.map((t: any) => [t.agent, t.agent_source, t.agent_source_from])).toEqual(Array(4).fill(["qwen", "org default: default_agent", "job"]));
    expect(res.report).toContain("| T004 | ✅ succeeded | qwen |");
    expect(res.max_concurrent).toBeLessThanOrEqual(2);
    expect(JSON.stringify(res)).not.toContain(SECRET);
  });
});
