// task_with_qa's failure module: which step failed and why, with the decisions made so far and what
// the rounds spent up to the failure (the earlier rounds' usage the loop carried, and this round's
// step jobs read from Windmill, failed ones included). The flow stays failed (Windmill semantics).
import { failure } from "./lib/qa/feedback-step.ts";
import { currentJob } from "./lib/platform/windmill.ts";
import { roundJobResults } from "./lib/qa/loop_jobs.ts";

export async function main(
  previous_result: { error?: { message?: string; name?: string; step_id?: string } } = {},
  history: { [key: string]: unknown }[] = [],
  commit = "",
  spent: { [key: string]: unknown }[] = [],
) {
  const round = await roundJobResults(currentJob().flowJobId, false);
  return failure({ previous_result: previous_result ?? {}, history: history ?? [], commit: commit ?? "", spent: spent ?? [], ...round });
}
