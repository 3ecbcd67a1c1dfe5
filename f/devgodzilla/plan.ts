// spec.md → plan.md (technical context + constitution check that fails on an unjustified
// violation), research.md, data-model.md, quickstart.md and contracts/ when relevant.
import { runPlan } from "./lib/llm/steps/plan.ts";
import { handingOnBadInput } from "./lib/bad_input.ts";

export async function main(
  repo: string,
  branch: string,
  commit: string,
  feature = "",
  allow_open_questions = false,
  llm?: RT.CDevgodzillaLlm,
  github?: RT.Github,
  context_budget_tokens = 6000,
  bad_input: "fail" | "return" = "fail",
) {
  return await handingOnBadInput(bad_input, () =>
    runPlan({
      repo,
      branch,
      commit,
      feature: feature ?? "",
      allow_open_questions: allow_open_questions ?? false,
      llm,
      git_token: github?.token,
      context_budget_tokens: context_budget_tokens ?? 6000,
    }),
  );
}
