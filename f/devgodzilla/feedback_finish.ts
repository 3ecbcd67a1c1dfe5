// task_with_qa, step `finish`: the result — passed or failed, every decision, the branch and commit
// to merge, the last verdict, the agent that ran and why — or, when a deeper attempt ran, its result.
import { finish, type Decided, type ExecuteLike } from "./lib/qa/feedback-step.ts";
import { currentJob } from "./lib/platform/windmill.ts";

export async function main(
  commit: string,
  decide: { [key: string]: unknown } = {},
  again: unknown[] = [],
  qa: unknown[] = [],
  execute: { [key: string]: unknown } = {},
) {
  return finish({
    decide: (decide ?? {}) as Decided,
    again: again ?? [],
    qa: qa ?? [],
    execute: (execute ?? {}) as ExecuteLike,
    commit,
    flowJob: currentJob().flowJobId,
  });
}
