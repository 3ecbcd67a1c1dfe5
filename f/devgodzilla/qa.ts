// QA for a task's (or a run's) output: the acceptance criteria proven by tests that ran (results read
// in the runner's machine format, compared with the base commit), test integrity, empty and off-scope
// work, every principle of the project's constitution, checklist validation over retrieved code, the
// project's own lint/typecheck/test commands, a verdict and a markdown report that is rendered in the
// run page and committed to specs/<feature>/_runtime/qa-report.md on the branch.
import { runQaScript } from "./lib/qa/run.ts";
import { progress } from "./lib/llm/artifacts/step.ts";
import { handingOnBadInput } from "./lib/bad_input.ts";

export async function main(
  repo: string,
  branch: string,
  commit: string,
  base_commit: string,
  feature = "",
  artifacts: { [key: string]: unknown } = {},
  profile: { [key: string]: unknown } = {},
  story = "",
  task_id = "",
  qa_config?: RT.CDevgodzillaQa,
  llm?: RT.CDevgodzillaLlm,
  github?: RT.Github,
  write_report = true,
  sandbox_policy: "refuse" | "allow_unsandboxed" = "refuse",
  agents?: RT.CDevgodzillaAgents,
  task: { [key: string]: unknown } = {},
  outcome: "" | "changed" | "no_change" | "blocked" | "ide_handoff" = "",
  bad_input: "fail" | "return" = "fail",
) {
  // A flow passes null for an input its caller left out: that means the default.
  return await handingOnBadInput(bad_input, () =>
    runQaScript({
      repo,
      branch,
      commit,
      base_commit,
      feature: feature ?? "",
      artifacts: artifacts ?? {},
      profile: profile ?? {},
      story: story ?? "",
      task_id: task_id ?? "",
      task: task ?? {},
      outcome: outcome ?? "",
      qa_config,
      llm,
      git_token: github?.token,
      write_report: write_report ?? true,
      sandbox_policy: sandbox_policy ?? "refuse",
      agents,
      progress,
    }),
  );
}
