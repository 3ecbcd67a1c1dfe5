// executeDag: runs a task DAG (the output of f/devgodzilla/task_dag) with each task as its OWN
// Windmill job (execute_task script or task_with_qa flow), so every task has its own logs,
// retries, timeout and cost in the Windmill UI. The scheduler (scheduler.ts) starts a task the
// moment its dependencies are done; finished task branches are merged into the run branch one at
// a time, in completion order (a topological order), and the run branch is pushed after each merge.
//
// Windmill job state is the truth for resuming: on a re-run with the same run key (repo, run
// branch, base commit, task ids), tasks whose jobs already SUCCEEDED are not run again (their
// result is read from the job), and jobs still RUNNING are adopted (polled), not duplicated.

import { createHash } from "node:crypto";
import { z } from "zod";
import * as wmill from "windmill-client";
// getResultMaybe / getResult / getWorkspace are only on the default export in windmill-client 1.818.
import wmillDefault from "windmill-client";
import { ERROR_NAMES, InputError } from "../errors.ts";
import { Redactor } from "../redact.ts";
import { mdCell } from "../markdown.ts";
import { validateFeatureName } from "../speckit/paths.ts";
import { openRunBranch, type MergeOutcome, type RunBranchCopy } from "../workspace/merge.ts";
import { assignmentsMarkdown, explicitTaskAgent, loadProjectAgents, parseOrgAgents, resolveAssignments, type OrgAgents, type TaskAssignment } from "../agentops/assignments.ts";
import { isAgentId } from "../agents/registry.ts";
import { scheduleDag, topoOrder, type AttemptOutcome, type AttemptInfo, type SchedulerEvent, type TaskState, type Usage } from "./scheduler.ts";

// ---------------------------------------------------------------------------------------------
// Exported types

export const EXECUTE_TASK_PATH = "f/devgodzilla/execute_task";
export const TASK_WITH_QA_PATH = "f/devgodzilla/task_with_qa";

/** A task as task_dag emits it (extra fields are passed through to the task job). */
export const DagTaskSchema = z
  .object({
    id: z.string().min(1),
    description: z.string().default(""),
    dependsOn: z.array(z.string()).default([]),
    files: z.array(z.string()).default([]),
    story: z.string().nullable().optional(),
    phase: z.union([z.number(), z.string()]).optional(),
    weight: z.number().optional(),
    done: z.boolean().optional(),
  })
  .passthrough();
export type DagTask = z.infer<typeof DagTaskSchema>;

export const ExecuteDagInputSchema = z.object({
  repo: z.string().trim().min(1, "is required"),
  /** The run branch (devgodzilla/<feature>); created at base_commit when it does not exist. */
  branch: z.string().trim().min(1, "is required"),
  /** Where the run starts (the commit that has tasks.md). */
  commit: z.string().regex(/^[0-9a-f]{7,64}$/i, "must be a commit sha"),
  feature: z.string(),
  dag: z.object({ tasks: z.array(DagTaskSchema).min(1, "the DAG has no tasks") }).passthrough(),
  concurrency: z.number().int().min(1).max(64).default(4),
  /** "script" = f/devgodzilla/execute_task per task; "flow" = f/devgodzilla/task_with_qa (execute + QA + feedback). */
  runnable: z.enum(["script", "flow"]).default("script"),
  retries: z.number().int().min(0).max(10).default(1),
  backoff_seconds: z.number().min(0).default(30),
  fallback_agents: z.array(z.string()).default([]),
  on_failure: z.enum(["continue", "stop_run"]).default("continue"),
  /** "report" = a conflicting task fails with its files listed; "agent" = the task re-runs on top of the run branch once. */
  on_conflict: z.enum(["report", "agent"]).default("agent"),
  budget: z
    .object({ task_tokens: z.number().positive().optional(), task_cost_usd: z.number().positive().optional(), run_tokens: z.number().positive().optional(), run_cost_usd: z.number().positive().optional() })
    .default({}),
  /** Skip tasks already checked off ([X]) in tasks.md. */
  skip_done: z.boolean().default(true),
  /** Identifies the run for resuming; default: derived from repo, branch, commit and task ids. */
  run_key: z.string().default(""),
  /** Passed through to every task job (profile, sandbox_policy, limits, qa_config …). */
  task_args: z.record(z.string(), z.unknown()).default({}),
  poll_ms: z.number().int().min(10).default(2000),
  cache_dir: z.string().optional(),
  work_root: z.string().optional(),
});
export type ExecuteDagInput = z.input<typeof ExecuteDagInputSchema>;

export interface JobView {
  id: string;
  args?: Record<string, unknown>;
  success?: boolean;
  running?: boolean;
}

/** The few Windmill job operations the executor needs (windmill-client in production). */
export interface JobApi {
  start(path: string, kind: "script" | "flow", args: Record<string, unknown>): Promise<string>;
  /** completed=false while queued/running. */
  poll(id: string): Promise<{ completed: boolean; success?: boolean; result?: unknown }>;
  /** Jobs of `path` for this run key (successful or still running). */
  find(path: string, runKey: string): Promise<JobView[]>;
  result(id: string): Promise<unknown>;
}

export interface TaskOutcome {
  id: string;
  status: TaskState<unknown>["status"] | "conflict";
  /** Every Windmill job started (or adopted) for the task, in order. */
  jobs: string[];
  attempts: number;
  /** The agent that ran the task's last attempt (as its job reported it). */
  agent?: string;
  /** The model it was asked to use (null = the agent's own default). */
  model?: string | null;
  /** Why that agent: "project override: tasks.T004", "run input"… (see agent_source_from). */
  agent_source?: string;
  /** "job": the task job reported its assignment; "plan": it did not, this is the resolved plan. */
  agent_source_from?: "job" | "plan";
  branch?: string;
  commit?: string;
  merge?: MergeOutcome["status"];
  conflicts?: string[];
  blocked?: unknown;
  error?: string;
  blocked_by?: string;
  usage: Usage;
}

export interface ExecuteDagResult {
  status: "succeeded" | "failed" | "stopped" | "budget_exceeded";
  run_key: string;
  branch: string;
  /** Run branch head after the last merge (pushed). */
  commit: string;
  base_commit: string;
  tasks: TaskOutcome[];
  completion_order: string[];
  usage: Usage;
  makespan_ms: number;
  max_concurrent: number;
  stop_reason?: string;
  /** Which agent and model each task is assigned, and why (agentops), as planned before the run. */
  assignments: TaskAssignment[];
  report: string;
}

export interface ExecuteDagDeps {
  jobs?: JobApi;
  /** The c_devgodzilla_agents resource VALUE (for the assignment plan; task jobs get it by `$res:` reference). */
  agents?: unknown;
  gitToken?: string;
  /** `$res:`-style references forwarded to task jobs (never resource values: job args are visible). */
  resourceArgs?: Record<string, string>;
  redactor?: Redactor;
  onEvent?(e: SchedulerEvent): void;
  onProgress?(pct: number): void;
  sleep?(ms: number): Promise<void>;
}

// ---------------------------------------------------------------------------------------------

/** windmill-client as a JobApi. */
export function windmillJobs(): JobApi {
  return {
    async start(path, kind, args) {
      // Tracked in the parent (doNotTrackInParent=false): we wait for it, and a re-run finds it.
      const id = kind === "flow" ? await wmill.runFlowAsync(path, args, null, false) : await wmill.runScriptByPathAsync(path, args);
      return String(id).replace(/^"|"$/g, "");
    },
    async poll(id) {
      const r = (await wmillDefault.getResultMaybe(id)) as { completed?: boolean; success?: boolean; result?: unknown };
      return { completed: !!r?.completed, success: r?.success, result: r?.result };
    },
    async find(path, runKey) {
      const workspace = wmillDefault.getWorkspace();
      const out: JobView[] = [];
      for (const filter of [{ success: true }, { running: true }]) {
        const list = (await wmill.JobService.listJobs({
          workspace, scriptPathExact: path, args: JSON.stringify({ run_key: runKey }), perPage: 1000, ...filter,
        })) as unknown as JobView[];
        for (const j of list ?? []) {
          // A server may list jobs without their args: read them from the job itself.
          let args = j.args;
          if (!args) args = ((await wmill.JobService.getJob({ workspace, id: j.id }).catch(() => undefined)) as { args?: Record<string, unknown> } | undefined)?.args;
          // Servers that ignore the args filter are filtered here.
          if (!args || (args as { run_key?: unknown }).run_key !== runKey) continue;
          out.push({ id: j.id, args, success: j.success, running: filter.running ?? j.running });
        }
      }
      return out;
    },
    result: (id) => wmillDefault.getResult(id),
  };
}

export function defaultRunKey(repo: string, branch: string, commit: string, taskIds: string[]): string {
  return createHash("sha256").update(JSON.stringify([repo, branch, commit.toLowerCase(), [...taskIds].sort()])).digest("hex").slice(0, 16);
}

const NON_RETRYABLE = new Set<string>([
  ERROR_NAMES.InputError, ERROR_NAMES.ConfigError, ERROR_NAMES.ExecutionBlockedError, ERROR_NAMES.AgentUnavailableError,
  ERROR_NAMES.SetupFailedError, ERROR_NAMES.SandboxUnavailableError, ERROR_NAMES.DagError,
]);

/** What a task job reports about its agent: execute_task's `assignment` (or its AgentResult). */
interface JobAssignment {
  agent?: string;
  model?: string | null;
  source?: string;
}

interface TaskJobResult {
  assignment?: JobAssignment;
  agent?: { agentId?: string; model?: string | null } | string;
  branch?: string;
  commit?: string;
  summary?: string;
  blocked?: boolean;
  block?: unknown;
  changed?: boolean;
  usage?: { tokens?: number; cost_usd?: number | null };
  artifacts?: { files?: { path: string }[] };
  status?: string;
  execute?: TaskJobResult;
  error?: { name?: string; message?: string };
}

/** execute_task returns the result directly; task_with_qa's finish step wraps it. */
function normalise(r: unknown): TaskJobResult {
  const x = (r ?? {}) as TaskJobResult;
  if (x.execute && !x.branch) return { ...x.execute, status: x.status, blocked: x.blocked ?? x.execute.blocked };
  return x;
}

/** The agent a task job says it ran, from execute_task's result (directly or as task_with_qa's execute step). */
function assignmentOf(r: TaskJobResult): JobAssignment | null {
  if (r.assignment?.agent) return r.assignment;
  if (typeof r.agent === "string" && r.agent) return { agent: r.agent };
  if (r.agent && typeof r.agent === "object" && r.agent.agentId) return { agent: r.agent.agentId, model: r.agent.model ?? null };
  return r.execute ? assignmentOf(r.execute) : null;
}

function usageOf(r: TaskJobResult): Usage {
  const u = r.usage ?? {};
  return { tokens: u.tokens ?? undefined, costUsd: u.cost_usd ?? undefined };
}

function parseInput(raw: unknown): z.infer<typeof ExecuteDagInputSchema> {
  const r = ExecuteDagInputSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new InputError(i.path.join(".") || "input", i.message);
  }
  validateFeatureName(r.data.feature, "feature");
  return r.data;
}

/**
 * The assignment plan (agentops), as each task job will resolve it: org resource + the run
 * branch's .devgodzilla/agents.yaml; an explicit `agent` task argument wins ("run input").
 */
function planAssignments(tasks: DagTask[], phases: unknown, org: OrgAgents, repoDir: string, explicit: unknown): TaskAssignment[] {
  const project = loadProjectAgents(repoDir, org);
  const dag = {
    tasks: tasks.map((t) => ({ id: t.id, story: t.story ?? null, phase: typeof t.phase === "number" ? t.phase : -1, files: t.files ?? [] })),
    phases: phaseList(phases),
  };
  if (typeof explicit === "string" && isAgentId(explicit)) {
    return dag.tasks.map((t) => explicitTaskAgent({ id: t.id, story: t.story, files: t.files }, explicit, org, project));
  }
  return resolveAssignments(dag, org, project);
}

/** task_dag's phases ({index, number, kind}), tolerating a hand-written DAG without them. */
function phaseList(phases: unknown): { index: number; number: string | null; kind: string }[] {
  if (!Array.isArray(phases)) return [];
  return phases.flatMap((p: { index?: unknown; number?: unknown; kind?: unknown }) =>
    typeof p?.index === "number" ? [{ index: p.index, number: typeof p.number === "string" ? p.number : null, kind: typeof p.kind === "string" ? p.kind : "other" }] : []);
}

export async function executeDag(raw: ExecuteDagInput, deps: ExecuteDagDeps = {}): Promise<ExecuteDagResult> {
  const input = parseInput(raw);
  // A bad agents resource fails here, before any branch or job exists.
  const org = parseOrgAgents(deps.agents);
  const phases = phaseList((input.dag as { phases?: unknown }).phases);
  const jobs = deps.jobs ?? windmillJobs();
  const redactor = deps.redactor ?? new Redactor();
  redactor.add(deps.gitToken);
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const path = input.runnable === "flow" ? TASK_WITH_QA_PATH : EXECUTE_TASK_PATH;

  let tasks = input.dag.tasks.map((t) => ({ ...t, dependsOn: t.dependsOn ?? [] }));
  try {
    topoOrder(tasks);
  } catch (e) {
    throw new InputError("dag", (e as Error).message);
  }
  // Checked-off tasks are done: drop them and the edges to them.
  if (input.skip_done) {
    const done = new Set(tasks.filter((t) => t.done).map((t) => t.id));
    tasks = tasks.filter((t) => !done.has(t.id)).map((t) => ({ ...t, dependsOn: t.dependsOn.filter((d) => !done.has(d)) }));
  }
  const runKey = input.run_key || defaultRunKey(input.repo, input.branch, input.commit, tasks.map((t) => t.id));
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const outcomes = new Map<string, TaskOutcome>(tasks.map((t) => [t.id, { id: t.id, status: "not_started", jobs: [], attempts: 0, usage: {} }]));
  const results = new Map<string, TaskJobResult>();

  const run: RunBranchCopy = await openRunBranch({
    repo: input.repo, branch: input.branch, baseCommit: input.commit, token: deps.gitToken, cacheDir: input.cache_dir, workRoot: input.work_root,
  });
  try {
    const assignments = planAssignments(tasks, phases, org, run.dir, input.task_args.agent);
    const planned = new Map(assignments.map((a) => [a.taskId, a]));
    // The agent in the outcome is the one the job reports; the plan only stands in for a job that
    // reports none (task_with_qa's result may not carry it), and says so in agent_source_from.
    const noteAgent = (o: TaskOutcome, r: TaskJobResult, attemptAgent?: string) => {
      const a = assignmentOf(r);
      const fallback = "fallback agent (execute_dag fallback_agents)";
      if (a?.agent) {
        // The job saw an explicit agent argument: say it was our fallback, not the user's input.
        const source = attemptAgent && !input.task_args.agent && a.source === "run input" ? fallback : a.source ?? "reported by the task job";
        Object.assign(o, { agent: a.agent, model: a.model ?? null, agent_source: source, agent_source_from: "job" });
      } else if (attemptAgent) {
        Object.assign(o, { agent: attemptAgent, model: null, agent_source: fallback, agent_source_from: "plan" });
      } else {
        const p = planned.get(o.id);
        if (p) Object.assign(o, { agent: p.agent, model: p.model, agent_source: p.source, agent_source_from: "plan" });
      }
    };

    // ---- resume: what do Windmill's jobs say about this run?
    const previous = tasks.length ? await jobs.find(path, runKey).catch(() => [] as JobView[]) : [];
    const succeeded = new Map<string, { job: string; result: TaskJobResult }>();
    const adopt = new Map<string, string>();
    for (const j of previous) {
      const id = (j.args?.task as { id?: string } | undefined)?.id;
      if (!id || !byId.has(id)) continue;
      if (j.success && !succeeded.has(id)) {
        const r = normalise(await jobs.result(j.id));
        if (r.branch && r.commit && !r.blocked && !r.error) succeeded.set(id, { job: j.id, result: r });
      } else if (j.running && !adopt.has(id)) adopt.set(id, j.id);
    }
    // A succeeded task counts only if its work is (or can be) in the run branch: merge again
    // (idempotent: "up_to_date" when it already is).
    const alreadySucceeded = new Map<string, TaskJobResult>();
    for (const id of topoOrder(tasks)) {
      const s = succeeded.get(id);
      if (!s) continue;
      const m = s.result.changed === false ? null : await run.mergeTask(s.result.branch!, s.result.commit!, mergeMessage(id, byId.get(id)!.description));
      if (m && m.status === "conflict") continue;
      alreadySucceeded.set(id, s.result);
      results.set(id, s.result);
      const o = outcomes.get(id)!;
      Object.assign(o, { jobs: [s.job], branch: s.result.branch, commit: s.result.commit, merge: m?.status ?? "up_to_date", usage: usageOf(s.result) });
      noteAgent(o, s.result);
    }
    if (alreadySucceeded.size) await run.push();
    // Tasks start from the last PUSHED run-branch head (a task job checks its commit out from the
    // remote; a merge not yet pushed would not be there). Dependencies are always in it: a
    // dependant becomes ready only after its dependencies' merges were pushed.
    let pushedHead = await run.head();

    const done = () => [...outcomes.values()].filter((o) => o.status !== "not_started").length;
    const progress = () => {
      try {
        deps.onProgress?.(Math.round((100 * done()) / Math.max(1, tasks.length)));
      } catch {
        /* never fails the job */
      }
    };

    // ---- one task = one Windmill job (started, or adopted from a crashed run)
    const runTask = async (task: (typeof tasks)[number], info: AttemptInfo, note = ""): Promise<AttemptOutcome<TaskJobResult>> => {
      const o = outcomes.get(task.id)!;
      o.attempts++;
      if (info.agent) o.agent = info.agent;
      let jobId = info.attempt === 1 && !note ? adopt.get(task.id) : undefined;
      if (!jobId) {
        const startCommit = pushedHead;
        const dependencies = task.dependsOn.map((d) => {
          const r = results.get(d);
          return { id: d, description: byId.get(d)?.description, summary: r?.summary, changedFiles: r?.artifacts?.files?.map((f) => f.path), commit: r?.commit };
        });
        const { dependsOn: _deps, done: _done, weight: _w, ...rest } = task;
        // The phase's number and kind travel with the task: execute_task resolves phase assignments from them.
        const ph = typeof task.phase === "number" ? phases.find((p) => p.index === task.phase) : undefined;
        const taskArg = ph ? { ...rest, phase_number: ph.number, phase_kind: ph.kind } : rest;
        const args: Record<string, unknown> = {
          ...input.task_args,
          ...(deps.resourceArgs ?? {}),
          repo: input.repo,
          branch: input.branch,
          commit: startCommit,
          feature: input.feature,
          task: taskArg,
          dependencies,
          run_key: runKey,
          ...(note ? { note } : {}),
          ...(info.agent ? { agent: info.agent } : {}),
        };
        jobId = await jobs.start(path, input.runnable, args);
      }
      o.jobs.push(jobId);
      let polled: { completed: boolean; success?: boolean; result?: unknown };
      for (;;) {
        polled = await jobs.poll(jobId);
        if (polled.completed) break;
        await sleep(input.poll_ms);
      }
      const r = normalise(polled.result);
      const usage = usageOf(r);
      noteAgent(o, r, info.agent);
      if (!polled.success || r.error) {
        const err = r.error ?? (polled.result as { error?: { name?: string; message?: string } })?.error ?? {};
        const name = err.name ?? "Error";
        return { status: "failed", error: redactor.redact(`${name}: ${err.message ?? "task job failed"} (job ${jobId})`), retryable: !NON_RETRYABLE.has(name), usage };
      }
      if (r.blocked) {
        o.blocked = r.block ?? true;
        return { status: "failed", error: `task ${task.id} is blocked (${JSON.stringify(r.block ?? r.status).slice(0, 300)})`, retryable: false, result: r, usage };
      }
      // task_with_qa ends with status passed|failed after its own bounded feedback loop: a
      // "failed" there already used its retries, so it is final here.
      if (input.runnable === "flow" && r.status !== undefined && r.status !== "passed") {
        return { status: "failed", error: `task ${task.id}: QA loop ended ${r.status}${(r as { reason?: string }).reason ? ` (${(r as { reason?: string }).reason})` : ""} (job ${jobId})`, retryable: false, result: r, usage };
      }
      if (!r.commit) return { status: "failed", error: `job ${jobId} returned no commit`, retryable: false, result: r, usage };
      return { status: "succeeded", result: r, usage };
    };

    // ---- merge into the run branch, one at a time, in completion order
    const onTaskSucceeded = async (task: (typeof tasks)[number], r: TaskJobResult): Promise<AttemptOutcome<TaskJobResult> | void> => {
      const o = outcomes.get(task.id)!;
      results.set(task.id, r);
      o.branch = r.branch;
      o.commit = r.commit;
      if (r.changed === false || r.commit === undefined) {
        o.merge = "up_to_date";
        return;
      }
      let m = await run.mergeTask(r.branch!, r.commit, mergeMessage(task.id, task.description));
      if (m.status === "conflict" && input.on_conflict === "agent") {
        // Follow-up agent step: the same task again, on top of the current run branch, told
        // which files conflicted. Its own Windmill job.
        const conflicts = m.conflicts;
        const again = await runTask(task, { attempt: o.attempts + 1 }, `Your previous change for this task conflicted with work merged since in: ${conflicts.join(", ")}. Re-apply the task on top of the current code.`);
        if (again.status === "succeeded") {
          results.set(task.id, again.result);
          o.branch = again.result.branch;
          o.commit = again.result.commit;
          m = await run.mergeTask(again.result.branch!, again.result.commit!, mergeMessage(task.id, task.description));
        } else {
          o.status = "conflict";
          o.conflicts = conflicts;
          return { status: "failed", error: `merge conflict in ${conflicts.join(", ")}; the follow-up attempt failed: ${again.error}`, retryable: false };
        }
      }
      o.merge = m.status;
      if (m.status === "conflict") {
        o.status = "conflict";
        o.conflicts = m.conflicts;
        return { status: "failed", error: `merge conflict with the run branch in ${m.conflicts.join(", ")}`, retryable: false };
      }
      await run.push();
      pushedHead = await run.head();
      progress();
    };

    const sched = await scheduleDag(tasks, {
      concurrency: input.concurrency,
      runTask: (t, info) => runTask(t, info),
      onTaskSucceeded,
      alreadySucceeded,
      failurePolicy: {
        retries: input.retries,
        backoffMs: input.backoff_seconds * 1000,
        fallbackAgents: input.fallback_agents,
        onFailure: input.on_failure,
      },
      budget: {
        perTask: input.budget.task_tokens || input.budget.task_cost_usd ? { tokens: input.budget.task_tokens, costUsd: input.budget.task_cost_usd } : undefined,
        perRun: input.budget.run_tokens || input.budget.run_cost_usd ? { tokens: input.budget.run_tokens, costUsd: input.budget.run_cost_usd } : undefined,
      },
      weight: (t) => (t.weight ?? 1) - 1,
      onEvent: (e) => {
        deps.onEvent?.(e);
        if (e.type === "finish" || e.type === "skip") progress();
      },
      sleep,
    });

    for (const [id, st] of Object.entries(sched.tasks)) {
      const o = outcomes.get(id)!;
      if (o.status !== "conflict") o.status = st.status;
      if (st.error) o.error = st.error;
      if (st.blockedBy) o.blocked_by = st.blockedBy;
      o.usage = st.status === "skipped_succeeded" ? o.usage : st.usage;
    }
    const head = await run.head();
    const list = topoOrder(tasks).map((id) => outcomes.get(id)!);
    const result: ExecuteDagResult = {
      status: sched.status,
      run_key: runKey,
      branch: input.branch,
      commit: head,
      base_commit: input.commit,
      tasks: list,
      completion_order: sched.completionOrder,
      usage: sched.usage,
      makespan_ms: sched.makespanMs,
      max_concurrent: sched.maxConcurrent,
      stop_reason: sched.stopReason,
      assignments,
      report: renderReport(input.branch, head, sched.status, list, sched.stopReason, assignments),
    };
    return redactor.redactDeep(result);
  } finally {
    await run.cleanup().catch(() => undefined);
  }
}

function mergeMessage(id: string, description: string): string {
  return `Merge task ${id}: ${description}`.replace(/\s+/g, " ").slice(0, 100);
}

function renderReport(branch: string, head: string, status: string, tasks: TaskOutcome[], stop: string | undefined, assignments: TaskAssignment[]): string {
  const icon: Record<string, string> = {
    succeeded: "✅", skipped_succeeded: "⏭️", failed: "❌", conflict: "⚠️", budget_exceeded: "💸", dependency_failed: "⛔", not_started: "⏸️",
  };
  const lines = [
    `## Task DAG: ${status}`,
    "",
    `Run branch \`${branch}\` at \`${head.slice(0, 12)}\`${stop ? ` — stopped: ${stop}` : ""}`,
    "",
    "| task | status | agent | jobs | commit | note |",
    "|---|---|---|---|---|---|",
    ...tasks.map((t) => {
      const note = t.conflicts?.length ? `conflict: ${t.conflicts.join(", ")}` : t.blocked_by ? `after ${t.blocked_by}` : t.error ?? "";
      const agent = t.agent ? `${t.agent}${t.model ? ` (${t.model})` : ""}` : "";
      return `| ${t.id} | ${icon[t.status] ?? ""} ${t.status} | ${agent} | ${t.jobs.length} | ${t.commit ? `\`${t.commit.slice(0, 10)}\`` : ""} | ${mdCell(note).slice(0, 160)} |`;
    }),
  ];
  if (assignments.length) lines.push("", "### Agent assignments", "", assignmentsMarkdown(assignments));
  return lines.join("\n");
}
