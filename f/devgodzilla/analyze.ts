// Read-only cross-artifact analysis of spec.md, plan.md and tasks.md: findings (CRITICAL…LOW,
// at most 50) as data and as Spec Kit's markdown report. Commits nothing.
import { runAnalyze } from "./lib/llm/steps/analyze.ts";

export async function main(repo: string, branch: string, commit: string, feature = "", llm?: RT.CDevgodzillaLlm, github?: RT.Github) {
  return await runAnalyze({ repo, branch, commit, feature: feature ?? "", llm, git_token: github?.token });
}
