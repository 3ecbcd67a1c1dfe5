// task_with_qa, step `check`: validates the loop's inputs (limits, decision history, the humans'
// answers so far, the commit, the task's budget and the earlier rounds' usage) before anything
// runs, and builds the agent's instruction for this attempt: the executor's note, then every
// answer a person gave on this task; `budget_left` is what this round's agent may still spend.
import { check } from "./lib/qa/feedback-step.ts";

export async function main(
  commit: string,
  limits: {
    max_clarifications?: number;
    max_replans?: number;
    max_respecs?: number;
    max_retries?: number;
    max_iterations?: number;
    backoff_seconds?: number;
    max_backoff_seconds?: number;
  } = {},
  history: { [key: string]: unknown }[] = [],
  context: { question: string; answer: string }[] = [],
  note = "",
  budget: { task_tokens?: number; task_cost_usd?: number } = {},
  spent: { [key: string]: unknown }[] = [],
) {
  return check({ limits: limits ?? {}, history: history ?? [], context: context ?? [], commit, note: note ?? "", budget: budget ?? {}, spent: spent ?? [] });
}
