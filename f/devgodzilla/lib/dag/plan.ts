// The `plan` step of execute_tasks: validates the DAG and the policies, opens (or creates) the run
// branch, resolves which agent runs each task (agentops), finds the tasks an earlier run of the
// same inputs already finished (their finish job succeeded and their commit is in the run branch:
// Windmill's jobs and the run branch are the truth), records those as done, and orders the rest
// for the parallel loop (critical path first, topological).

import { createHash } from "node:crypto";
import { InputError } from "../errors.ts";
import { validateFeatureName } from "../speckit/paths.ts";
import { isAncestor } from "../git.ts";
import { openRunBranch } from "../workspace/merge.ts";
import { explicitTaskAgent, loadProjectAgents, parseOrgAgents, resolveAssignments, type OrgAgents, type TaskAssignment } from "../agentops/assignments.ts";
import { isAgentId } from "../agents/registry.ts";
import { DagError, dependantsOf, topoOrder, windowOrder } from "./graph.ts";
import { PlanInputSchema, WATCH, type DagTask, type PlanInput, type PlannedTask, type RunPlan, type TaskOutcome } from "./model.ts";
import { planningUsageOf } from "./outcome.ts";
import { RunState, type RunStateDeps } from "./run_state.ts";

export interface PlanDeps extends RunStateDeps {
  /** The execute_tasks flow job (the plan step's WM_FLOW_JOB_ID). */
  stateJob: string;
  /** The c_devgodzilla_agents resource value (for the assignment plan). */
  agents?: unknown;
  gitToken?: string;
  /** Outcomes recorded by succeeded finish jobs of this run key (earlier runs). */
  finished(runKey: string): Promise<TaskOutcome[]>;
  cacheDir?: string;
  workRoot?: string;
}

export interface PlanResult {
  run: RunPlan;
  /** The loop's iterator: task ids in run order. */
  items: string[];
  /** The loop's parallelism (the concurrency limit). */
  parallelism: number;
  /** The deadline watch's iteration value. */
  watch: { index: number; value: string };
  run_key: string;
  skipped: string[];
}

type Input = ReturnType<typeof PlanInputSchema.parse>;

function parseInput(raw: PlanInput): Input {
  const r = PlanInputSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new InputError(i.path.join(".") || "input", i.message);
  }
  validateFeatureName(r.data.feature, "feature");
  return r.data;
}

export function defaultRunKey(repo: string, branch: string, commit: string, taskIds: string[]): string {
  return createHash("sha256")
    .update(JSON.stringify([repo, branch, commit.toLowerCase(), [...taskIds].sort()]))
    .digest("hex")
    .slice(0, 16);
}

/** task_dag's phases ({index, number, kind}), tolerating a hand-written DAG without them. */
function phaseList(phases: unknown): { index: number; number: string | null; kind: string }[] {
  if (!Array.isArray(phases)) return [];
  return phases.flatMap((p: { index?: unknown; number?: unknown; kind?: unknown }) =>
    typeof p?.index === "number"
      ? [{ index: p.index, number: typeof p.number === "string" ? p.number : null, kind: typeof p.kind === "string" ? p.kind : "other" }]
      : [],
  );
}

/** The tasks to consider: validated; with `skipDone`, checked-off ones dropped, their dependants waiting for what they waited for. */
export function selectTasks(given: readonly DagTask[], skipDone: boolean): DagTask[] {
  let tasks = given.map((t) => ({ ...t, dependsOn: t.dependsOn ?? [] }));
  try {
    topoOrder(tasks);
  } catch (e) {
    if (e instanceof DagError) throw new InputError("dag", e.message.split(" — ")[0]!);
    throw e;
  }
  if (skipDone) {
    // A dependency on a checked-off task stands for what that task waited for: the DAG given is
    // transitively reduced, so dropping the edge alone would let a task overtake open work.
    const done = new Set(tasks.filter((t) => t.done).map((t) => t.id));
    const openBefore = new Map<string, string[]>();
    const byId = new Map(tasks.map((t) => [t.id, t]));
    const open = (deps: readonly string[]) => [...new Set(deps.flatMap((d) => (done.has(d) ? openBefore.get(d)! : [d])))];
    for (const id of topoOrder(tasks)) if (done.has(id)) openBefore.set(id, open(byId.get(id)!.dependsOn));
    tasks = tasks.filter((t) => !done.has(t.id)).map((t) => ({ ...t, dependsOn: open(t.dependsOn) }));
  }
  if (!tasks.length) throw new InputError("dag", "every task is already checked off in tasks.md: nothing to run");
  return tasks;
}

/** Which agent and model each task gets, and why; an explicit `agent` input wins ("run input"). */
function planAssignments(tasks: DagTask[], phases: ReturnType<typeof phaseList>, org: OrgAgents, repoDir: string, explicit: string): TaskAssignment[] {
  const project = loadProjectAgents(repoDir, org);
  const dag = {
    tasks: tasks.map((t) => ({ id: t.id, story: t.story ?? null, phase: typeof t.phase === "number" ? t.phase : -1, files: t.files ?? [] })),
    phases,
  };
  if (explicit && isAgentId(explicit)) return dag.tasks.map((t) => explicitTaskAgent({ id: t.id, story: t.story, files: t.files }, explicit, org, project));
  return resolveAssignments(dag, org, project);
}

function plannedTasks(tasks: DagTask[], phases: ReturnType<typeof phaseList>, skipped: Set<string>): Record<string, PlannedTask> {
  const dependants = dependantsOf(tasks);
  return Object.fromEntries(
    tasks.map((t) => {
      const { id, description, files, story, phase, dependsOn, done: _d, weight: _w, ...extra } = t;
      const ph = typeof phase === "number" ? phases.find((p) => p.index === phase) : undefined;
      const planned: PlannedTask = {
        id,
        description,
        files: files ?? [],
        story: story ?? null,
        phase,
        ...(ph ? { phase_number: ph.number, phase_kind: ph.kind } : {}),
        deps: [...new Set(dependsOn)].filter((d) => !skipped.has(d)),
        dependants: (dependants.get(id) ?? []).filter((d) => !skipped.has(d)),
        extra,
      };
      return [id, planned];
    }),
  );
}

export async function planRun(raw: PlanInput, deps: PlanDeps): Promise<PlanResult> {
  const input = parseInput(raw);
  const org = parseOrgAgents(deps.agents); // a bad agents resource fails here, before any branch exists
  if (!deps.stateJob) throw new InputError("flow", "dag_plan runs as a step of the execute_tasks flow (no flow job id in this job's environment)");
  const phases = phaseList(input.dag.phases);
  const tasks = selectTasks(input.dag.tasks, input.skip_done);
  const runKey =
    input.run_key ||
    defaultRunKey(
      input.repo,
      input.branch,
      input.commit,
      tasks.map((t) => t.id),
    );
  const byId = new Map(tasks.map((t) => [t.id, t]));

  const run = await openRunBranch({
    repo: input.repo,
    branch: input.branch,
    baseCommit: input.commit,
    token: deps.gitToken,
    cacheDir: deps.cacheDir,
    workRoot: deps.workRoot,
  });
  try {
    await run.push(); // the run branch exists from here on: every task starts from it
    const assignments = planAssignments(tasks, phases, org, run.dir, input.agent);
    // Resume: tasks whose finish job succeeded in an earlier run and whose commit is in the run branch.
    const earlier = new Map<string, TaskOutcome>();
    for (const o of await deps.finished(runKey)) {
      if (!byId.has(o.id) || earlier.has(o.id) || (o.status !== "succeeded" && o.status !== "skipped_succeeded") || !o.commit) continue;
      // An unknown commit (another repository's run, a rewritten branch) is simply not in the run branch.
      if (o.merge === "up_to_date" || (await isAncestor(run.dir, o.commit, "HEAD").catch(() => false))) earlier.set(o.id, o);
    }
    // A task counts as done only if everything it depends on does too.
    const skipped = new Set<string>();
    for (const id of topoOrder(tasks)) if (earlier.has(id) && byId.get(id)!.dependsOn.every((d) => skipped.has(d))) skipped.add(id);
    const planned = plannedTasks(tasks, phases, skipped);
    const remaining = tasks.filter((t) => !skipped.has(t.id)).map((t) => ({ ...t, dependsOn: planned[t.id]!.deps }));
    const order = remaining.length ? windowOrder(remaining, input.concurrency, (t) => t.weight ?? 1) : [];

    const plan: RunPlan = {
      run_key: runKey,
      state_job: deps.stateJob,
      repo: input.repo,
      branch: input.branch,
      base_commit: input.commit,
      feature: input.feature,
      runnable: input.runnable,
      policy: {
        retries: input.retries,
        backoff_seconds: input.backoff_seconds,
        fallback_agents: input.fallback_agents,
        on_failure: input.on_failure,
        on_conflict: input.on_conflict,
        budget: { ...input.budget, ...(input.budget_usd > 0 ? { run_cost_usd: input.budget_usd } : {}) },
      },
      task_args: { profile: input.profile, sandbox_policy: input.sandbox_policy, setup: input.setup, agent: input.agent },
      tasks: planned,
      topo: topoOrder(tasks),
      order,
      skipped: [...skipped],
      assignments,
      planning_usage: planningUsageOf(input.dag.usage, input.dag.usage_id),
      started_at: new Date().toISOString(),
    };
    const state = new RunState(deps, plan);
    for (const id of skipped) await state.finish({ ...earlier.get(id)!, status: "skipped_succeeded" });
    return {
      run: plan,
      items: order,
      parallelism: Math.max(1, Math.min(input.concurrency, order.length || 1)),
      watch: { index: -1, value: WATCH },
      run_key: runKey,
      skipped: [...skipped],
    };
  } finally {
    await run.cleanup().catch(() => undefined);
  }
}
