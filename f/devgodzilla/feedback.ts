// Routes a failed task: classifies a QA verdict, an agent's block signal or a failed execute step
// into clarify / re-plan / re-specify / retry (patterns first, the LLM only where they are not
// enough), applies the loop bounds and records the decision. The other modes serve the approval
// steps and the final result of the task_with_qa flow.
import { runFeedback } from "./lib/qa/feedback-step.ts";

export async function main(
  mode: "validate" | "classify" | "ask" | "ask_spec" | "answer" | "finish" | "failure" = "classify",
  verdict: { [key: string]: unknown } = {},
  block: { [key: string]: unknown } = {},
  error: { [key: string]: unknown } = {},
  history: { [key: string]: unknown }[] = [],
  limits: { [key: string]: unknown } = {},
  commit = "",
  decide: { [key: string]: unknown } = {},
  resume: { [key: string]: unknown } = {},
  context: { [key: string]: unknown }[] = [],
  route: { [key: string]: unknown } = {},
  qa: { [key: string]: unknown } = {},
  execute: { [key: string]: unknown } = {},
  llm?: RT.CDevgodzillaLlm,
  openai?: RT.Openai,
  anthropic?: RT.Anthropic,
  model = "",
) {
  return await runFeedback({ mode, verdict, block, error, history, limits, commit, decide, resume, context, route, qa, execute, llm, openai, anthropic, model: model || undefined });
}
