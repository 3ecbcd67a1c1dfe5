// task_with_qa, step `next`: the next attempt's commit, history, context and the usage the loop
// carries (`spent`); `again` is [1] while the decision is not final and the task's budget is not
// reached (the loop calls itself once more) and [] when it is.
import { next } from "./lib/qa/feedback-step.ts";

export async function main(
  answer: { commit: string; decisions: unknown[]; context: unknown[] },
  decide: { stop?: boolean; spent?: unknown[]; budget_exceeded?: string | null } = {},
  replan: unknown[] = [],
  budget: { task_tokens?: number; task_cost_usd?: number } = {},
) {
  return next({ answer, decide: decide ?? {}, replan: replan ?? [], budget: budget ?? {} });
}
