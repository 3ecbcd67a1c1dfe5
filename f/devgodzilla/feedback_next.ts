// task_with_qa, step `next`: the next attempt's commit, history and context; `again` is [1] while
// the decision is not final (the loop calls itself once more) and [] when it is.
import { next } from "./lib/qa/feedback-step.ts";

export async function main(answer: { commit: string; decisions: unknown[]; context: unknown[] }, decide: { stop?: boolean } = {}, replan: unknown[] = []) {
  return next({ answer, decide: decide ?? {}, replan: replan ?? [] });
}
