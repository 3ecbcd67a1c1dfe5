// task_with_qa's failure module: which step failed and why, with the decisions made so far and what
// the loop spent up to the failure, read from its jobs (the earlier rounds' usage in the flow's
// args, this round's step jobs, failed ones included, and the deeper rounds'). The flow stays
// failed (Windmill semantics).
import { failure } from "./lib/qa/feedback-step.ts";
import { currentJob } from "./lib/platform/windmill.ts";
import { loopSpend } from "./lib/qa/loop_jobs.ts";

export async function main(
  previous_result: { error?: { message?: string; name?: string; step_id?: string } } = {},
  history: { [key: string]: unknown }[] = [],
  commit = "",
) {
  const spend = await loopSpend(currentJob().flowJobId);
  return failure({ previous_result: previous_result ?? {}, history: history ?? [], commit: commit ?? "", ...spend });
}
