// The run's deadline. A watch waits (suspended, no worker) beside the task loop until every task
// has an outcome; its suspend timeout is the run's deadline. Past it, the watch says what never
// finished and why — a job queued with no live worker for its tag, or every such worker busy —
// and cancels the run with that message (the cancel stops every job under it), then fails with
// it too. Running the flow again with the same inputs skips the tasks that finished.

import { DevGodzillaError } from "../errors.ts";
import type { RunPlan } from "./model.ts";
import { RunState, type RunStateDeps } from "./run_state.ts";

export interface QueuedJob {
  id: string;
  script_path?: string;
  tag?: string;
  created_at?: string;
}

export interface WatchDeps extends RunStateDeps {
  /** Jobs of this run that are queued and no worker has started. */
  queued(): Promise<QueuedJob[]>;
  workersWithTags(tags: string[]): Promise<Record<string, boolean>>;
  cancel(jobId: string, reason: string): Promise<boolean>;
}

/** The run passed its deadline and was canceled; the message says what never finished and why. */
export class RunDeadlineError extends DevGodzillaError {}

const age = (iso?: string) => (iso ? `${Math.round((Date.now() - Date.parse(iso)) / 1000)} s` : "a while");

/** What is still not finished, and why, in one message a person can act on. */
export async function diagnose(plan: RunPlan, deps: WatchDeps, waited: string): Promise<string> {
  const state = new RunState(deps, plan);
  const outcomes = await state.outcomes(plan.order);
  const open = plan.order.filter((id) => !outcomes.has(id));
  const queued = await deps.queued().catch(() => [] as QueuedJob[]);
  const tags = [...new Set(queued.map((j) => j.tag ?? "").filter(Boolean))];
  const live = await deps.workersWithTags(tags).catch(() => ({}) as Record<string, boolean>);
  const jobs = queued.map((j) => {
    const why =
      j.tag && live[j.tag] === false ? `no live worker listens on tag '${j.tag}'` : `no worker${j.tag ? ` with tag '${j.tag}'` : ""} was free to take it`;
    return `job ${j.id} (${j.script_path ?? "?"}) has waited ${age(j.created_at)} in the queue: ${why}`;
  });
  const tasks = await Promise.all(
    open.map(async (id) => {
      const started = await state.started(id);
      if (started) return `${id} started at ${started.at} and did not finish`;
      const pending = await state.pending(id);
      return pending.length ? `${id} never started: it waits for ${pending.join(", ")}` : `${id} never started`;
    }),
  );
  return [
    `deadline: ${open.length} of ${plan.order.length} tasks did not finish within ${waited}`,
    ...tasks.map((t) => `- ${t}`),
    ...(jobs.length ? ["Queued jobs no worker took:", ...jobs.map((j) => `- ${j}`)] : []),
    "Run execute_tasks again with the same inputs once workers are available: the finished tasks are skipped.",
  ].join("\n");
}

export async function watchStep(plan: RunPlan, resume: unknown, deps: WatchDeps, waited = "the run's deadline"): Promise<{ timed_out: false }> {
  const error = (resume as { error?: { name?: string } } | null)?.error;
  if (!error) return { timed_out: false };
  const reason = await diagnose(plan, deps, waited);
  await deps.cancel(plan.state_job, reason);
  // Failing too matters when execute_tasks is a step of another flow (spec_to_pr): on Windmill a
  // subflow canceled by one of its own steps that then succeeds is a successful step of its parent,
  // which would go on (observed on CE v1.592.1); a step that fails fails the parent's step.
  throw new RunDeadlineError(reason);
}
