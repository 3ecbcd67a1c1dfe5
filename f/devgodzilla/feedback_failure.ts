// task_with_qa's failure module: which step failed and why, with the decisions made so far.
// The flow stays failed (Windmill semantics).
import { failure } from "./lib/qa/feedback-step.ts";

export async function main(
  previous_result: { error?: { message?: string; name?: string; step_id?: string } } = {},
  history: { [key: string]: unknown }[] = [],
  commit = "",
) {
  return failure({ previous_result: previous_result ?? {}, history: history ?? [], commit: commit ?? "" });
}
