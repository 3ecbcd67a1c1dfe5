// Feature description → specs/NNN-short-name/spec.md + checklists/requirements.md on the run
// branch devgodzilla/NNN-short-name. Open ambiguities come back as at most 3 structured questions.
import { runSpecify } from "./lib/llm/steps/specify.ts";
import { handingOnBadInput } from "./lib/bad_input.ts";

export async function main(
  repo: string,
  branch: string,
  commit: string,
  feature_description: string,
  short_name = "",
  llm?: RT.CDevgodzillaLlm,
  github?: RT.Github,
  context_budget_tokens = 6000,
  bad_input: "fail" | "return" = "fail",
) {
  return await handingOnBadInput(bad_input, () =>
    runSpecify({
      repo,
      branch,
      commit,
      feature_description,
      short_name: short_name ?? "",
      llm,
      git_token: github?.token,
      context_budget_tokens: context_budget_tokens ?? 6000,
    }),
  );
}
