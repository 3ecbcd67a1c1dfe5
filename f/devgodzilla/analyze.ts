// Read-only cross-artifact analysis of spec.md, plan.md and tasks.md: findings (CRITICAL…LOW,
// at most 50) as data and as Spec Kit's markdown report. Commits nothing.
import { runAnalyze } from "./lib/llm/steps/analyze.ts";
import { handingOnBadInput } from "./lib/bad_input.ts";

export async function main(
  repo: string,
  branch: string,
  commit: string,
  feature = "",
  llm?: RT.CDevgodzillaLlm,
  github?: RT.Github,
  bad_input: "fail" | "return" = "fail",
) {
  return await handingOnBadInput(bad_input, () => runAnalyze({ repo, branch, commit, feature: feature ?? "", llm, git_token: github?.token }));
}
