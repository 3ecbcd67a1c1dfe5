// task_with_qa, step `qa_inputs`: whether QA judges this attempt (not when the execute step failed
// or the agent blocked: `runs` is then empty and the QA loop does not run) and what QA is given.
import { qaInputs, type ExecuteLike } from "./lib/qa/feedback-step.ts";

export async function main(commit: string, execute: { [key: string]: unknown } = {}, task: { [key: string]: unknown } = {}) {
  return qaInputs({ execute: (execute ?? {}) as ExecuteLike, task: (task ?? {}) as { id?: string; story?: string | null }, commit });
}
