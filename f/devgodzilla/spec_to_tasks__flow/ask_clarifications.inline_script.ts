// Approval step of spec_to_tasks: shows the open questions and pre-fills the form with the
// recommended answers. Windmill reads `resume`/`cancel`/`approvalPage`, `default_args` and
// `description` from this result; the submitted form reaches the NEXT step (clarify) as `resume`.
import * as wmill from "windmill-client";

type Question = { id: string; question: string; recommended?: string; options?: { key: string; answer: string }[] };

export async function main(questions: Question[] = [], questions_markdown = "", feature = "", round = 1) {
  const urls = await wmill.getResumeUrls();
  const default_args: Record<string, string> = {};
  for (const q of questions) default_args[q.id] = q.recommended ?? "";
  const intro =
    `# Clarifications for \`${feature}\` (round ${round})\n\n` +
    `Answer each question in the field with the same id (Q1, Q2, …). The fields are pre-filled with the ` +
    `recommended answers; you may also type an option letter (A, B, …) or your own answer. ` +
    `Leave a field empty to keep the question open.\n\n`;
  return { ...urls, default_args, description: { markdown: intro + questions_markdown }, questions, feature, round };
}
