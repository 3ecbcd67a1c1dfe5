// task_with_qa, step `finish`: the result — passed or failed, every decision, the branch and commit
// to merge, the last verdict, the agent that ran and why, and what every round's agent, QA, feedback
// and re-plan calls cost (`usage`, each step run once) — or, when a deeper attempt ran, its result
// with this round's usage added. A loop the task's budget ended reports status budget_exceeded and
// execute_task's BudgetExceededError.
import { finish, type Decided, type ExecuteLike } from "./lib/qa/feedback-step.ts";
import { currentJob } from "./lib/platform/windmill.ts";

export async function main(
  commit: string,
  decide: { [key: string]: unknown } = {},
  again: unknown[] = [],
  qa: unknown[] = [],
  execute: { [key: string]: unknown } = {},
  replan: unknown[] = [],
  next: { budget_exceeded?: string | null } = {},
) {
  return finish({
    decide: (decide ?? {}) as Decided,
    again: again ?? [],
    qa: qa ?? [],
    execute: (execute ?? {}) as ExecuteLike,
    replan: replan ?? [],
    next: next ?? {},
    commit,
    flowJob: currentJob().flowJobId,
  });
}
