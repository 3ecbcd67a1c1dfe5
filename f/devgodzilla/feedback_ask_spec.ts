// task_with_qa, step `ask_spec` (an approval): when the decision is re-specify, asks a person to
// update the spec on the run branch and approve with its commit. Otherwise it resumes itself at
// once. Carries the clarify step's answer, which only this step sees.
import { askSpec, type Decided } from "./lib/qa/feedback-step.ts";

export async function main(commit: string, decide: { [key: string]: unknown } = {}, clarify: { [key: string]: unknown } = {}) {
  return await askSpec({ decide: (decide ?? {}) as Decided, clarify: clarify ?? null, commit });
}
