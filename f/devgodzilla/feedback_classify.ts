// task_with_qa, step `decide`: classifies what happened — a QA verdict, the agent's block signal,
// a failed execute step — into done / clarify / re-plan / re-specify / retry (patterns first, the
// LLM only where they are not enough), applies the loop's bounds and records the decision. Once the
// task's usage (the earlier rounds' `spent` plus this round's) reaches its budget, a change QA did
// not pass ends the loop with the budget named.
import { classify, type ExecuteLike } from "./lib/qa/feedback-step.ts";

export async function main(
  commit: string,
  execute: { [key: string]: unknown } = {},
  qa: unknown[] = [],
  history: { [key: string]: unknown }[] = [],
  limits: { [key: string]: unknown } = {},
  llm?: RT.CDevgodzillaLlm,
  budget: { task_tokens?: number; task_cost_usd?: number } = {},
  spent: { [key: string]: unknown }[] = [],
) {
  return await classify({
    execute: (execute ?? {}) as ExecuteLike,
    qa: qa ?? [],
    history: history ?? [],
    limits: limits ?? {},
    commit,
    llm,
    budget: budget ?? {},
    spent: spent ?? [],
  });
}
