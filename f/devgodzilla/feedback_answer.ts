// task_with_qa, step `answer`: folds the answers (a clarification, a spec update and its commit)
// into the task's context and the decision history; `replan` is [1] when tasks.md is regenerated.
import { answer, type Decided } from "./lib/qa/feedback-step.ts";

export async function main(
  commit: string,
  decide: { [key: string]: unknown } = {},
  asked: { [key: string]: unknown } = {},
  spec: { [key: string]: unknown } = {},
  context: { question: string; answer: string }[] = [],
) {
  return answer({ decide: (decide ?? {}) as Decided, asked: asked ?? {}, spec: spec ?? {}, context: context ?? [], commit });
}
