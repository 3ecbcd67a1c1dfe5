// task_with_qa, step `finish`: the result — passed or failed, every decision, the branch and commit
// to merge, the last verdict, the agent that ran and why, and what every round's agent, QA, feedback
// and re-plan calls cost (`usage`, each step run once) — or, when a deeper attempt ran, its result
// with this round's usage added.
import { finish, type Decided, type ExecuteLike } from "./lib/qa/feedback-step.ts";
import { currentJob } from "./lib/platform/windmill.ts";

export async function main(
  commit: string,
  decide: { [key: string]: unknown } = {},
  again: unknown[] = [],
  qa: unknown[] = [],
  execute: { [key: string]: unknown } = {},
  replan: unknown[] = [],
) {
  return finish({
    decide: (decide ?? {}) as Decided,
    again: again ?? [],
    qa: qa ?? [],
    execute: (execute ?? {}) as ExecuteLike,
    replan: replan ?? [],
    commit,
    flowJob: currentJob().flowJobId,
  });
}
