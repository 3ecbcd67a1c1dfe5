// The approval step of an IDE handoff (task_with_qa, after execute_task ended with outcome
// "ide_handoff"): returns this job's resume/cancel URLs and the approval page's instructions —
// which branch to check out, which command to run in which IDE. The module suspends on it; the
// person answers the form (done + a note) once they pushed their work. Without a handoff (any
// other outcome) the step resumes itself and the flow goes on.
import { ideApproval } from "./lib/workspace/ide_handoff.ts";

export async function main(
  /** execute_task's `handoff` (null or {} when the task was not handed off). */
  handoff: { [key: string]: unknown } | null = null,
) {
  return await ideApproval(handoff);
}
