// The per-task steps of the execute_tasks loop — wait → start → (task job) → merge → (follow-up
// after a conflict) → finish — and the run's report. Each is a short Windmill job; none waits for
// another job: the waiting is the wait step's suspend, which holds no worker.

import { listRemoteBranches, PushRejectedError } from "../git.ts";
import { openRunBranch, type MergeOutcome } from "../workspace/merge.ts";
import { addUsage, exceeds, type Usage } from "./attempts.ts";
import { WATCH, type ExecuteTasksResult, type RunPlan, type StopInfo, type TaskOutcome } from "./model.ts";
import { agentOf, failureOf, gateResult, maxConcurrent, mergeMessage, planningUsageOf, renderReport, usageOf, type TaskJobResult } from "./outcome.ts";
import { RunState, type RunStateDeps } from "./run_state.ts";

export interface StepDeps extends RunStateDeps {
  /** The current step's resume URL (a fresh one per call). */
  resumeUrl(): Promise<string>;
  /** The flow job this step runs in (the loop iteration). */
  flowJob?: string;
  gitToken?: string;
  cacheDir?: string;
  workRoot?: string;
}

export interface Iter {
  index: number;
  value: string;
}

/** What the start step hands the task job (plain references: results.start.<field>). */
export interface StartResult {
  task_id: string;
  go: boolean;
  /** Gates: [1] runs the execute_task (script) or task_with_qa (flow) loop once, [] skips it. */
  script: number[];
  flow: number[];
  outcome?: TaskOutcome;
  task?: Record<string, unknown>;
  commit?: string;
  dependencies?: { id: string; description?: string; summary?: string; changedFiles?: string[]; commit?: string }[];
  note: string;
  agent: string;
  retries: number;
  backoff_seconds: number;
  fallback_agents: string[];
  budget: { task_tokens?: number; task_cost_usd?: number };
  profile: Record<string, unknown>;
  sandbox_policy: string;
  setup: string;
  started_at?: string;
}

export interface MergeResult {
  task_id: string;
  /** The start step already recorded the task's outcome (it did not run). */
  recorded: boolean;
  outcome?: TaskOutcome;
  /** Gates for the follow-up run after a conflict (on_conflict: agent). */
  rerun_script: number[];
  rerun_flow: number[];
  note: string;
  commit: string;
  conflicts: string[];
}

const now = () => new Date().toISOString();
const taskId = (iter: Iter) => String(iter?.value ?? "");

/** A step failure must not leave the task's dependants waiting: record it, wake them, then fail. */
async function guarded<T>(plan: RunPlan, id: string, deps: StepDeps, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (id !== WATCH && plan.tasks[id]) {
      const state = new RunState(deps, plan);
      const already = await state.outcome(id).catch(() => null);
      if (!already) {
        await state
          .finish({ id, status: "failed", jobs: [], attempts: 0, usage: {}, error: `${(e as Error).name}: ${(e as Error).message}`, finished_at: now() })
          .catch(() => undefined);
      }
    }
    throw e;
  }
}

export async function runHead(plan: RunPlan, deps: StepDeps): Promise<string> {
  const heads = await listRemoteBranches(plan.repo, plan.branch, { token: deps.gitToken });
  return heads[plan.branch] ?? plan.base_commit;
}

// ---- wait

export async function waitStep(iter: Iter, plan: RunPlan, deps: StepDeps) {
  const id = taskId(iter);
  return guarded(plan, id, deps, async () => {
    const url = await deps.resumeUrl();
    const r = await new RunState(deps, plan).registerAndCheck(id, { url, flow_job: deps.flowJob, at: now() });
    return { task: id, ready: r.ready, waiting_for: r.waiting_for };
  });
}

// ---- start

function noGo(plan: RunPlan, id: string, outcome: TaskOutcome): StartResult {
  return {
    task_id: id,
    go: false,
    script: [],
    flow: [],
    outcome,
    note: "",
    agent: "",
    retries: 0,
    backoff_seconds: 0,
    fallback_agents: [],
    budget: {},
    profile: {},
    sandbox_policy: plan.task_args.sandbox_policy,
    setup: plan.task_args.setup,
  };
}

function tasksUsage(outcomes: Iterable<TaskOutcome>): Usage {
  let u: Usage = {};
  for (const o of outcomes) u = addUsage(u, o.usage);
  return u;
}

/** What the run has spent: planning (task_dag's model calls) and every task's job (agents, and task_with_qa's QA and feedback calls). */
export function runUsage(plan: RunPlan, outcomes: Iterable<TaskOutcome>): Usage {
  return addUsage(plan.planning_usage?.usage ?? {}, tasksUsage(outcomes));
}

const runBudget = (plan: RunPlan) => {
  const b = plan.policy.budget;
  return b.run_tokens || b.run_cost_usd ? { tokens: b.run_tokens, costUsd: b.run_cost_usd } : undefined;
};

/** Why the task does not start, or null when it does. */
async function refusal(
  plan: RunPlan,
  id: string,
  resume: unknown,
  state: RunState,
): Promise<{ outcome: Omit<TaskOutcome, "finished_at">; stop?: StopInfo } | null> {
  const base = { id, jobs: [], attempts: 0, usage: {} };
  const error = (resume as { error?: { name?: string; message?: string } } | null)?.error;
  const pending = await state.pending(id);
  if (error && pending.length) {
    return {
      outcome: { ...base, status: "failed", error: `did not start: ${error.message ?? error.name} while waiting for ${pending.join(", ")} (none finished)` },
    };
  }
  const stop = await state.stopped();
  if (stop) return { outcome: { ...base, status: "not_started", error: `not started: ${stop.reason}` } };
  const deps = await state.outcomes(plan.tasks[id]!.deps);
  const failed = [...deps.values()].find((o) => o.status !== "succeeded" && o.status !== "skipped_succeeded");
  if (failed) return { outcome: { ...base, status: "dependency_failed", blocked_by: failed.id, error: `dependency ${failed.id} did not succeed` } };
  const over = exceeds(runUsage(plan, (await state.outcomes(plan.topo)).values()), runBudget(plan));
  if (over) {
    const reason = `run budget exceeded (${over})`;
    return { outcome: { ...base, status: "not_started", error: `not started: ${reason}` }, stop: { status: "budget_exceeded", reason } };
  }
  return null;
}

export async function startStep(iter: Iter, plan: RunPlan, resume: unknown, deps: StepDeps): Promise<StartResult> {
  const id = taskId(iter);
  return guarded(plan, id, deps, async () => {
    const state = new RunState(deps, plan);
    const refused = await refusal(plan, id, resume, state);
    if (refused) {
      const outcome = { ...refused.outcome, finished_at: now() };
      await state.finish(outcome, refused.stop);
      return noGo(plan, id, outcome);
    }
    const t = plan.tasks[id]!;
    const done = await state.outcomes(t.deps);
    // Dependencies were merged and pushed before their finish steps recorded them: the remote head has them.
    const commit = await runHead(plan, deps);
    const started_at = now();
    await state.markStarted(id, { commit, flow_job: deps.flowJob });
    const b = plan.policy.budget;
    return {
      task_id: id,
      go: true,
      script: plan.runnable === "script" ? [1] : [],
      flow: plan.runnable === "flow" ? [1] : [],
      task: {
        ...t.extra,
        id,
        description: t.description,
        files: t.files,
        story: t.story,
        ...(t.phase !== undefined ? { phase: t.phase } : {}),
        ...(t.phase_kind ? { phase_number: t.phase_number, phase_kind: t.phase_kind } : {}),
      },
      commit,
      dependencies: t.deps.map((d) => {
        const o = done.get(d);
        return { id: d, description: plan.tasks[d]?.description, summary: o?.summary, changedFiles: o?.files, commit: o?.commit };
      }),
      note: "",
      agent: plan.task_args.agent,
      retries: plan.policy.retries,
      backoff_seconds: plan.policy.backoff_seconds,
      fallback_agents: plan.policy.fallback_agents,
      budget: { ...(b.task_tokens ? { task_tokens: b.task_tokens } : {}), ...(b.task_cost_usd ? { task_cost_usd: b.task_cost_usd } : {}) },
      profile: plan.task_args.profile,
      sandbox_policy: plan.task_args.sandbox_policy,
      setup: plan.task_args.setup,
      started_at,
    };
  });
}

// ---- merge

/** Merges a task commit into the run branch and pushes it; another task's push in between means merge again. */
export async function mergeIntoRunBranch(plan: RunPlan, id: string, r: TaskJobResult, deps: StepDeps): Promise<MergeOutcome> {
  for (let attempt = 1; ; attempt++) {
    const run = await openRunBranch({
      repo: plan.repo,
      branch: plan.branch,
      baseCommit: plan.base_commit,
      token: deps.gitToken,
      cacheDir: deps.cacheDir,
      workRoot: deps.workRoot,
    });
    try {
      const m = await run.mergeTask(r.branch!, r.commit!, mergeMessage(id, plan.tasks[id]?.description ?? ""));
      if (m.status !== "merged") return m;
      try {
        await run.push();
      } catch (e) {
        if (e instanceof PushRejectedError && attempt < 8) continue;
        throw e;
      }
      return { ...m, commit: await run.head() };
    } finally {
      await run.cleanup().catch(() => undefined);
    }
  }
}

/** The outcome of a task job's result: failed, or merged (a conflict is returned for the caller to handle). */
async function settle(
  plan: RunPlan,
  start: StartResult,
  r: TaskJobResult | undefined,
  jobs: string[],
  deps: StepDeps,
): Promise<{ outcome: TaskOutcome; merge?: MergeOutcome }> {
  const id = start.task_id;
  const planned = plan.assignments.find((a) => a.taskId === id);
  const base: TaskOutcome = {
    id,
    status: "failed",
    jobs,
    attempts: Math.max(1, r?.attempts?.length ?? 1),
    usage: r ? usageOf(r) : {},
    ...(r ? agentOf(r, planned) : agentOf({}, planned)),
    started_at: start.started_at,
    finished_at: now(),
    summary: r?.summary,
    files: r?.artifacts?.files?.map((f) => f.path).slice(0, 200),
    branch: r?.branch,
    commit: r?.commit,
  };
  const failure = failureOf(r, plan.runnable);
  if (failure)
    return { outcome: { ...base, status: failure.status ?? "failed", error: failure.error, ...(failure.blocked ? { blocked: failure.blocked } : {}) } };
  if (r!.changed === false) return { outcome: { ...base, status: "succeeded", merge: "up_to_date" } };
  const m = await mergeIntoRunBranch(plan, id, r!, deps);
  if (m.status === "conflict")
    return {
      outcome: {
        ...base,
        status: "conflict",
        merge: "conflict",
        conflicts: m.conflicts,
        error: `merge conflict with the run branch in ${m.conflicts.join(", ")}`,
      },
      merge: m,
    };
  return { outcome: { ...base, status: "succeeded", merge: m.status }, merge: m };
}

const jobIds = (...rs: (TaskJobResult | undefined)[]) => rs.flatMap((r) => (r?.job_id ? [r.job_id] : []));

export async function mergeStep(iter: Iter, plan: RunPlan, start: StartResult, script: unknown, flow: unknown, deps: StepDeps): Promise<MergeResult> {
  const id = taskId(iter);
  return guarded(plan, id, deps, async () => {
    const skip = { task_id: id, rerun_script: [], rerun_flow: [], note: "", commit: "", conflicts: [] };
    if (!start?.go) return { ...skip, recorded: true, outcome: start?.outcome };
    const r = gateResult(script) ?? gateResult(flow);
    const { outcome } = await settle(plan, start, r, jobIds(r), deps);
    if (outcome.status === "conflict" && plan.policy.on_conflict === "agent") {
      // Follow-up agent run: the same task on top of the current run branch, told which files conflicted.
      const conflicts = outcome.conflicts ?? [];
      const note = `Your previous change for this task conflicted with work merged since in: ${conflicts.join(", ")}. Re-apply the task on top of the current code.`;
      const again = plan.runnable === "script" ? { rerun_script: [1], rerun_flow: [] } : { rerun_script: [], rerun_flow: [1] };
      return { ...skip, ...again, recorded: false, outcome, note, commit: await runHead(plan, deps), conflicts };
    }
    return { ...skip, recorded: false, outcome };
  });
}

// ---- finish

/** Whether the run stops after this outcome (stop_run policy, run budget). */
async function stopAfter(plan: RunPlan, outcome: TaskOutcome, state: RunState): Promise<StopInfo | undefined> {
  const final = outcome.status !== "succeeded" && outcome.status !== "skipped_succeeded";
  if (final && plan.policy.on_failure === "stop_run") return { status: "stopped", reason: `task ${outcome.id} failed and the policy is stop_run` };
  const all = await state.outcomes(plan.topo);
  all.set(outcome.id, outcome);
  const over = exceeds(runUsage(plan, all.values()), runBudget(plan));
  return over ? { status: "budget_exceeded", reason: `run budget exceeded (${over})` } : undefined;
}

export async function finishStep(
  iter: Iter,
  plan: RunPlan,
  start: StartResult,
  merge: MergeResult,
  rerunScript: unknown,
  rerunFlow: unknown,
  deps: StepDeps,
): Promise<TaskOutcome> {
  const id = taskId(iter);
  return guarded(plan, id, deps, async () => {
    const state = new RunState(deps, plan);
    if (merge.recorded) return merge.outcome ?? (await state.outcome(id))!;
    let outcome = merge.outcome!;
    const rerun = gateResult(rerunScript) ?? gateResult(rerunFlow);
    if (rerun) {
      const settled = await settle(plan, start, rerun, [...outcome.jobs, ...jobIds(rerun)], deps);
      outcome = { ...settled.outcome, attempts: outcome.attempts + settled.outcome.attempts, usage: addUsage(outcome.usage, settled.outcome.usage) };
      if (outcome.status === "conflict") outcome.error = `merge conflict in ${(outcome.conflicts ?? []).join(", ")}; the follow-up attempt conflicted again`;
    }
    await state.finish(outcome, await stopAfter(plan, outcome, state));
    return outcome;
  });
}

// ---- report

export async function reportStep(plan: RunPlan, deps: StepDeps): Promise<ExecuteTasksResult> {
  const state = new RunState(deps, plan);
  const [outcomes, stop, head] = await Promise.all([state.outcomes(plan.topo), state.stopped(), runHead(plan, deps)]);
  const tasks = plan.topo.map(
    (id): TaskOutcome =>
      outcomes.get(id) ?? {
        id,
        status: "not_started",
        jobs: [],
        attempts: 0,
        usage: {},
        error: stop ? `not started: ${stop.reason}` : "not reached",
        finished_at: now(),
      },
  );
  const ok = (t: TaskOutcome) => t.status === "succeeded" || t.status === "skipped_succeeded";
  const status = stop ? stop.status : tasks.every(ok) ? "succeeded" : "failed";
  const completion = tasks
    .filter(ok)
    .sort((a, b) => a.finished_at.localeCompare(b.finished_at))
    .map((t) => t.id);
  const planning = plan.planning_usage ?? planningUsageOf(undefined);
  const cost = { planning, tasks: tasksUsage(tasks), total: runUsage(plan, tasks) };
  return {
    status,
    run_key: plan.run_key,
    branch: plan.branch,
    commit: head,
    base_commit: plan.base_commit,
    tasks,
    completion_order: [...plan.skipped, ...completion.filter((id) => !plan.skipped.includes(id))],
    usage: cost.total,
    planning_usage: planning,
    tasks_usage: cost.tasks,
    makespan_ms: Date.now() - Date.parse(plan.started_at),
    max_concurrent: maxConcurrent(tasks),
    stop_reason: stop?.reason,
    assignments: plan.assignments,
    report: renderReport(plan.branch, head, status, tasks, stop?.reason, plan.assignments, cost),
  };
}
