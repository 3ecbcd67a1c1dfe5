// task_with_qa, step `finish`: the result — passed or failed, every decision, the branch and commit
// to merge, the last verdict, the agent that ran and why, and what every round's agent, QA, feedback
// and re-plan calls cost (`usage`, each step run once) — or, when a deeper attempt ran, its result
// with this round's usage added. A loop the task's budget ended reports status budget_exceeded and
// execute_task's BudgetExceededError. The failed attempts of this round's retried steps are read
// from Windmill (their jobs' errors carry what they spent).
import { finish, type Decided, type ExecuteLike } from "./lib/qa/feedback-step.ts";
import { currentJob } from "./lib/platform/windmill.ts";
import { failedAttempts } from "./lib/qa/loop_jobs.ts";

export async function main(
  commit: string,
  decide: { [key: string]: unknown } = {},
  again: unknown[] = [],
  qa: unknown[] = [],
  execute: { [key: string]: unknown } = {},
  replan: unknown[] = [],
  next: { budget_exceeded?: string | null } = {},
) {
  const flowJob = currentJob().flowJobId;
  const failed = await failedAttempts(flowJob);
  const result = finish({
    decide: (decide ?? {}) as Decided,
    again: again ?? [],
    qa: qa ?? [],
    execute: (execute ?? {}) as ExecuteLike,
    replan: replan ?? [],
    next: next ?? {},
    failedAttempts: failed.jobs,
    commit,
    flowJob,
  });
  return flowJob && failed.unread ? { ...result, usage_note: `failed retries were not read, their usage is missing: ${failed.unread}` } : result;
}
