// spec.md + plan.md → tasks.md in Spec Kit's exact format (Setup, Foundational, one phase per
// user story by priority, Polish; `- [ ] T001 [P] [US1] …`; explicit `(depends on T0xx)`).
import { runTasks } from "./lib/llm/steps/tasks.ts";
import { handingOnBadInput } from "./lib/bad_input.ts";

export async function main(
  repo: string,
  branch: string,
  commit: string,
  feature = "",
  llm?: RT.CDevgodzillaLlm,
  github?: RT.Github,
  context_budget_tokens = 4000,
  bad_input: "fail" | "return" = "fail",
) {
  return await handingOnBadInput(bad_input, () =>
    runTasks({ repo, branch, commit, feature: feature ?? "", llm, git_token: github?.token, context_budget_tokens: context_budget_tokens ?? 4000 }),
  );
}
