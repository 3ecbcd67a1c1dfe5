// Writes answers into spec.md (## Clarifications / ### Session / - Q: … → A: …), edits the
// affected sections, removes answered markers; optionally proposes up to 5 further questions.
import { runClarify } from "./lib/llm/steps/clarify.ts";
import { handingOnBadInput } from "./lib/bad_input.ts";

export async function main(
  repo: string,
  branch: string,
  commit: string,
  feature = "",
  questions: object[] = [],
  answers: object = {},
  max_new_questions = 0,
  llm?: RT.CDevgodzillaLlm,
  github?: RT.Github,
  bad_input: "fail" | "return" = "fail",
) {
  return await handingOnBadInput(bad_input, () =>
    runClarify({
      repo,
      branch,
      commit,
      feature: feature ?? "",
      questions: questions ?? [],
      answers: (answers ?? {}) as Record<string, unknown>,
      max_new_questions: max_new_questions ?? 0,
      llm,
      git_token: github?.token,
    }),
  );
}
