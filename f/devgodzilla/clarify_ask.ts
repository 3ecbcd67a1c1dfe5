// spec_to_tasks, steps `ask1` / `ask2` (approvals): shows the open clarification questions with the
// form pre-filled by the recommended answers. With no open question it resumes itself at once and
// the flow goes on without asking. `max_new_questions` tells the clarify step after it how many
// follow-up questions this round may add (none when nothing was asked).
import { askClarifications, type OpenQuestion } from "./lib/llm/steps/clarify_ask.ts";

export async function main(questions: OpenQuestion[] = [], questions_markdown = "", feature = "", round = 1, max_followup_questions = 3) {
  return await askClarifications({
    questions: questions ?? [],
    questions_markdown: questions_markdown ?? "",
    feature: feature ?? "",
    round: round ?? 1,
    max_followup_questions: max_followup_questions ?? 3,
  });
}
