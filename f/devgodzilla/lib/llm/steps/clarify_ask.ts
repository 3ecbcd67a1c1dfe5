// The clarification approval of spec_to_tasks: the open questions, the form pre-filled with the
// recommended answers, or — with nothing to ask — the step resumes itself (a conditional approval
// without a branch predicate, which only V8 evaluates). The submitted form reaches the next step
// (clarify) as `resume`.

import { postResume, resumeUrls, type ResumeUrls } from "../../platform/windmill.ts";

export interface OpenQuestion {
  id: string;
  question: string;
  recommended?: string;
  options?: { key: string; answer: string }[];
}

export interface AskDeps {
  resumeUrls(): Promise<ResumeUrls>;
  post(url: string, payload: unknown): Promise<unknown>;
}

export async function askClarifications(
  p: { questions: OpenQuestion[]; questions_markdown: string; feature: string; round: number; max_followup_questions: number },
  deps: AskDeps = { resumeUrls: () => resumeUrls(), post: postResume },
) {
  const urls = await deps.resumeUrls();
  if (!p.questions.length) {
    await deps.post(urls.resume, {});
    return { asked: false, max_new_questions: 0, questions: [], feature: p.feature, round: p.round };
  }
  const default_args: Record<string, string> = {};
  for (const q of p.questions) default_args[q.id] = q.recommended ?? "";
  const intro =
    `# Clarifications for \`${p.feature}\` (round ${p.round})\n\n` +
    `Answer each question in the field with the same id (Q1, Q2, …). The fields are pre-filled with the ` +
    `recommended answers; you may also type an option letter (A, B, …) or your own answer. ` +
    `Leave a field empty to keep the question open.\n\n`;
  return {
    asked: true,
    max_new_questions: Math.max(0, Math.min(5, p.max_followup_questions)),
    ...urls,
    default_args,
    description: { markdown: intro + p.questions_markdown },
    questions: p.questions,
    feature: p.feature,
    round: p.round,
  };
}
