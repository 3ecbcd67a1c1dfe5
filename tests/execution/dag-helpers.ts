// Shared by the executeDag tests: an in-memory job table standing in for Windmill's (start / poll /
// find / result — the JobApi seam) whose jobs run the REAL executeTask (fake agent CLI, real bwrap).
import type { JobApi, JobView } from "../../f/devgodzilla/lib/dag/execute_dag.ts";
import { executeTask } from "../../f/devgodzilla/lib/workspace/execute_task.ts";
import { FAKE_BIN } from "../agents/helpers.ts";
import { afterEach, beforeEach } from "vitest";
import { createFixtureRemote, tempDir, type FixtureRemote } from "../helpers/git-fixtures.ts";

export const FEATURE = "002-dag";
export const BRANCH = "devgodzilla/002-dag";
export const AGENTS = { default_agent: "qwen", enabled: ["qwen", "claude-code"], bin_dir: FAKE_BIN };

export interface Job {
  id: string;
  path: string;
  args: Record<string, any>;
  done: boolean;
  success?: boolean;
  result?: unknown;
}

/** An in-memory job table whose jobs run executeTask; `crashAfter` makes start() throw after N jobs. */
export class FakeJobs implements JobApi {
  jobs: Job[] = [];
  crashAfter = Infinity;
  /** The agents resource value the task jobs get. */
  agents: unknown = AGENTS;
  /** For kind "flow": the QA verdict task_with_qa's finish step would report, per task id. */
  qaStatus: Record<string, "passed" | "failed"> = {};
  constructor(private cache: string, private work: string) {}
  async start(p: string, kind: "script" | "flow", args: Record<string, any>): Promise<string> {
    if (this.jobs.length >= this.crashAfter) throw new Error("worker crashed");
    const job: Job = { id: `job-${this.jobs.length + 1}`, path: p, args, done: false };
    this.jobs.push(job);
    executeTask({ ...(args as any), cache_dir: this.cache, work_root: this.work }, { agents: this.agents }).then(
      (r) => Object.assign(job, { done: true, success: true, result: kind === "flow"
        ? { task_with_qa: true, status: this.qaStatus[args.task.id] ?? "passed", reason: "", branch: r.branch, commit: r.commit, verdict: { status: "pass", score: 0.9 } }
        : r }),
      (e: Error) => Object.assign(job, { done: true, success: false, result: { error: { name: e.name, message: e.message } } }),
    );
    return job.id;
  }
  async poll(id: string) {
    const j = this.jobs.find((x) => x.id === id)!;
    return { completed: j.done, success: j.success, result: j.result };
  }
  async find(p: string, runKey: string): Promise<JobView[]> {
    return this.jobs.filter((j) => j.path === p && j.args.run_key === runKey && (j.success || !j.done)).map((j) => ({ id: j.id, args: j.args, success: j.success, running: !j.done }));
  }
  async result(id: string) {
    return this.jobs.find((x) => x.id === id)!.result;
  }
  tasksStarted(): string[] {
    return this.jobs.map((j) => j.args.task.id);
  }
}

/** A task description the fake agent turns into writing `file` with `content`. */
export const w = (file: string, content: string) => `[[fake:write ${file}=${content}]]`;

export interface DagFixture {
  fx: FixtureRemote;
  cache: { dir: string; cleanup(): Promise<void> };
  work: { dir: string; cleanup(): Promise<void> };
  jobs: FakeJobs;
  /** executeDag input for these tasks over this test's remote, cache and work root. */
  input(tasks: DagTaskIn[], extra?: Record<string, unknown>): ReturnType<typeof dagInput>;
}

type DagTaskIn = { id: string; description: string; dependsOn?: string[] };
const dagInput = (f: DagFixture, tasks: DagTaskIn[], extra: Record<string, unknown> = {}) => ({
  repo: f.fx.remote, branch: BRANCH, commit: f.fx.seed, feature: FEATURE, dag: { tasks },
  poll_ms: 20, backoff_seconds: 0, retries: 0, cache_dir: f.cache.dir, work_root: f.work.dir, task_args: { install: [] }, ...extra,
});

/** A fresh remote, mirror cache, work root and job table for every test of the calling file. */
export function useDagFixture(): DagFixture {
  const f = { input: (tasks: DagTaskIn[], extra?: Record<string, unknown>) => dagInput(f, tasks, extra) } as unknown as DagFixture;
  beforeEach(async () => {
    f.fx = await createFixtureRemote("empty");
    f.cache = await tempDir("dg-cache-");
    f.work = await tempDir("dg-work-");
    f.jobs = new FakeJobs(f.cache.dir, f.work.dir);
  });
  afterEach(async () => {
    await f.fx.cleanup();
    await f.cache.cleanup();
    await f.work.cleanup();
  });
  return f;
}
